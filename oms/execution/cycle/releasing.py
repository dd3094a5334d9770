"""Releasing waves: fund buys from filled proceeds, check each order against the world as it is, send write-ahead."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR

from oms.domain import Batch, BatchStatus, Order, OrderStatus, Side
from oms.domain.facts import ForTheOpen, Held, Note, on_hold, record, was_held_until
from oms.execution.cycle.context import CycleContext, CycleReport
from oms.execution.cycle.sender import OrderSender
from oms.execution.cycle.waves import ReleasePlan, plan_release
from oms.execution.order_log import order_fields
from oms.logging import get_logger

log = get_logger("oms.engine")


async def release(ctx: CycleContext, report: CycleReport, sender: OrderSender) -> None:
    """Release what each executing batch may send now (a batch with nothing waiting costs one count query)."""
    with ctx.ledger.reading() as uow:
        executing = [
            b
            for b in uow.batches.open_for_broker(ctx.broker.name, statuses=[BatchStatus.EXECUTING])
            if ctx.works(b) and uow.orders.count_open(b.id, statuses=[OrderStatus.VALIDATED])
        ]
        work = [(b, uow.orders.for_batch(b.id)) for b in executing]
    for batch, orders in work:
        require_approval = batch.supervised or batch.details.get("auto") == "true"
        plan = plan_release(
            orders,
            now=ctx.clock(),
            require_approval=require_approval,
            supervised=batch.supervised,
            before_open=ctx.broker.capabilities.manual and ctx.settings.tickets_before_open,
        )
        if not plan.orders:
            continue
        if not plan.final and not ctx.new_fills.get(batch.id, True):
            continue  # buys waiting for proceeds: nothing changed since they were last looked at
        ctx.new_fills[batch.id] = False
        await release_wave(ctx, batch, plan, report, sender)


async def release_wave(
    ctx: CycleContext, batch: Batch, plan: ReleasePlan, report: CycleReport, sender: OrderSender
) -> None:
    """Fund the buys from filled proceeds, check every order against the world as it is now, then send."""
    now = ctx.clock()
    if not ctx.broker.capabilities.fractional:
        whole_shares(ctx, plan, now)
    candidates = [o for o in plan.orders if o.side is Side.SELL] if plan.final else []
    funded = await ctx.risk.fund([o for o in plan.orders if o.side is Side.BUY], batch)
    for order, decision in funded:
        if decision.action == "release":
            candidates.append(order)
        elif plan.final and decision.action == "shrink":
            order.amend_quantity(decision.quantity, decision.reason, at=now)
            candidates.append(order)
        elif plan.final:
            order.cancel(f"not funded: {decision.reason}", at=now)
        elif not on_hold(order):
            record(order, Held(decision.reason), at=now)
    verdicts = await ctx.risk.check(candidates, batch, releasing=True)
    to_send: list[Order] = []
    for order in candidates:
        verdict = verdicts[order.id]
        if verdict.blocked and not plan.final:
            # Earlier waves still work: the portfolio is not yet what this order was planned against (a sell
            # still holds the exposure it will remove). Wait for them; the block is final only then.
            if not on_hold(order):
                reason = f"waiting for wave {plan.wave - 1} to finish: {verdict.block_reason}"
                record(order, Held(reason), at=now)
        elif verdict.blocked:
            for result in verdict.problems:
                order.note(Note.RISK, at=now, stage="release", **result)
            order.reject(verdict.block_reason, at=now)
            report.rejected += 1
        elif verdict.hold_until is not None and for_the_open(ctx, order):
            record(order, ForTheOpen(verdict.hold_until), at=now)
            to_send.append(order)
        elif verdict.hold_until is not None:
            if not was_held_until(order, verdict.hold_until):
                record(order, Held(verdict.hold_reason, verdict.hold_until), at=now)
        else:
            to_send.append(order)
    ctx.save_all([o for o in plan.orders if o.stored_event_count != len(o.events)])
    for order in to_send:
        await sender.release(order)
    if to_send:
        log.info("batch.wave_released", batch_id=batch.id, wave=plan.wave, orders=len(to_send), final=plan.final)


def for_the_open(ctx: CycleContext, order: Order) -> bool:
    """Whether an order held for the open goes to the desk now, as a ticket for the open (manual mode only).

    A person enters a DAY order the evening before and the broker queues it for the open; an order the session
    would not take anyway (extended hours) is not one of these. The setting is read each cycle, so changing it
    is honoured for a batch already held.
    """
    return ctx.broker.capabilities.manual and ctx.settings.tickets_before_open and not order.extended_hours


def whole_shares(ctx: CycleContext, plan: ReleasePlan, now: datetime) -> None:
    """A broker that trades whole shares only gets whole shares: round down, saying so; none left, cancel."""
    for order in list(plan.orders):
        whole = order.quantity.to_integral_value(rounding=ROUND_FLOOR)
        if whole == order.quantity:
            continue
        why = f"{ctx.broker.name} trades whole shares only: {order.quantity} rounded down to {whole}"
        if whole > 0:
            order.amend_quantity(whole, why, at=now)
        else:
            order.cancel(why, at=now)
            plan.orders.remove(order)
        log.info("order.amended", **order_fields(order), reason=why)
