"""Rebuild an order from its audit trail alone. Replay of the stored events must give the stored order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from oms.domain.enums import Algo, Urgency
from oms.domain.errors import InvalidTransition
from oms.domain.events import EventKind, OrderEvent
from oms.domain.order import Order
from oms.domain.values import from_text


def replay(events: Sequence[OrderEvent]) -> Order:
    """Return the order that `events` describe, by running each through the state machine again."""
    if not events or events[0].kind is not EventKind.CREATED:
        raise InvalidTransition("an order's history must start with its creation")
    first = events[0]
    d = first.details
    order = Order.create(
        symbol=str(d["symbol"]),
        side=str(d["side"]),
        quantity=str(d["quantity"]),
        order_type=str(d["order_type"]),
        limit_price=d.get("limit_price"),
        stop_price=d.get("stop_price"),
        time_in_force=str(d["time_in_force"]),
        order_id=first.order_id,
        at=first.at,
        batch_id=d.get("batch_id"),
        broker=d.get("broker") or "",
        client_order_id=d.get("client_order_id"),
        parent_id=d.get("parent_id"),
        extended_hours=d.get("extended_hours") == "true",
        wave=int(d.get("wave") or 1),
        priority=int(d.get("priority") or 0),
        algo=Algo(str(d["algo"])) if d.get("algo") else None,
        urgency=Urgency(d.get("urgency") or "normal"),
        decision_price=from_text(d.get("decision_price")),
        expected_cost_bps=from_text(d.get("expected_cost_bps")),
        reason=d.get("reason") or "",
    )
    for event in events[1:]:
        _APPLY[event.kind](order, event)
    if order.events != list(events):
        raise InvalidTransition(f"order {order.id}: the stored events do not replay to themselves")
    return order


def _detail(event: OrderEvent, key: str) -> str:
    value = event.details.get(key)
    if value is None:
        raise InvalidTransition(f"event {event.sequence} of order {event.order_id} lacks {key!r}")
    return value


_APPLY: dict[EventKind, Callable[[Order, OrderEvent], object]] = {
    EventKind.VALIDATED: lambda o, e: o.validate(at=e.at),
    EventKind.REJECTED: lambda o, e: o.reject(_detail(e, "reason"), at=e.at),
    EventKind.SUBMITTED: lambda o, e: o.submit(_detail(e, "client_order_id"), at=e.at),
    EventKind.ACKNOWLEDGED: lambda o, e: o.acknowledge(_detail(e, "broker_order_id"), at=e.at),
    EventKind.FILLED: lambda o, e: o.fill(
        _detail(e, "exec_id"),
        Decimal(_detail(e, "quantity")),
        Decimal(_detail(e, "price")),
        e.at,
        Decimal(e.details.get("commission") or "0"),
    ),
    EventKind.CANCEL_REQUESTED: lambda o, e: o.request_cancel(at=e.at),
    EventKind.CANCEL_REJECTED: lambda o, e: o.reject_cancel(_detail(e, "reason"), at=e.at),
    EventKind.CANCELLED: lambda o, e: o.cancel(e.details.get("reason"), at=e.at),
    EventKind.EXPIRED: lambda o, e: o.expire(at=e.at),
    EventKind.AMENDED: lambda o, e: o.amend_quantity(Decimal(_detail(e, "quantity")), _detail(e, "reason"), at=e.at),
    EventKind.OUTCOME_UNKNOWN: lambda o, e: o.lose_track(_detail(e, "reason"), at=e.at),
    EventKind.NOTED: lambda o, e: o.note(
        _detail(e, "note"), at=e.at, **{k: v for k, v in e.details.items() if k != "note"}
    ),
}
