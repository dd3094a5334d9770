"""Working TWAP, VWAP and IS parents through their children on the venue's clock (see `children.py`)."""

from __future__ import annotations

from oms.domain import OrderStatus
from oms.domain.facts import Repriced, record
from oms.execution.algos.children import ALGO_PARENTS, allocate, plan_parent
from oms.execution.cycle.context import CycleContext
from oms.execution.cycle.sender import OrderSender
from oms.logging import get_logger

log = get_logger("oms.engine")


async def work_parents(ctx: CycleContext, sender: OrderSender, *, sending: bool) -> None:
    """Allocate child executions to parents, then send, reprice, replace or settle as each parent needs."""
    with ctx.ledger.reading() as uow:
        candidates = uow.orders.open_orders(broker=ctx.broker.name, algos=[a.value for a in ALGO_PARENTS])
        batches = {b: uow.batches.get(b) for b in {o.batch_id for o in candidates if o.is_parent and o.batch_id}}
        parents = [o for o in candidates if o.is_parent and ctx.works(batches.get(o.batch_id or ""))]
        children = uow.orders.children_of([p.id for p in parents])
    if not parents:
        return
    venue_now = (await ctx.venue.read())[0] if sending else ctx.clock()
    for parent in parents:
        kids = children.get(parent.id, [])
        allocate(parent, kids)
        if not sending:
            if parent.status is OrderStatus.PENDING_CANCEL and all(k.is_terminal for k in kids):
                parent.cancel("cancelled while halted: no child works any more", at=ctx.clock())
            ctx.save_all([parent])
            continue
        quote = ctx.market.quote(parent.symbol)
        step = plan_parent(
            parent,
            kids,
            venue_now=venue_now,
            reference=quote.price if quote else None,
            settings=ctx.algos,
            collar_pct=ctx.settings.reprice_collar_pct,
            now=ctx.clock(),
        )
        for child, limit in step.cancel:
            record(parent, Repriced(child.client_order_id or "", limit), at=ctx.clock())
        if step.settle and parent.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
            parent.request_cancel(at=ctx.clock())
        if step.settle and parent.status is OrderStatus.PENDING_CANCEL:
            if step.settle_expired:
                parent.expire(at=ctx.clock())
            else:
                parent.cancel(step.settle, at=ctx.clock())
        with ctx.ledger.unit_of_work() as uow:
            uow.orders.save(parent)
            uow.orders.add_many(step.replacements)
            uow.commit()
        for child, _ in step.cancel:
            await sender.cancel(child, actor=ctx.actor, reason="reprice: cancel then new")
        for child in [*step.replacements, *step.send]:
            await sender.send(child)
