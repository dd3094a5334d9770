"""Every edge of the transition table works, and every pair missing from it raises and changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta

import pytest

from oms.domain import InvalidTransition, Order, OrderStatus
from oms.domain.transitions import TRANSITIONS, Action, Rule
from tests.unit.builders import T0, order_in

AT = T0 + timedelta(minutes=5)

INVOKE: dict[Action, Callable[[Order], object]] = {
    Action.VALIDATE: lambda o: o.validate(at=AT),
    Action.REJECT: lambda o: o.reject("refused", at=AT),
    Action.SUBMIT: lambda o: o.submit("coid-1", at=AT),
    Action.ACKNOWLEDGE: lambda o: o.acknowledge("BRK-1", at=AT),
    Action.FILL: lambda o: o.fill("x-new", "1", "150.10", AT),
    Action.REQUEST_CANCEL: lambda o: o.request_cancel(at=AT),
    Action.REJECT_CANCEL: lambda o: o.reject_cancel("too late", at=AT),
    Action.CANCEL: lambda o: o.cancel("asked", at=AT),
    Action.EXPIRE: lambda o: o.expire(at=AT),
    Action.AMEND: lambda o: o.amend_quantity("4", "not fully funded", at=AT),
    Action.LOSE_TRACK: lambda o: o.lose_track("not found at the broker", at=AT),
}

EDGES = [(a, s) for a, starts in TRANSITIONS.items() for s in starts]
MISSING = [(a, s) for a in Action for s in OrderStatus if s not in TRANSITIONS[a]]


def expected_target(action: Action, before: Order) -> OrderStatus:
    target = TRANSITIONS[action][before.status]
    if isinstance(target, OrderStatus):
        return target
    if target is Rule.SAME:
        return before.status
    if target is Rule.WORKING:
        return OrderStatus.PARTIALLY_FILLED if before.filled_quantity else OrderStatus.SUBMITTED
    left = before.unfilled_quantity - 1  # Rule.AFTER_FILL, for the one-share fill INVOKE books
    if left == 0:
        return OrderStatus.FILLED
    working = (OrderStatus.SUBMITTED, OrderStatus.UNKNOWN)
    return OrderStatus.PARTIALLY_FILLED if before.status in working else before.status


def test_every_action_and_status_is_covered() -> None:
    """The generated cases cover the whole action × status grid."""
    assert len(EDGES) + len(MISSING) == len(Action) * len(OrderStatus)
    assert set(INVOKE) == set(Action)


@pytest.mark.parametrize(("action", "status"), EDGES, ids=[f"{a}-from-{s}" for a, s in EDGES])
def test_edge_in_the_table_moves_the_order(action: Action, status: OrderStatus) -> None:
    """An edge in the table leads where the table says and logs one event from → to."""
    order = order_in(status)
    if action is Action.REJECT and order.filled_quantity:
        pytest.skip("reject needs nothing filled; covered by test_reject_needs_nothing_filled")
    before = copy.deepcopy(order)
    INVOKE[action](order)
    assert order.status is expected_target(action, before)
    assert len(order.events) == len(before.events) + 1
    event = order.events[-1]
    assert (event.from_status, event.to_status, event.at) == (before.status, order.status, AT)


@pytest.mark.parametrize(("action", "status"), MISSING, ids=[f"{a}-from-{s}" for a, s in MISSING])
def test_edge_missing_from_the_table_raises_and_changes_nothing(action: Action, status: OrderStatus) -> None:
    """A step the table does not allow raises InvalidTransition and leaves the order exactly as it was."""
    order = order_in(status)
    before = copy.deepcopy(order)
    with pytest.raises(InvalidTransition):
        INVOKE[action](order)
    assert order == before


@pytest.mark.parametrize("status", [OrderStatus.PARTIALLY_FILLED, OrderStatus.PENDING_CANCEL])
def test_reject_needs_nothing_filled(status: OrderStatus) -> None:
    """A reject is refused once anything is filled, even from a status whose edge exists."""
    order = order_in(OrderStatus.PARTIALLY_FILLED)
    if status is OrderStatus.PENDING_CANCEL:
        order.request_cancel(at=AT)
    before = copy.deepcopy(order)
    with pytest.raises(InvalidTransition):
        order.reject("late reject", at=AT)
    assert order == before
