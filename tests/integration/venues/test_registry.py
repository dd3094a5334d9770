"""The broker registry: names map to adapters, files land beside the ledger, bad input is one clear line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from adapters.manual import ManualTicketBroker
from adapters.registry import UnknownBroker, broker_names, make_broker, read_securities
from adapters.sim import SimulatedBroker
from oms.config import ConfigError, load_settings
from oms.domain.market import Portfolio, Position
from oms.ports import Broker
from tests.integration.venues.conftest import SECURITIES


def test_sim_and_manual_are_built_beside_the_ledger(tmp_path: Path) -> None:
    """`sim` and `manual` build their adapters with their files in the data directory."""
    settings = load_settings(None)
    sim = make_broker("sim", settings, data_dir=tmp_path, securities=SECURITIES, speed=600.0)
    manual = make_broker("manual", settings, data_dir=tmp_path, announce=print)
    assert isinstance(sim, SimulatedBroker)
    assert isinstance(manual, ManualTicketBroker)
    assert isinstance(sim, Broker)
    assert isinstance(manual, Broker)
    assert sim.venue.settings.speed == 600.0
    assert {path.name for path in tmp_path.iterdir()} >= {"sim-venue.db", "manual-book.db"}
    sim.venue.close()
    manual.book.close()


def test_the_sim_table_configures_the_venue(tmp_path: Path) -> None:
    """Values of the [sim] table reach the venue; a bad one is reported as one line naming the key."""
    settings = load_settings(None, sim={"seed": 99, "path": str(tmp_path / "elsewhere.db")})
    broker = make_broker("sim", settings, data_dir=tmp_path, securities=SECURITIES)
    assert isinstance(broker, SimulatedBroker)
    assert (broker.venue.settings.seed, broker.venue.path.name) == (99, "elsewhere.db")
    broker.venue.close()
    with pytest.raises(ConfigError, match=r"^command line: sim\.speed: must be greater than 0 \(got 0\)$"):
        load_settings(None, sim={"speed": 0})
    with pytest.raises(ConfigError, match=r"^command line: sim\.participation: must be less than or equal to 1"):
        make_broker("sim", settings, data_dir=tmp_path, securities=SECURITIES, participation=2)


def test_an_unknown_broker_name_lists_the_known_ones(tmp_path: Path) -> None:
    """Asking for a broker this build does not know names the ones it does."""
    with pytest.raises(UnknownBroker, match=r"unknown broker 'nasdaq' \(known: .*manual.*sim"):
        make_broker("nasdaq", load_settings(None), data_dir=tmp_path)
    assert {"sim", "manual"} <= set(broker_names())


def test_the_security_master_reader_names_the_bad_line(tmp_path: Path) -> None:
    """The stop-gap CSV reader reads securities and reports FILE:LINE: field: reason for a bad value."""
    good = tmp_path / "good.csv"
    good.write_text(
        "symbol,name,asset_class,sector,last_price,adv,spread_bps,daily_volatility,fractional\n"
        "abc,Abc Inc,equity,tech,12.5,300000,6,0.025,true\n"
    )
    (security,) = read_securities(good)
    assert (security.symbol, security.last_price, security.fractional) == ("ABC", Decimal("12.5"), True)
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,last_price,adv\nABC,12.5,300000\nDEF,twelve,1\n")
    with pytest.raises(ConfigError, match=f"^{bad}:3: last_price: not a number: 'twelve'$"):
        read_securities(bad)
    with pytest.raises(ConfigError, match="no such security master file"):
        read_securities(tmp_path / "missing.csv")


def test_a_new_sim_venue_opens_with_the_given_portfolio(tmp_path: Path) -> None:
    """`opening=` seeds a new venue's cash and holdings; reopening the venue keeps what it has become."""
    opening = Portfolio(cash=Decimal(5_000), positions={"AAA": Position("AAA", Decimal(30), Decimal(90))})
    broker = make_broker("sim", load_settings(None), data_dir=tmp_path, securities=SECURITIES, opening=opening)
    assert isinstance(broker, SimulatedBroker)
    assert broker.venue.account().cash == 5_000
    assert broker.venue.positions() == [Position("AAA", Decimal(30), Decimal(90))]
    broker.venue.close()
    other = Portfolio(cash=Decimal(1), positions={})
    again = make_broker("sim", load_settings(None), data_dir=tmp_path, securities=SECURITIES, opening=other)
    assert isinstance(again, SimulatedBroker)
    assert again.venue.account().cash == 5_000
    again.venue.close()
