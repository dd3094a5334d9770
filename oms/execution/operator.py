"""What a person does to running orders: cancel one, halt everything, resume, reconcile with the broker."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from oms.domain import InvalidTransition, Order, OrderStatus
from oms.execution import controls
from oms.execution.notes import (
    order_fields,
)
from oms.logging import get_logger
from oms.ports import BrokerRejected, BrokerUnavailable

if TYPE_CHECKING:
    from oms.execution.engine import ExecutionEngine

log = get_logger("oms.engine")


async def cancel_order(
    engine: ExecutionEngine, order_ref: str, *, actor: str, reason: str = "cancelled by request"
) -> Order:
    """Cancel one order: locally when the broker has not seen it, else ask the broker (a race is handled)."""
    order = engine.find_order(order_ref)
    if order.is_parent:
        return await cancel_parent(engine, order, actor=actor, reason=reason)
    if order.status in (OrderStatus.NEW, OrderStatus.VALIDATED):
        return engine.update_order(order.id, lambda o: o.cancel(f"{reason} ({actor})", at=engine.clock()))
    if order.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
        order = engine.update_order(order.id, lambda o: o.request_cancel(at=engine.clock()))
    if order.status is not OrderStatus.PENDING_CANCEL:
        raise InvalidTransition(f"order {order.client_order_id} is {order.status}; nothing to cancel")
    try:
        await engine.broker.cancel(order.client_order_id or "", order.broker_order_id)
    except BrokerRejected as exc:
        refusal = exc.reason
        order = engine.update_order(order.id, lambda o: o.reject_cancel(refusal, at=engine.clock()))
    except BrokerUnavailable as exc:
        log.warning("order.cancel_unknown", **order_fields(order), error=str(exc))
    return order


async def cancel_parent(engine: ExecutionEngine, parent: Order, *, actor: str, reason: str) -> Order:
    """Cancel a parent: its waiting children here, its live child at the broker; it settles when they end."""
    if parent.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
        parent = engine.update_order(parent.id, lambda o: o.request_cancel(at=engine.clock()))
    with engine.ledger.reading() as uow:
        kids = uow.orders.children_of([parent.id]).get(parent.id, [])
    for child in kids:
        if child.status is OrderStatus.VALIDATED:
            engine.update_order(child.id, lambda o: o.cancel(f"{reason} ({actor})", at=engine.clock()))
        elif child.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
            await engine.cancel_order(child.id, actor=actor, reason=reason)
    return parent


async def halt(engine: ExecutionEngine, *, actor: str, reason: str) -> list[Order]:
    """The kill switch: refuse new submissions and cancel this OMS's open orders at the broker."""
    with engine.ledger.unit_of_work() as uow:
        controls.set_halt(uow, engine.broker.name, engine.account, active=True, actor=actor, reason=reason)
        uow.commit()
    log.warning("oms.halted", by=actor, reason=reason, broker=engine.broker.name, account=engine.account)
    with engine.ledger.reading() as uow:
        working = [
            o
            for o in uow.orders.open_orders(broker=engine.broker.name)
            if o.status.is_at_broker and o.parent_id is None
        ]
    cancelled = []
    for order in working:
        if order.status is OrderStatus.PENDING_CANCEL:
            continue
        cancelled.append(await engine.cancel_order(order.id, actor=actor, reason=f"halt: {reason}"))
    return cancelled


def resume(engine: ExecutionEngine, *, actor: str) -> None:
    with engine.ledger.unit_of_work() as uow:
        controls.set_halt(uow, engine.broker.name, engine.account, active=False, actor=actor)
        uow.commit()
    log.warning("oms.resumed", by=actor, broker=engine.broker.name, account=engine.account)


async def reconcile(engine: ExecutionEngine, *, lookback: timedelta = timedelta(days=7)) -> Any:
    """Compare the ledger with the broker (the scheduler's periodic job), between cycles, never during one."""
    from oms.execution.reconcile import ReconcileFailed, reconcile

    async with engine._lock:
        try:
            result = await reconcile(engine.ledger, engine.broker, since=engine.clock() - lookback)
        except ReconcileFailed as exc:
            log.warning("reconcile.failed", error=str(exc))
            return None
    for difference in result.differences:
        log.warning("reconcile.difference", **difference.as_dict())
    return result
