"""Ticks, the reprice decision for an unfilled limit child, and the cancel-then-new sequence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from oms.domain import Order
from oms.domain.enums import OrderStatus, Side, Urgency
from oms.execution.algos.child_ids import child_client_order_id
from oms.execution.algos.repricing import (
    ChildDone,
    NoAction,
    Reprice,
    RequestCancel,
    SubmitReplacement,
    Wait,
    decide_reprice,
    next_child_action,
)
from oms.execution.algos.settings import AlgoSettings
from oms.execution.ticks import format_price, is_on_tick, round_to_tick, tick_size

D = Decimal
AT = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("price", "side", "expected"),
    [
        ("12.3456", Side.BUY, "12.34"),
        ("12.3456", Side.SELL, "12.35"),
        ("0.123456", Side.BUY, "0.1234"),
        ("0.123456", Side.SELL, "0.1235"),
        ("0.99995", Side.SELL, "1.00"),
        ("1.00", Side.BUY, "1.00"),
        ("0.00001", Side.BUY, "0.0001"),
    ],
)
def test_round_to_tick_never_worsens_the_limit(price: str, side: Side, expected: str) -> None:
    """Buys round down and sells up, to 0.01 at or above $1 and 0.0001 below."""
    rounded = round_to_tick(D(price), side)
    assert str(rounded) == expected
    assert is_on_tick(rounded)


def test_tick_size_changes_at_one_dollar() -> None:
    """The tick is 0.0001 just below $1 and 0.01 from $1."""
    assert tick_size(D("0.9999")) == D("0.0001")
    assert tick_size(D(1)) == D("0.01")


def test_format_price_shows_the_tick_and_never_hides_digits() -> None:
    """Prices print to their tick (12.50, 0.4300) but an off-tick price prints in full."""
    assert format_price(D("12.5")) == "12.50"
    assert format_price(D("1234.5")) == "1,234.50"
    assert format_price(D("0.43")) == "0.4300"
    assert format_price(D("12.505")) == "12.505"


def test_a_child_waits_until_its_patience_has_passed() -> None:
    """A normal-urgency buy resting 4 minutes (patience 5) waits and says when to look again."""
    decision = decide_reprice(
        side=Side.BUY, limit=D("99.90"), reference=D(100), worked_for=timedelta(minutes=4), urgency=Urgency.NORMAL
    )
    assert isinstance(decision, Wait)
    assert decision.recheck_after == timedelta(minutes=1)


def test_an_unfilled_buy_moves_to_the_reference_plus_the_cross() -> None:
    """After patience, a buy moves to reference + 5 bps (normal), rounded down: 100 -> 100.05."""
    decision = decide_reprice(
        side=Side.BUY, limit=D("99.90"), reference=D(100), worked_for=timedelta(minutes=5), urgency=Urgency.NORMAL
    )
    assert decision == Reprice(D("100.05"), decision.reason)  # type: ignore[union-attr]


def test_an_unfilled_sell_moves_to_the_reference_minus_the_cross() -> None:
    """A high-urgency sell moves to reference - 15 bps, rounded up: 50.00 - 0.075 = 49.925 -> 49.93."""
    decision = decide_reprice(
        side=Side.SELL, limit=D("50.20"), reference=D(50), worked_for=timedelta(minutes=2), urgency=Urgency.HIGH
    )
    assert isinstance(decision, Reprice)
    assert decision.new_limit == D("49.93")


def test_higher_urgency_reprices_sooner() -> None:
    """At three minutes a high-urgency child is repriced while a low-urgency one still waits."""
    common = {"side": Side.BUY, "limit": D(10), "reference": D("10.10"), "worked_for": timedelta(minutes=3)}
    assert isinstance(decide_reprice(urgency=Urgency.HIGH, **common), Reprice)  # type: ignore[arg-type]
    assert isinstance(decide_reprice(urgency=Urgency.LOW, **common), Wait)  # type: ignore[arg-type]


def test_a_marketable_limit_is_left_alone() -> None:
    """A buy limited at or above the reference is not held back by its price, so it waits."""
    decision = decide_reprice(
        side=Side.BUY, limit=D("100.10"), reference=D(100), worked_for=timedelta(hours=1), urgency=Urgency.HIGH
    )
    assert isinstance(decision, Wait)


def test_the_collar_caps_the_new_limit() -> None:
    """A buy may not pass its collar: it goes to the collar once, then waits there."""
    common = {"side": Side.BUY, "reference": D(101), "worked_for": timedelta(hours=1), "urgency": Urgency.NORMAL}
    first = decide_reprice(limit=D(100), collar=D("100.50"), **common)  # type: ignore[arg-type]
    assert isinstance(first, Reprice)
    assert first.new_limit == D("100.50")
    assert isinstance(decide_reprice(limit=D("100.50"), collar=D("100.50"), **common), Wait)  # type: ignore[arg-type]


def test_repricing_stops_after_the_most_allowed() -> None:
    """After max_reprices, the child waits whatever the price does."""
    decision = decide_reprice(
        side=Side.SELL,
        limit=D(20),
        reference=D(19),
        worked_for=timedelta(hours=1),
        urgency=Urgency.HIGH,
        reprices_done=3,
        settings=AlgoSettings(max_reprices=3),
    )
    assert isinstance(decision, Wait)


def test_a_reprice_is_a_cancel_then_a_new_child_for_what_is_left() -> None:
    """Working child -> RequestCancel; pending cancel -> wait (a fill may come); cancelled -> replacement for leaves."""
    child = Order.create("TQQQ", Side.BUY, 100, "limit", limit_price="50.00", order_id="c1", at=AT)
    child.validate(AT)
    child.submit(child_client_order_id("B1-7", 1), AT)
    child.fill("x1", 30, "50.00", AT)
    decision = Reprice(D("50.05"), "unfilled")
    step = next_child_action(
        status=child.status, quantity=child.quantity, filled=child.filled_quantity, decision=decision
    )
    assert step == RequestCancel(D("50.05"))

    child.request_cancel(AT)
    step = next_child_action(status=child.status, quantity=child.quantity, filled=child.filled_quantity)
    assert isinstance(step, NoAction)

    child.fill("x2", 20, "50.00", AT)  # a fill that races the cancel is booked before the replacement is sized
    child.cancel("repricing", AT)
    step = next_child_action(
        status=child.status, quantity=child.quantity, filled=child.filled_quantity, pending_limit=D("50.05")
    )
    assert step == SubmitReplacement(D(50), D("50.05"), attempt=1)
    assert child_client_order_id("B1-7", 1, step.attempt) == "B1-7-1r1"  # type: ignore[union-attr]


def test_a_cancel_that_loses_to_the_fill_ends_the_slice() -> None:
    """If the child fills completely while the cancel is pending, the slice is done: nothing is replaced."""
    child = Order.create("SPY", Side.SELL, 10, "limit", limit_price="600", order_id="c2", at=AT)
    child.validate(AT)
    child.submit("B1-8-1", AT)
    child.request_cancel(AT)
    child.fill("x1", 10, "600", AT)
    step = next_child_action(
        status=child.status, quantity=child.quantity, filled=child.filled_quantity, pending_limit=D("599.90")
    )
    assert isinstance(step, ChildDone)


@pytest.mark.parametrize(
    ("status", "pending", "expected"),
    [
        (OrderStatus.NEW, None, NoAction),
        (OrderStatus.SUBMITTED, None, NoAction),
        (OrderStatus.REJECTED, None, ChildDone),
        (OrderStatus.EXPIRED, D(10), ChildDone),
        (OrderStatus.CANCELLED, None, ChildDone),
    ],
)
def test_statuses_without_a_reprice_pending_never_replace(
    status: OrderStatus, pending: Decimal | None, expected: type
) -> None:
    """Only a cancel we asked for to reprice leads to a replacement; expiry, rejects and user cancels do not."""
    assert isinstance(next_child_action(status=status, quantity=D(10), filled=D(0), pending_limit=pending), expected)


def test_more_filled_than_the_quantity_is_a_programming_error() -> None:
    """A child cannot have filled more than its quantity."""
    with pytest.raises(ValueError, match="more than"):
        next_child_action(status=OrderStatus.FILLED, quantity=D(10), filled=D(11))
