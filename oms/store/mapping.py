"""Rows to domain objects and back. The domain never sees a row; the store never invents state."""

from __future__ import annotations

from typing import Any

from oms.domain import Algo, Batch, BatchStatus, Fill, Order, OrderEvent, OrderStatus, OrderType, Side, TimeInForce
from oms.domain.enums import Urgency
from oms.domain.events import EventKind


def order_values(order: Order) -> dict[str, Any]:
    """The mutable and immutable columns of an order row (everything but id, broker, created_at, version)."""
    return {
        "batch_id": order.batch_id,
        "broker": order.broker,
        "client_order_id": order.client_order_id,
        "broker_order_id": order.broker_order_id,
        "parent_id": order.parent_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": order.quantity,
        "order_type": order.order_type.value,
        "time_in_force": order.time_in_force.value,
        "limit_price": order.limit_price,
        "stop_price": order.stop_price,
        "extended_hours": order.extended_hours,
        "wave": order.wave,
        "priority": order.priority,
        "algo": order.algo.value if order.algo else None,
        "urgency": order.urgency.value,
        "decision_price": order.decision_price,
        "expected_cost_bps": order.expected_cost_bps,
        "reason": order.reason,
        "status": order.status.value,
        "status_reason": order.status_reason,
        "filled_quantity": order.filled_quantity,
        "average_fill_price": order.average_fill_price,
    }


def event_values(event: OrderEvent) -> dict[str, Any]:
    return {
        "order_id": event.order_id,
        "sequence": event.sequence,
        "kind": event.kind.value,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value,
        "at": event.at,
        "details": event.details,
    }


def fill_values(order: Order, fill: Fill) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "broker": order.broker,
        "exec_id": fill.exec_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": fill.quantity,
        "price": fill.price,
        "commission": fill.commission,
        "at": fill.at,
        "allocation": order.is_parent,
    }


def order_from_rows(row: Any, events: list[Any], fills: list[Any]) -> Order:
    """Rebuild an Order from its row, its event rows and its fill rows (in booking order)."""
    return Order(
        id=row.id,
        symbol=row.symbol,
        side=Side(row.side),
        quantity=row.quantity,
        order_type=OrderType(row.order_type),
        time_in_force=TimeInForce(row.time_in_force),
        created_at=row.created_at,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        batch_id=row.batch_id,
        broker=row.broker,
        client_order_id=row.client_order_id,
        parent_id=row.parent_id,
        extended_hours=row.extended_hours,
        wave=row.wave,
        priority=row.priority,
        algo=Algo(row.algo) if row.algo else None,
        urgency=Urgency(row.urgency),
        decision_price=row.decision_price,
        expected_cost_bps=row.expected_cost_bps,
        reason=row.reason,
        status=OrderStatus(row.status),
        broker_order_id=row.broker_order_id,
        status_reason=row.status_reason,
        fills=[Fill(f.exec_id, f.quantity, f.price, f.at, f.commission) for f in fills],
        events=[event_from_row(e) for e in events],
        version=row.version,
        stored_event_count=len(events),
    )


def event_from_row(row: Any) -> OrderEvent:
    return OrderEvent(
        order_id=row.order_id,
        sequence=row.sequence,
        kind=EventKind(row.kind),
        from_status=OrderStatus(row.from_status) if row.from_status else None,
        to_status=OrderStatus(row.to_status),
        at=row.at,
        details=dict(row.details or {}),
    )


def batch_values(batch: Batch) -> dict[str, Any]:
    return {
        "source": batch.source,
        "content_hash": batch.content_hash,
        "mode": batch.mode,
        "broker": batch.broker,
        "account": batch.account,
        "supervised": batch.supervised,
        "status": batch.status.value,
        "details": dict(batch.details),
    }


def batch_from_row(row: Any) -> Batch:
    return Batch(
        id=row.id,
        created_at=row.created_at,
        source=row.source,
        content_hash=row.content_hash,
        mode=row.mode,
        broker=row.broker,
        account=row.account,
        supervised=row.supervised,
        status=BatchStatus(row.status),
        details=dict(row.details or {}),
        version=row.version,
    )
