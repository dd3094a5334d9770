"""Random sequences of broker events never break the order's invariants."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from oms.domain import InvalidTransition, Order, OrderStatus, Overfill, replay
from tests.unit.builders import T0

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("fill"), st.integers(0, 7), st.integers(1, 40)),  # exec id index, quantity in quarters
        st.tuples(st.sampled_from(["request_cancel", "reject_cancel", "cancel", "expire", "acknowledge", "reject"])),
    ),
    max_size=25,
)


def apply(order: Order, step: tuple[object, ...], at_offset: int) -> None:
    at = T0 + timedelta(seconds=at_offset)
    name = step[0]
    if name == "fill":
        order.fill(f"x{step[1]}", Decimal(int(step[2])) / 4, "100", at)  # type: ignore[call-overload]
    elif name == "acknowledge":
        order.acknowledge("B-1", at=at)
    elif name == "reject":
        order.reject("no", at=at)
    elif name == "reject_cancel":
        order.reject_cancel("no", at=at)
    else:
        getattr(order, str(name))(at=at)


@settings(max_examples=300, deadline=None)
@given(STEPS, st.integers(1, 40))
def test_random_event_sequences_keep_the_invariants(steps: list[tuple[object, ...]], quarters: int) -> None:
    """Fills are never lost or double-booked, filled + leaves = quantity while working, replay matches."""
    quantity = Decimal(quarters) / 4
    order = Order.create("SPY", "sell", quantity, "market", at=T0)
    order.validate(at=T0)
    order.submit("c-1", at=T0)
    booked: dict[str, Decimal] = {}
    for i, step in enumerate(steps):
        before_status = order.status
        before_events = len(order.events)
        try:
            apply(order, step, i + 1)
        except (InvalidTransition, Overfill):
            assert order.status is before_status
            assert len(order.events) == before_events
            continue
        if step[0] == "fill":
            exec_id = f"x{step[1]}"
            booked.setdefault(exec_id, Decimal(int(step[2])) / 4)  # type: ignore[call-overload]
        assert order.filled_quantity == sum(booked.values(), Decimal(0))
        assert order.filled_quantity <= order.quantity
        if order.is_open:
            assert order.filled_quantity + order.leaves_quantity == order.quantity
        if order.filled_quantity == order.quantity:
            assert order.status in (OrderStatus.FILLED,)
        if order.status is OrderStatus.REJECTED:
            assert order.filled_quantity == 0
    assert {f.exec_id for f in order.fills} == set(booked)
    assert replay(order.events) == order
