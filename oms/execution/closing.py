"""The end of things: unsent DAY orders expire at the close of their session, finished batches are closed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from oms.domain import BatchStatus, OrderStatus, TimeInForce
from oms.execution import controls, parenting
from oms.logging import get_logger
from oms.store import ConcurrencyConflict

if TYPE_CHECKING:
    from oms.execution.engine import CycleReport, ExecutionEngine

log = get_logger("oms.engine")


async def expire_unsent(engine: ExecutionEngine, report: CycleReport) -> None:
    """DAY orders a batch did not send before the close of its session expire (working ones expire at the venue).

    A batch's session is the one open when it starts executing, or the next one when it starts while the market
    is closed; its close is stored on the batch the first time it is needed.
    """
    with engine.ledger.reading() as uow:
        executing = [b for b in uow.batches.list(open_only=True, limit=10_000) if b.status is BatchStatus.EXECUTING]
        waiting = {
            b.id: [
                o
                for o in uow.orders.for_batch(b.id, statuses=[OrderStatus.VALIDATED])
                if o.time_in_force is TimeInForce.DAY
            ]
            for b in executing
            if b.broker == engine.broker.name
        }
    batches = [b for b in executing if waiting.get(b.id)]
    if not batches:
        return
    venue_now, _ = await parenting.venue_time(engine)
    report.broker_calls += 1
    for batch in batches:
        day_ends = batch.details.get("day_ends")
        if day_ends is None:
            close = await session_close(engine, venue_now)
            if close is None:
                continue
            update_batch(engine, batch.id, {"day_ends": close.isoformat()})
            continue
        if venue_now < datetime.fromisoformat(day_ends):
            continue
        for order in waiting[batch.id]:
            engine.update_order(order.id, lambda o: o.expire(at=engine.clock()))


async def session_close(engine: ExecutionEngine, venue_now: datetime) -> datetime | None:
    clock = await engine.broker.clock()
    if clock is not None:
        return clock.next_close
    if engine._calendar is None and engine._calendar_factory is not None:
        engine._calendar = engine._calendar_factory()
    if engine._calendar is None:
        return None
    state = engine._calendar.state(venue_now)
    if state.is_open or state.next_open is None:
        return state.next_close
    return engine._calendar.state(state.next_open).next_close


def update_batch(engine: ExecutionEngine, batch_id: str, details: dict[str, str]) -> None:
    for _ in range(5):
        with engine.ledger.unit_of_work() as uow:
            batch = uow.batches.get(batch_id)
            if batch is None:
                return
            batch.details = {**batch.details, **details}
            try:
                uow.batches.save(batch)
                uow.commit()
            except ConcurrencyConflict:
                continue
            return


def finish_batches(engine: ExecutionEngine, report: CycleReport) -> None:
    with engine.ledger.reading() as uow:
        done = [
            b.id
            for b in uow.batches.list(open_only=True, limit=10_000)
            if b.broker == engine.broker.name
            and b.status is not BatchStatus.PLANNED
            and not b.details.get(controls.HALT_CANCELLED)  # `oms resume` decides: send the rest or abandon
            and uow.orders.count_open(b.id) == 0
        ]
    if not done:
        return
    with engine.ledger.unit_of_work() as uow:
        for batch_id in done:
            batch = uow.batches.get(batch_id)
            if batch is None or not batch.status.is_open or uow.orders.count_open(batch_id):
                continue
            # `oms cancel --batch` ends a batch as cancelled once its last working order has ended.
            batch.status = BatchStatus.CANCELLED if batch.details.get("cancelled_by") else BatchStatus.FINISHED
            uow.batches.save(batch)
            report.finished_batches.append(batch.id)
            log.info("batch.finished", batch_id=batch.id)
        uow.commit()
