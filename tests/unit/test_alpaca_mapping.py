"""Alpaca's JSON to our values: ticks, timestamps, statuses and the per-execution fill key."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.alpaca.mapping import (
    fill_from_activity,
    fill_from_trade_update,
    fill_key,
    map_status,
    timestamp,
    to_tick,
)
from oms.domain.enums import Side
from oms.ports import ReportStatus

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(100000), places=6)


@given(prices)
def test_a_buy_limit_never_rounds_up_and_a_sell_never_down(price: Decimal) -> None:
    """Rounding to the tick never makes a limit worse for us."""
    buy, sell = to_tick(price, Side.BUY), to_tick(price, Side.SELL)
    assert buy <= price <= sell
    for rounded in (buy, sell):
        places = 2 if rounded >= 1 else 4
        assert rounded == rounded.quantize(Decimal(1).scaleb(-places))


@given(prices)
def test_a_price_on_the_tick_survives_the_sdks_float(price: Decimal) -> None:
    """What the SDK sends (a float) reads back as exactly the rounded Decimal."""
    rounded = to_tick(price, Side.BUY)
    assert Decimal(repr(float(rounded))) == rounded


def test_timestamps_with_nanoseconds_parse_to_aware_utc() -> None:
    """Alpaca may send nine fractional digits; we keep microseconds and the UTC zone."""
    assert timestamp("2026-11-26T14:30:01.123456789Z") == datetime(2026, 11, 26, 14, 30, 1, 123456, tzinfo=UTC)
    assert timestamp("2026-11-26T09:30:00-05:00") == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
    assert timestamp(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"status": "done_for_day", "time_in_force": "day"}, ReportStatus.EXPIRED),
        ({"status": "done_for_day", "time_in_force": "gtc"}, ReportStatus.WORKING),
        (
            {"status": "done_for_day", "time_in_force": "gtc", "qty": "10", "filled_qty": "2"},
            ReportStatus.PARTIALLY_FILLED,
        ),
        ({"status": "calculated", "qty": "10", "filled_qty": "10"}, ReportStatus.FILLED),
        ({"status": "no_such_status", "qty": "10", "filled_qty": "0"}, ReportStatus.WORKING),
    ],
)
def test_statuses_that_depend_on_the_order(raw: dict[str, str], expected: ReportStatus) -> None:
    """done_for_day depends on time in force; working words are refined by the filled quantity."""
    assert map_status(raw) is expected


def test_the_stream_and_the_activities_name_an_execution_alike() -> None:
    """The same execution read from trade_updates and from REST activities has one key, quantity and price."""
    order = {"id": "o-1", "client_order_id": "c-1", "symbol": "AAPL", "side": "buy", "filled_qty": "50"}
    streamed = fill_from_trade_update(
        {
            "event": "partial_fill",
            "execution_id": "e-9",
            "order": order,
            "price": "190.1",
            "qty": "20",
            "timestamp": "2026-11-26T14:30:01.5Z",
        }
    )
    activity = fill_from_activity(
        {
            "id": "20261126::x",
            "order_id": "o-1",
            "cum_qty": "50",
            "qty": "20",
            "price": "190.10",
            "side": "buy",
            "symbol": "AAPL",
            "transaction_time": "2026-11-26T14:30:01.5Z",
        },
        "c-1",
    )
    assert streamed is not None
    assert activity is not None
    assert streamed.exec_id == activity.exec_id == fill_key("o-1", Decimal("50.0")) == "o-1@50"
    assert (streamed.quantity, streamed.price) == (activity.quantity, activity.price)


def test_events_that_are_not_fills_give_no_fill() -> None:
    """new / canceled events carry no execution."""
    assert fill_from_trade_update({"event": "canceled", "order": {"id": "o", "filled_qty": "0"}}) is None
