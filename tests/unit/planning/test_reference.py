"""The security master as an overlay: user file first, then a broker's reference data, cached with its time."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from oms.domain.market import Quote
from oms.planning.errors import IntakeError, PlanError
from oms.planning.positions import load_holdings
from oms.planning.prices import load_prices, parse_observed_at
from oms.planning.reference import ReferenceCache, bar_statistics, build_master, leverage_factor
from oms.planning.settings import ReferenceSettings
from oms.ports import DailyBar, Listing, ReferenceData

from .factories import master, security

D = Decimal
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


class Desk:
    """An in-memory ReferenceData: what a broker lists, its quotes and its bars, counting the calls made."""

    source = "desk"

    def __init__(self) -> None:
        self.listings: dict[str, Listing] = {}
        self.prices: dict[str, Quote] = {}
        self.bars: dict[str, list[DailyBar]] = {}
        self.calls: list[str] = []

    def list(self, symbol: str, name: str, price: str, *, at: datetime = NOW) -> None:
        self.listings[symbol] = Listing(symbol, name, fractionable=True, where=f"desk {symbol}")
        self.prices[symbol] = Quote(symbol, D(price), at, bid=D(price) - D("0.01"), ask=D(price) + D("0.01"))
        closes = [D(price) * (1 + D(i % 3 - 1) / 100) for i in range(25)]
        self.bars[symbol] = [
            DailyBar(date(2026, 10, 1) + timedelta(days=i), c, c, c, c, D(1_000_000 + i)) for i, c in enumerate(closes)
        ]

    async def security(self, symbol: str) -> Listing | None:
        self.calls.append(f"security {symbol}")
        return self.listings.get(symbol)

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        self.calls.append("quotes")
        return {s: self.prices[s] for s in symbols if s in self.prices}

    async def daily_bars(self, symbol: str, sessions: int) -> list[DailyBar]:
        self.calls.append(f"bars {symbol} {sessions}")
        return self.bars.get(symbol, [])[-sessions:]


def build(symbols: set[str], **kwargs: object):  # type: ignore[no-untyped-def]
    return asyncio.run(build_master(symbols, user=master(security("AAA")), now=NOW, **kwargs))  # type: ignore[arg-type]


def test_desk_is_a_reference_data_port() -> None:
    assert isinstance(Desk(), ReferenceData)


def test_user_file_first_then_the_broker_with_the_quote_and_its_time() -> None:
    desk = Desk()
    desk.list("VOO", "Vanguard S&P 500 ETF", "512.30", at=NOW - timedelta(minutes=3))
    desk.list("AAA", "Something else", "101")
    result = build({"AAA", "VOO"}, reference=desk)
    voo = result.security("VOO")
    assert voo is not None
    assert voo.last_price == D("512.30")
    assert voo.fractional
    assert voo.adv == D(1_000_014)  # mean of the last 20 of 25 volumes, 1,000,005 .. 1,000,024, to the share
    assert result.quote("VOO") == desk.prices["VOO"]
    aaa = result.security("AAA")
    assert aaa is not None
    assert aaa.name == "AAA Inc."
    assert aaa.last_price == D(101)
    assert "security AAA" not in desk.calls
    assert result.origins == {"AAA": "desk", "VOO": "desk"}


def test_supplied_prices_win_over_the_broker() -> None:
    desk = Desk()
    desk.list("VOO", "Vanguard S&P 500 ETF", "512.30")
    given = Quote("VOO", D("500"), NOW - timedelta(days=1))
    result = build({"VOO"}, reference=desk, supplied={"VOO": given})
    assert result.quote("VOO") == given
    assert result.security("VOO").last_price == D(500)  # type: ignore[union-attr]


def test_an_unknown_symbol_is_one_problem_naming_every_place(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        build({"ZZZQ", "AAA"}, reference=Desk(), cache=ReferenceCache.in_folder(tmp_path))
    assert caught.value.code == "UNKNOWN_SYMBOL"
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert "ZZZQ" in problem
    assert "desk reference data" in problem
    assert "reference-cache.json" in problem


def test_without_a_broker_the_error_says_how_to_get_one() -> None:
    with pytest.raises(PlanError) as caught:
        build({"VOO"})
    assert "--from-broker" in caught.value.problems[0]


def test_broker_facts_are_cached_user_only_and_reused_until_they_age(tmp_path: Path) -> None:
    desk = Desk()
    desk.list("VOO", "Vanguard S&P 500 ETF", "512.30")
    build({"VOO"}, reference=desk, cache=ReferenceCache.in_folder(tmp_path))
    path = tmp_path / "reference-cache.json"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["VOO"]["fetched_at"] == NOW.isoformat()
    desk.calls.clear()
    build({"VOO"}, reference=desk, cache=ReferenceCache.in_folder(tmp_path))
    assert desk.calls == ["quotes"]  # listing and bars from the cache, the price still live
    later = NOW + timedelta(hours=25)
    asyncio.run(build_master({"VOO"}, user=None, reference=desk, cache=ReferenceCache.in_folder(tmp_path), now=later))
    assert "security VOO" in desk.calls


def test_window_sessions_limits_the_bars_asked_for() -> None:
    desk = Desk()
    desk.list("VOO", "Vanguard S&P 500 ETF", "512.30")
    build({"VOO"}, reference=desk, settings=ReferenceSettings(window_sessions=5))
    assert "bars VOO 5" in desk.calls


def test_bar_statistics_volume_mean_and_log_return_deviation() -> None:
    bars = [
        DailyBar(date(2026, 1, i + 1), D(1), D(1), D(1), D(c), D(v))
        for i, (c, v) in enumerate([(100, 10), (110, 20), (100, 30)])
    ]
    adv, volatility = bar_statistics(bars)
    assert adv == D(20)
    assert abs(volatility - D("0.134789")) < D("0.000001")  # sd of ln(1.1), ln(1/1.1)


@pytest.mark.parametrize(
    ("name", "factor"),
    [
        ("Vanguard S&P 500 ETF", "1"),
        ("ProShares UltraPro QQQ", "3"),
        ("ProShares Ultra S&P500", "2"),
        ("Direxion Daily Semiconductor Bull 3X Shares", "3"),
        ("ProShares Short S&P500", "-1"),
        ("Direxion Daily S&P 500 Bear 3X Shares", "-3"),
    ],
)
def test_leverage_read_from_a_fund_name(name: str, factor: str) -> None:
    assert leverage_factor(name) == D(factor)


def test_prices_file_times_are_new_york_when_typed_without_a_zone(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("symbol,price,bid,ask,at\nvoo,512.30,512.29,512.31,2026-07-01T15:30\nSCHD,27.84,,,\n")
    quotes = load_prices(path)
    assert quotes["VOO"].at == datetime(2026, 7, 1, 19, 30, tzinfo=UTC)  # EDT
    assert quotes["VOO"].bid == D("512.29")
    assert quotes["SCHD"].at == datetime.fromtimestamp(path.stat().st_mtime, UTC)  # no time: the file's age
    assert parse_observed_at("2026-01-05T10:00") == datetime(2026, 1, 5, 15, 0, tzinfo=UTC)  # EST


def test_prices_file_reports_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("symbol,price,bid,ask,at\nVOO,-1,,,\nVOO,5,6,4,\nSCHD,1,,,yesterday\n")
    with pytest.raises(IntakeError) as caught:
        load_prices(path)
    assert [p.split(": ")[1] for p in caught.value.problems] == ["price", "bid", "at"]


def test_positions_file_takes_price_and_at_columns(tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    path.write_text("symbol,quantity,average_cost,price,at\nVOO,10,400,512.30,2026-12-03T10:00-05:00\nCASH,100,,,\n")
    portfolio, quotes = load_holdings(path)
    assert portfolio.cash == D(100)
    assert portfolio.quantity("VOO") == D(10)
    assert quotes == {"VOO": Quote("VOO", D("512.30"), datetime(2026, 12, 3, 15, 0, tzinfo=UTC))}
