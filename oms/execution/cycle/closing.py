"""The end of things: unsent DAY orders expire at the close of their session, finished batches are closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oms.domain import BatchStatus, OrderStatus, TimeInForce
from oms.domain.batch import CANCELLED_BY, HALT_CANCELLED
from oms.execution.cycle.context import CycleContext, CycleReport
from oms.logging import get_logger

log = get_logger("oms.engine")


async def expire_unsent(ctx: CycleContext) -> None:
    """DAY orders a batch did not send before the close of its session expire (working ones expire at the venue).

    A batch's session is the one open when it starts executing, or the next one when it starts while the market
    is closed; its close is stored on the batch the first time it is needed.
    """
    with ctx.ledger.reading() as uow:
        executing = uow.batches.open_for_broker(ctx.broker.name, statuses=[BatchStatus.EXECUTING])
        waiting = {
            b.id: [
                o
                for o in uow.orders.for_batch(b.id, statuses=[OrderStatus.VALIDATED])
                if o.time_in_force is TimeInForce.DAY
            ]
            for b in executing
        }
    batches = [b for b in executing if waiting.get(b.id)]
    if not batches:
        return
    venue_now, _ = await ctx.venue.read()
    for batch in batches:
        day_ends = batch.details.get("day_ends")
        if day_ends is None:
            close = await session_close(ctx, venue_now)
            if close is None:
                continue
            ctx.ledger.merge_batch_details(batch.id, {"day_ends": close.isoformat()})
            continue
        if venue_now < datetime.fromisoformat(day_ends):
            continue
        for order in waiting[batch.id]:
            ctx.update_order(order.id, lambda o: o.expire(at=ctx.clock()))


async def session_close(ctx: CycleContext, venue_now: datetime) -> datetime | None:
    """The close of the session open at `venue_now`, else of the next one: the venue's clock, else the calendar."""
    clock = await ctx.broker.clock()
    if clock is not None:
        return clock.next_close
    calendar: Any = ctx.calendar()
    if calendar is None:
        return None
    state = calendar.state(venue_now)
    if state.is_open or state.next_open is None:
        return state.next_close
    return calendar.state(state.next_open).next_close


def finish_batches(ctx: CycleContext, report: CycleReport) -> None:
    with ctx.ledger.reading() as uow:
        done = [
            b.id
            for b in uow.batches.open_for_broker(ctx.broker.name)
            if b.status is not BatchStatus.PLANNED
            and not b.details.get(HALT_CANCELLED)  # `oms resume` decides: send the rest or abandon
            and uow.orders.count_open(b.id) == 0
        ]
    if not done:
        return
    with ctx.ledger.unit_of_work() as uow:
        for batch_id in done:
            batch = uow.batches.get(batch_id)
            if batch is None or not batch.status.is_open or uow.orders.count_open(batch_id):
                continue
            # `oms cancel --batch` ends a batch as cancelled once its last working order has ended.
            batch.status = BatchStatus.CANCELLED if batch.details.get(CANCELLED_BY) else BatchStatus.FINISHED
            uow.batches.save(batch)
            report.finished_batches.append(batch.id)
            log.info("batch.finished", batch_id=batch.id)
        uow.commit()
