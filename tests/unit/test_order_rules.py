"""The FIX-derived rules of an order's life, one behaviour per test."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from oms.domain import InvalidTransition, Order, OrderStatus, OrderValidationError, Overfill, replay
from tests.unit.builders import T0, new_order, order_in

AT = T0 + timedelta(minutes=1)


def test_duplicate_exec_id_is_booked_once() -> None:
    """The same execution id reported twice books one fill and returns False the second time."""
    order = order_in(OrderStatus.SUBMITTED)
    assert order.fill("x1", "4", "150", AT) is True
    assert order.fill("x1", "4", "150", AT) is False
    assert order.filled_quantity == Decimal(4)
    assert len(order.fills) == 1


def test_duplicate_exec_id_on_a_filled_order_is_not_an_error() -> None:
    """A repeated report of the last fill after the order filled is ignored, not an overfill."""
    order = order_in(OrderStatus.FILLED)
    assert order.fill("x-all", "10", "150.00", AT) is False
    assert order.status is OrderStatus.FILLED


def test_overfill_raises_and_changes_nothing() -> None:
    """A fill larger than what is left raises Overfill and books nothing."""
    order = order_in(OrderStatus.PARTIALLY_FILLED)
    before = copy.deepcopy(order)
    with pytest.raises(Overfill):
        order.fill("x-big", "5.000001", "150", AT)
    assert order == before


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.EXPIRED])
def test_late_fill_on_a_closed_order_is_booked(status: OrderStatus) -> None:
    """A fill after a cancel or expiry is booked; the status holds until nothing is left, then becomes filled."""
    order = order_in(status)
    assert order.fill("late-1", "3", "151", AT)
    assert (order.status, order.filled_quantity) == (status, Decimal(3))
    assert order.leaves_quantity == 0  # FIX: LeavesQty is 0 once cancelled or expired
    assert order.fill("late-2", "7", "151", AT)
    assert order.status is OrderStatus.FILLED


def test_pending_cancel_holds_through_fills_until_nothing_is_left() -> None:
    """Fills during a pending cancel keep pending_cancel; the last one makes the order filled."""
    order = order_in(OrderStatus.PENDING_CANCEL)
    order.fill("p1", "6", "150", AT)
    assert order.status is OrderStatus.PENDING_CANCEL
    order.fill("p2", "4", "150", AT)
    assert order.status is OrderStatus.FILLED
    order.reject_cancel("too late: filled", at=AT)  # the cancel lost the race; the order ends filled
    assert order.status is OrderStatus.FILLED


@pytest.mark.parametrize(
    ("start", "fill_during", "expected"),
    [
        (OrderStatus.SUBMITTED, False, OrderStatus.SUBMITTED),
        (OrderStatus.PARTIALLY_FILLED, False, OrderStatus.PARTIALLY_FILLED),
        (OrderStatus.SUBMITTED, True, OrderStatus.PARTIALLY_FILLED),
    ],
)
def test_rejected_cancel_restores_the_working_status(
    start: OrderStatus, fill_during: bool, expected: OrderStatus
) -> None:
    """A rejected cancel puts the order back to working, counting fills that arrived while it was pending."""
    order = order_in(start)
    order.request_cancel(at=AT)
    if fill_during:
        order.fill("during", "2", "150", AT)
    order.reject_cancel("not cancellable", at=AT)
    assert order.status is expected


def test_working_order_keeps_quantity_equal_to_filled_plus_leaves() -> None:
    """OrderQty = CumQty + LeavesQty while the order works."""
    order = order_in(OrderStatus.SUBMITTED, quantity="7.5")
    order.fill("a", "2.25", "10", AT)
    assert order.filled_quantity + order.leaves_quantity == Decimal("7.5")


def test_average_fill_price_is_volume_weighted_and_exact() -> None:
    """The average price weighs each fill by its quantity, in exact decimals."""
    order = order_in(OrderStatus.SUBMITTED)
    order.fill("a", "3", "100.10", AT)
    order.fill("b", "1", "100.50", AT)
    assert order.average_fill_price == Decimal("100.2")


def test_acknowledge_twice_with_the_same_id_is_a_no_op() -> None:
    """A repeated acknowledgement adds no event; a different broker id for the same order is refused."""
    order = order_in(OrderStatus.SUBMITTED)
    assert order.acknowledge("B-1", at=AT) is True
    events = len(order.events)
    assert order.acknowledge("B-1", at=AT) is False
    assert len(order.events) == events
    with pytest.raises(InvalidTransition) as caught:
        order.acknowledge("B-2", at=AT)
    assert caught.value.code == "BROKER_ID_MISMATCH"


def test_submit_needs_a_client_order_id() -> None:
    """Write-ahead needs the client order id: submitting without one is refused."""
    order = order_in(OrderStatus.VALIDATED)
    with pytest.raises(InvalidTransition):
        order.submit(at=AT)
    assert order.status is OrderStatus.VALIDATED


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"quantity": "0"}, "INVALID_QUANTITY"),
        ({"quantity": "-5"}, "INVALID_QUANTITY"),
        ({"quantity": "NaN"}, "INVALID_QUANTITY"),
        ({"quantity": "Infinity"}, "INVALID_QUANTITY"),
        ({"quantity": "ten"}, "INVALID_QUANTITY"),
        ({"order_type": "limit", "limit_price": None}, "MISSING_LIMIT_PRICE"),
        ({"order_type": "market", "limit_price": "10"}, "UNEXPECTED_LIMIT_PRICE"),
        ({"order_type": "limit", "limit_price": "0"}, "INVALID_LIMIT_PRICE"),
        ({"order_type": "stop", "stop_price": None}, "MISSING_STOP_PRICE"),
        ({"symbol": "aapl"}, "INVALID_SYMBOL"),
        ({"symbol": ""}, "INVALID_SYMBOL"),
        ({"symbol": "TOO-LONG-SYMBOL"}, "INVALID_SYMBOL"),
    ],
)
def test_malformed_order_is_refused_with_a_reason_code(kwargs: dict[str, object], code: str) -> None:
    """Order.create refuses an order that could never be valid, with a stable reason code."""
    fields: dict[str, object] = {"symbol": "AAPL", "side": "buy", "quantity": "10", "order_type": "market"}
    fields.update(kwargs)
    with pytest.raises(OrderValidationError) as caught:
        Order.create(**fields)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_class_suffix_symbols_are_accepted() -> None:
    """Tickers with a share-class suffix are valid symbols."""
    assert Order.create("BRK.B", "buy", "1").symbol == "BRK.B"


def test_floats_and_naive_times_are_refused() -> None:
    """Money never arrives as a float and times are never naive."""
    with pytest.raises(OrderValidationError):
        Order.create("AAPL", "buy", 1.5)  # type: ignore[arg-type]
    order = order_in(OrderStatus.SUBMITTED)
    with pytest.raises(ValueError, match="timezone-aware"):
        order.fill("n", "1", "150", datetime(2026, 1, 1))  # noqa: DTZ001 - the naive time is the point
    assert order.fills == []


def test_replay_rebuilds_every_status() -> None:
    """An order rebuilt from its events equals the order, whatever status it reached."""
    for status in OrderStatus:
        order = order_in(status)
        assert replay(order.events) == order, status


def test_replay_of_a_tampered_history_is_refused() -> None:
    """A history whose events do not replay to themselves is refused, not silently accepted."""
    order = order_in(OrderStatus.PARTIALLY_FILLED)
    events = [*order.events[:-1], replace(order.events[-1], sequence=99)]
    with pytest.raises(InvalidTransition):
        replay(events)
    with pytest.raises(InvalidTransition):
        replay(order.events[1:])


def test_new_order_carries_its_guidance() -> None:
    """Guidance fields given at creation are part of the order and of its creation event."""
    order = new_order(wave=2, priority=3, reason="trim to target", decision_price=Decimal("149.5"))
    assert (order.wave, order.priority, order.reason) == (2, 3, "trim to target")
    assert order.events[0].details["decision_price"] == "149.5"
