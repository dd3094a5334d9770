"""MARKET_HOURS on the XNYS calendar, in New York time, across daylight saving; and a venue's own clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from oms.domain import OrderType, TimeInForce
from oms.ports import MarketClock
from oms.risk import MarketHoursMode, Outcome, ReasonCode, RiskLimits
from oms.risk.calendar import TradingCalendar
from tests.unit.risk.support import Market, buy, check, outcome_of

NY = ZoneInfo("America/New_York")
MARKET = Market().add("AAA", "100")


def at(text: str) -> datetime:
    """A New York wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "why", "next_open"),
    [
        # Thanksgiving, a Thursday holiday (EST): held until Friday's open.
        ("2026-11-26 10:00", "holiday", "2026-11-27 14:30"),
        # Independence Day 2025, a Friday holiday (EDT): held until Monday.
        ("2025-07-04 11:00", "holiday", "2025-07-07 13:30"),
        # A Saturday in EST whose next open is the Monday after clocks spring forward: 09:30 EDT is 13:30 UTC.
        ("2026-03-07 12:00", "weekend", "2026-03-09 13:30"),
        # One minute before the open in summer (EDT).
        ("2026-06-16 09:29", "before the open", "2026-06-16 13:30"),
        # At the close in winter (EST): the next open is the next morning.
        ("2026-12-01 16:00", "after the close", "2026-12-02 14:30"),
        # The day after Thanksgiving closes at 13:00: at 13:00 it is closed until Monday.
        ("2026-11-27 13:00", "after the close", "2026-11-30 14:30"),
        # The Friday before clocks fall back opens at 13:30 UTC; the Monday after at 14:30 UTC.
        ("2026-10-30 09:00", "before the open", "2026-10-30 13:30"),
        ("2026-10-30 16:30", "after the close", "2026-11-02 14:30"),
    ],
)
def test_closed_market_holds_until_the_open(now: str, why: str, next_open: str) -> None:
    """Outside the session a market order is held (warn) with hold_until at the next regular open."""
    (checks,) = check([buy("AAA", 1)], MARKET, now=at(now))
    found = next(r for r in checks.results if r.code is ReasonCode.MARKET_HOURS)
    assert found.outcome is Outcome.WARN
    assert found.hold_until == utc(next_open)
    assert checks.hold_until == utc(next_open)
    assert f"the market is closed ({why})" in found.message
    assert "held until the open at" in found.message


@pytest.mark.parametrize("now", ["2026-06-16 09:30", "2026-12-01 15:59", "2026-11-27 12:59", "2025-07-03 12:59"])
def test_open_market_passes(now: str) -> None:
    """From the open to the minute before the close (13:00 on a half day) the order passes."""
    assert outcome_of(ReasonCode.MARKET_HOURS, buy("AAA", 1), MARKET, now=at(now)).outcome is Outcome.PASS


def test_half_day_is_announced() -> None:
    """On a half day the pass says the market closes early, at 13:00 New York time."""
    found = outcome_of(ReasonCode.MARKET_HOURS, buy("AAA", 1), MARKET, now=at("2025-07-03 10:00"))
    assert "closes early today at 2025-07-03 13:00 EDT (17:00 UTC)" in found.message


def test_calendar_knows_the_half_day_close() -> None:
    """The calendar's early close on 2026-11-27 is 13:00 EST."""
    state = TradingCalendar("XNYS").state(at("2026-11-27 10:00"))
    assert state.is_open
    assert state.early_close == utc("2026-11-27 18:00")


def test_block_mode_refuses() -> None:
    """With market_hours = "block" a market order outside the session is blocked."""
    limits = RiskLimits(market_hours=MarketHoursMode.BLOCK)
    found = outcome_of(ReasonCode.MARKET_HOURS, buy("AAA", 1), MARKET, now=at("2026-11-26 10:00"), limits=limits)
    assert found.outcome is Outcome.BLOCK
    assert found.hold_until is None


def test_off_mode_passes_at_any_hour() -> None:
    """With market_hours = "off" (paper testing) nothing is held."""
    limits = RiskLimits(market_hours=MarketHoursMode.OFF)
    found = outcome_of(ReasonCode.MARKET_HOURS, buy("AAA", 1), MARKET, now=at("2026-11-28 03:00"), limits=limits)
    assert found.outcome is Outcome.PASS


def test_gtc_limit_order_waits_at_the_broker() -> None:
    """A GTC limit order may be sent while closed: it is neither a market nor a DAY order."""
    order = buy("AAA", 1, limit="100", time_in_force=TimeInForce.GTC)
    assert outcome_of(ReasonCode.MARKET_HOURS, order, MARKET, now=at("2026-11-26 10:00")).outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-06-16 04:00", Outcome.PASS),  # pre-market opens at 04:00
        ("2026-06-16 03:59", Outcome.WARN),
        ("2026-06-16 19:59", Outcome.PASS),  # after hours run to 20:00
        ("2026-06-16 20:00", Outcome.WARN),
        ("2026-11-27 16:59", Outcome.PASS),  # a half day's after hours end at 17:00
        ("2026-11-27 17:00", Outcome.WARN),
    ],
)
def test_extended_hours_limit_orders(now: str, expected: Outcome) -> None:
    """An extended-hours limit order passes in the pre-market and after hours, and is held outside them."""
    order = buy("AAA", 1, limit="100", extended_hours=True)
    assert outcome_of(ReasonCode.MARKET_HOURS, order, MARKET, now=at(now)).outcome is expected


def test_extended_hours_take_limit_orders_only() -> None:
    """A market order marked for extended hours is blocked, even in the session."""
    order = buy("AAA", 1, extended_hours=True)
    found = outcome_of(ReasonCode.MARKET_HOURS, order, MARKET, now=at("2026-06-16 11:00"))
    assert found.outcome is Outcome.BLOCK
    assert found.message == "extended-hours trading takes limit orders only, not market orders"
    assert order.order_type is OrderType.MARKET


def test_venue_clock_is_the_authority() -> None:
    """A venue that says it is open overrides a holiday; one that says closed holds until its own next open."""
    holiday = at("2026-11-26 10:00")
    open_clock = MarketClock(at=holiday, is_open=True)
    assert outcome_of(ReasonCode.MARKET_HOURS, buy("AAA", 1), MARKET, now=holiday, clock=open_clock).outcome is (
        Outcome.PASS
    )
    weekday = at("2026-06-16 11:00")
    closed = MarketClock(at=weekday, is_open=False, next_open=utc("2026-06-16 16:00"))
    found = outcome_of(ReasonCode.MARKET_HOURS, buy("AAA", 1), MARKET, now=weekday, clock=closed)
    assert found.outcome is Outcome.WARN
    assert found.hold_until == utc("2026-06-16 16:00")
    assert "the venue is closed" in found.message
