"""What an order's audit trail says beyond its status: risk notes, approvals, holds, lookups, arrival price.

The engine records these as `noted` events (they change no status); these helpers read them back.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from oms.domain import Order
from oms.domain.events import EventKind
from oms.domain.values import decimal_text

NOTE_RISK = "risk"
NOTE_APPROVED = "approved"
NOTE_NOT_FOUND = "not_found_at_broker"
NOTE_RESENT = "resent"
NOTE_ARRIVAL = "arrival"
NOTE_HELD = "held"


def submitted_at(order: Order) -> datetime | None:
    for event in order.events:
        if event.kind is EventKind.SUBMITTED:
            return event.at
    return None


def last_note_or_submit(order: Order) -> datetime | None:
    for event in reversed(order.events):
        if event.kind is EventKind.SUBMITTED or (
            event.kind is EventKind.NOTED and event.details.get("note") in (NOTE_NOT_FOUND, NOTE_RESENT)
        ):
            return event.at
    return None


def events_since_last(order: Order, note: str) -> list[Any]:
    events = order.events
    for index in range(len(events) - 1, -1, -1):
        if events[index].kind is EventKind.NOTED and events[index].details.get("note") == note:
            return events[index + 1 :]
    return list(events)


def needs_approval(order: Order) -> bool:
    """A risk warning (other than a market-hours hold) needs a person's explicit approval in supervised mode."""
    return any(
        e.kind is EventKind.NOTED
        and e.details.get("note") == NOTE_RISK
        and e.details.get("outcome") == "warn"
        and not e.details.get("hold_until")
        for e in order.events
    )


def has_warning(order: Order) -> bool:
    """Any risk warning, a market-hours hold included: what a person approving a supervised batch must name."""
    return any(
        e.kind is EventKind.NOTED and e.details.get("note") == NOTE_RISK and e.details.get("outcome") == "warn"
        for e in order.events
    )


def needs_naming(order: Order, *, supervised: bool) -> bool:
    """Whether approving the batch leaves this order held until it is named (`--order`) or `--all` is given.

    In a supervised batch every warning counts (README: "orders with warnings need --order ID or --all"); a
    batch that went ahead by itself (`--auto`) was held only for warnings other than a market-hours hold.
    """
    return has_warning(order) if supervised else needs_approval(order)


def is_approved(order: Order) -> bool:
    return any(e.kind is EventKind.NOTED and e.details.get("note") == NOTE_APPROVED for e in order.events)


def held_until_noted(order: Order, until: datetime) -> bool:
    return any(
        e.kind is EventKind.NOTED and e.details.get("note") == NOTE_HELD and e.details.get("until") == until.isoformat()
        for e in order.events
    )


def arrival_price(order: Order) -> Decimal | None:
    for event in order.events:
        price = event.details.get("arrival_price")
        if event.kind is EventKind.NOTED and event.details.get("note") == NOTE_ARRIVAL and price:
            return Decimal(str(price))
    return None


def on_hold(order: Order) -> bool:
    """Whether the order's latest note already says it is held (one hold note per episode, not one per cycle)."""
    for event in reversed(order.events):
        if event.kind is EventKind.NOTED:
            return event.details.get("note") == NOTE_HELD
        return False
    return False


def order_fields(order: Order) -> dict[str, Any]:
    """The fields every order log line carries (batch, ids, symbol, side, quantity, from and to status)."""
    last = order.events[-1] if order.events else None
    return {
        "batch_id": order.batch_id,
        "order_id": order.id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": decimal_text(order.quantity),
        "from_status": last.from_status.value if last and last.from_status else None,
        "to_status": order.status.value,
    }
