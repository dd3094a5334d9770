"""What a person does to running orders: cancel one, halt everything, resume, reconcile with the broker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from oms.domain import Order, OrderStatus
from oms.execution import controls
from oms.execution.cycle.context import CycleContext
from oms.execution.cycle.sender import OrderSender
from oms.logging import get_logger

log = get_logger("oms.engine")


async def halt(ctx: CycleContext, sender: OrderSender, *, actor: str, reason: str) -> list[Order]:
    """The kill switch: refuse new submissions and cancel this OMS's open orders at the broker."""
    with ctx.ledger.unit_of_work() as uow:
        controls.set_halt(uow, ctx.broker.name, ctx.account, active=True, actor=actor, reason=reason)
        uow.commit()
    log.warning("oms.halted", by=actor, reason=reason, broker=ctx.broker.name, account=ctx.account)
    with ctx.ledger.reading() as uow:
        working = [
            o for o in uow.orders.open_orders(broker=ctx.broker.name) if o.status.is_at_broker and o.parent_id is None
        ]
    cancelled = []
    for order in working:
        if order.status is OrderStatus.PENDING_CANCEL:
            continue
        cancelled.append(await sender.cancel(order, actor=actor, reason=f"halt: {reason}"))
    return cancelled


def resume(ctx: CycleContext, *, actor: str) -> None:
    with ctx.ledger.unit_of_work() as uow:
        controls.set_halt(uow, ctx.broker.name, ctx.account, active=False, actor=actor)
        uow.commit()
    log.warning("oms.resumed", by=actor, broker=ctx.broker.name, account=ctx.account)


async def reconcile(ctx: CycleContext, *, lookback: timedelta = timedelta(days=7)) -> Any:
    """Compare the ledger with the broker (the engine calls this between cycles, never during one)."""
    from oms.execution.reconcile import ReconcileFailed, reconcile

    try:
        result = await reconcile(ctx.ledger, ctx.broker, since=ctx.clock() - lookback)
    except ReconcileFailed as exc:
        log.warning("reconcile.failed", error=str(exc))
        return None
    for difference in result.differences:
        log.warning("reconcile.difference", **difference.as_dict())
    return result
