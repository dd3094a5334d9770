"""What the dashboard reads from the ledger: batches with who acts next, one batch in full, and new events.

Read-only. Every number leaves here as text (decimals exact), every time as aware UTC ISO 8601; the pages show
times in America/New_York.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from oms.domain import Batch, BatchStatus, Order, OrderStatus
from oms.domain.events import EventKind
from oms.domain.facts import Note, is_approved, needs_approval
from oms.domain.values import decimal_text
from oms.execution import controls
from oms.planning.funding import plan_funding
from oms.store import Ledger, UnitOfWork
from oms.store.tables import ControlRow, FillRow, OrderEventRow

EVENTS = OrderEventRow.__table__  # type: ignore[attr-defined]
FILLS = FillRow.__table__  # type: ignore[attr-defined]
CONTROLS = ControlRow.__table__  # type: ignore[attr-defined]


def halts(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every kill switch that is on: which account, who turned it on, when and why."""
    rows = uow.connection.execute(select(CONTROLS).where(CONTROLS.c.key.like("halt:%")))
    return [
        {
            "key": row.key,
            "by": row.updated_by,
            "at": row.updated_at.isoformat(),
            "reason": str(row.value.get("reason", "")),
        }
        for row in rows
        if row.value.get("active")
    ]


def waiting_for(batch: Batch, orders: list[Order], halted: bool) -> str:
    """Who must act next on a batch, in words a supervisor reads at a glance."""
    if not batch.status.is_open:
        return "nobody: the batch is done"
    if batch.status is BatchStatus.PLANNED:
        return "the OMS: pre-trade checks run at the next `oms run` or daemon cycle"
    if batch.status is BatchStatus.AWAITING_APPROVAL:
        return "an operator: approve the batch"
    if halted:
        return "an operator: the kill switch is on; resume to send"
    if any(_awaits_person(o) for o in orders):
        return "an operator: approve the orders with warnings"
    working = sum(1 for o in orders if o.status.is_at_broker and not o.is_parent)
    if working and batch.broker == "manual":
        return f"the desk: {working} tickets to work and fill"
    if working:
        return f"the broker: {working} orders working"
    return "the daemon: the next wave goes out on its next cycle"


def _awaits_person(order: Order) -> bool:
    return order.status is OrderStatus.VALIDATED and needs_approval(order) and not is_approved(order)


def batch_list(ledger: Ledger, *, limit: int = 50) -> dict[str, Any]:
    with ledger.reading() as uow:
        batches = uow.batches.list(limit=limit)
        active = halts(uow)
        entries = []
        for batch in sorted(batches, key=lambda b: b.created_at, reverse=True):
            orders = uow.orders.for_batch(batch.id)
            entries.append(_batch_summary(batch, orders, _halted(active, batch)))
    return {"halts": active, "batches": entries}


def _halted(active: list[dict[str, Any]], batch: Batch) -> bool:
    return any(h["key"] == controls.halt_key(batch.broker, batch.account) for h in active)


def _batch_summary(batch: Batch, orders: list[Order], halted: bool) -> dict[str, Any]:
    tops = [o for o in orders if o.parent_id is None]
    counts = Counter(o.status.value for o in tops)
    return {
        "id": batch.id,
        "status": batch.status.value,
        "created_at": batch.created_at.isoformat(),
        "mode": batch.mode,
        "broker": batch.broker,
        "account": batch.account,
        "supervised": batch.supervised,
        "source": batch.source,
        "orders": len(tops),
        "filled": counts.get("filled", 0),
        "counts": dict(sorted(counts.items())),
        "waiting_for": waiting_for(batch, orders, halted),
    }


def batch_detail(ledger: Ledger, batch_id: str) -> dict[str, Any] | None:
    """One batch: waves of orders, fills, funding, risk findings and the audit trail; None if there is none."""
    with ledger.reading() as uow:
        batch = uow.batches.get(batch_id)
        if batch is None:
            return None
        orders = uow.orders.for_batch(batch.id)
        active = halts(uow)
        ids = [o.id for o in orders]
        fills = list(
            uow.connection.execute(select(FILLS).where(FILLS.c.order_id.in_(ids)).order_by(FILLS.c.at, FILLS.c.id))
        )
        audit = controls.audit_entries(uow, subject=batch.id, limit=200)
    halted = _halted(active, batch)
    from oms.cli.views import BatchView

    view = BatchView.of(batch, orders)
    waves: dict[int, list[dict[str, Any]]] = {}
    for order in orders:
        waves.setdefault(order.wave, []).append(order_entry(order, view))
    return {
        **_batch_summary(batch, orders, halted),
        "halted": halted,
        "waves": [{"wave": n, "orders": waves[n]} for n in sorted(waves)],
        "fills": [_fill_entry(row, orders) for row in fills if not row.allocation],
        "funding": funding(orders),
        "risk": risk_findings(orders),
        "audit": sorted([*map(_audit_entry, audit), *_order_trail(orders)], key=lambda e: e["at"]),
        "awaiting_approval": [o.id for o in orders if _awaits_person(o)],
    }


def order_entry(order: Order, view: Any = None) -> dict[str, Any]:
    from oms.cli.views import waiting_reason

    return {
        "id": order.id,
        "client_order_id": order.client_order_id,
        "parent_id": order.parent_id,
        "wave": order.wave,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": decimal_text(order.quantity),
        "limit_price": decimal_text(order.limit_price),
        "status": order.status.value,
        "filled_quantity": decimal_text(order.filled_quantity),
        "average_fill_price": decimal_text(order.average_fill_price),
        "why": order.status_reason or waiting_reason(order, view) or "",
        "needs_approval": _awaits_person(order),
        "approved": is_approved(order),
        "cancellable": order.is_open,
    }


def _fill_entry(row: Any, orders: list[Order]) -> dict[str, Any]:
    symbol = next((o.client_order_id for o in orders if o.id == row.order_id), row.order_id)
    return {
        "order_id": row.order_id,
        "order": symbol,
        "symbol": row.symbol,
        "side": row.side,
        "quantity": decimal_text(row.quantity),
        "price": decimal_text(row.price),
        "commission": decimal_text(row.commission),
        "at": row.at.isoformat(),
    }


def funding(orders: list[Order]) -> dict[str, Any]:
    """Which sells pay for which buys (from the orders' values), and what the engine decided on each buy."""
    tops = sorted((o for o in orders if o.parent_id is None), key=lambda o: (o.wave, o.priority, o.id))

    def value(order: Order) -> Decimal:
        price = order.limit_price or order.decision_price or Decimal(0)
        return order.quantity * price

    sells = [(o.symbol, value(o)) for o in tops if o.side.value == "sell"]
    buys = [(o.symbol, value(o)) for o in tops if o.side.value == "buy"]
    plan = plan_funding(sells, buys, None, Decimal(0))
    decisions = []
    for order in tops:
        for event in order.events:
            note = event.details.get("note")
            if note == Note.HELD and not event.details.get("until"):
                decisions.append(_decision(order, event, "held", event.details.get("reason") or ""))
            elif event.kind is EventKind.AMENDED:
                decisions.append(_decision(order, event, "shrunk", event.details.get("reason") or ""))
            elif event.kind is EventKind.CANCELLED and "not funded" in (event.details.get("reason") or ""):
                decisions.append(_decision(order, event, "cancelled", event.details.get("reason") or ""))
    return {"links": plan.to_json(), "decisions": decisions}


def _decision(order: Order, event: Any, action: str, reason: str) -> dict[str, Any]:
    return {
        "order": order.client_order_id,
        "symbol": order.symbol,
        "action": action,
        "reason": reason,
        "at": event.at.isoformat(),
    }


def risk_findings(orders: list[Order]) -> list[dict[str, Any]]:
    """Every warning and block the pre-trade checks wrote, with its reason code and sentence."""
    found = []
    for order in orders:
        for event in order.events:
            if event.details.get("note") != Note.RISK:
                continue
            found.append(
                {
                    "order": order.client_order_id,
                    "symbol": order.symbol,
                    "outcome": event.details.get("outcome") or "",
                    "code": event.details.get("code") or "",
                    "message": event.details.get("message") or "",
                    "stage": event.details.get("stage") or "pre-trade",
                }
            )
    return found


def _audit_entry(row: Any) -> dict[str, Any]:
    return {"at": row.at.isoformat(), "who": row.actor, "what": row.action, "details": dict(row.details or {})}


def _order_trail(orders: list[Order]) -> list[dict[str, Any]]:
    trail = []
    for order in orders:
        for event in order.events:
            if event.kind is EventKind.NOTED and event.details.get("note") == Note.APPROVED:
                what = f"approved by {event.details.get('by')}"
            elif event.kind is EventKind.NOTED:
                continue
            else:
                before = event.from_status.value if event.from_status else "-"
                what = f"{event.kind.value}: {before} -> {event.to_status.value}"
            trail.append(
                {
                    "at": event.at.isoformat(),
                    "who": order.client_order_id or order.id,
                    "what": what,
                    "details": {k: v for k, v in event.details.items() if v is not None},
                }
            )
    return sorted(trail, key=lambda e: e["at"])


def events_after(ledger: Ledger, last_id: int, *, limit: int = 500) -> list[dict[str, Any]]:
    """Order events newer than `last_id` (the SSE feed), oldest first."""
    with ledger.reading() as uow:
        rows = uow.connection.execute(select(EVENTS).where(EVENTS.c.id > last_id).order_by(EVENTS.c.id).limit(limit))
        return [
            {
                "id": row.id,
                "order_id": row.order_id,
                "kind": row.kind,
                "to_status": row.to_status,
                "at": row.at.isoformat(),
            }
            for row in rows
        ]


def last_event_id(ledger: Ledger) -> int:
    from sqlalchemy import func

    with ledger.reading() as uow:
        return int(uow.connection.execute(select(func.coalesce(func.max(EVENTS.c.id), 0))).scalar_one())


def halt_signature(ledger: Ledger) -> str:
    """Changes whenever a kill switch changes, so the feed can tell pages to redraw their banner."""
    with ledger.reading() as uow:
        return "|".join(sorted(f"{h['key']}@{h['at']}" for h in halts(uow))) or "off"
