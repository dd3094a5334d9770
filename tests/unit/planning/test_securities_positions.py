"""The security master and positions files: good rows load, every bad row is reported at once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from oms.planning.errors import IntakeError
from oms.planning.positions import load_positions
from oms.planning.securities import SecurityMaster
from oms.ports import MarketData

from .factories import write

HEADER = (
    "symbol,name,asset_class,sector,leveraged,leverage_factor,adv,spread_bps,daily_volatility,last_price,fractional"
)


def test_shipped_sample_loads_and_covers_the_kinds_of_instrument_the_brief_names() -> None:
    """config/securities.csv loads and holds broad-market, sector, bond, 2x, 3x, large- and small-cap names."""
    master = SecurityMaster.default()
    kinds = {s.asset_class for s in master}
    factors = {s.leverage_factor for s in master if s.leveraged}
    assert {"equity_etf", "bond_etf", "leveraged_etf", "equity"} <= kinds
    assert {Decimal(2), Decimal(3)} <= factors
    assert any(s.last_price < 5 for s in master)  # small caps
    assert "BRK.B" in master


def test_master_is_market_data_with_quotes_stamped_at_load_time() -> None:
    """security() and quote() answer for known symbols, None for unknown; quotes carry the load time."""
    before = datetime.now(UTC)
    master: MarketData = SecurityMaster.default()
    quote = master.quote("SPY")
    assert quote is not None
    assert quote.price == master.security("SPY").last_price
    assert quote.at >= before
    assert quote.at.tzinfo is not None
    assert master.quote("NOPE") is None
    assert master.security("NOPE") is None


def test_every_bad_security_row_is_reported(tmp_path: Path) -> None:
    """Bad numbers, a bad leverage pairing, a missing name and a duplicate all come back together."""
    path = write(
        tmp_path,
        "sec.csv",
        f"{HEADER}\n"
        "AAA,A,equity,Tech,false,1,100,1,0.01,-5,false\n"
        "BBB,B,equity,Tech,true,1,100,1,0.01,5,false\n"
        "CCC,,equity,Tech,false,1,0,1,2,5,maybe\n"
        "DDD,D,equity,Tech,false,1,100,1,0.01,5,false\n"
        "DDD,D,equity,Tech,false,1,100,1,0.01,5,false\n",
    )
    with pytest.raises(IntakeError) as caught:
        SecurityMaster.load(path)
    assert caught.value.problems == [
        f"{path}:2: last_price: must be greater than zero, not -5",
        f"{path}:3: leverage_factor: a leveraged fund needs a factor beyond 1 or -1, not 1",
        f"{path}:4: adv: must be greater than zero, not 0",
        f"{path}:4: name: required",
        f"{path}:4: daily_volatility: a fraction (0.02 is 2% a day), not 2",
        f"{path}:4: fractional: expected true or false, not 'maybe'",
        f"{path}:6: symbol: DDD is listed twice (first on line 5)",
    ]


def test_positions_read_cash_row_and_holdings(tmp_path: Path) -> None:
    """A CASH row becomes the cash; other rows become positions with optional average cost."""
    path = write(tmp_path, "pos.csv", "Symbol,Quantity,Average_Cost\nCASH,1500.25\nspy,10,450\nVTI,2.5,\n")
    portfolio = load_positions(path)
    assert portfolio.cash == Decimal("1500.25")
    assert portfolio.positions["SPY"].average_cost == Decimal(450)
    assert portfolio.quantity("VTI") == Decimal("2.5")
    assert portfolio.quantity("QQQ") == 0


def test_bad_positions_are_reported_at_once(tmp_path: Path) -> None:
    """Negative quantity, a duplicate symbol and a costed CASH row are all named."""
    path = write(tmp_path, "pos.csv", "symbol,quantity,average_cost\nCASH,10,1\nSPY,-1\nQQQ,3\nQQQ,4\n")
    with pytest.raises(IntakeError) as caught:
        load_positions(path)
    assert caught.value.problems == [
        f"{path}:2: average_cost: the CASH row has no average cost",
        f"{path}:3: quantity: must not be negative, not -1",
        f"{path}:5: symbol: QQQ is listed twice (first on line 4)",
    ]
