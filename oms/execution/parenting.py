"""Working TWAP, VWAP and IS parents through their children on the venue's clock (see `children.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from oms.domain import Order, OrderStatus
from oms.domain.values import decimal_text
from oms.execution import releasing
from oms.execution.children import ALGO_PARENTS, NOTE_REPRICE, allocate, make_children, plan_parent, schedule_for
from oms.execution.describe import describe
from oms.execution.notes import (
    NOTE_ARRIVAL,
    order_fields,
)
from oms.execution.volume_profile import TradingSession
from oms.logging import get_logger

if TYPE_CHECKING:
    from oms.execution.engine import CycleReport, ExecutionEngine

log = get_logger("oms.engine")


async def venue_time(engine: ExecutionEngine) -> tuple[datetime, TradingSession | None]:
    """The venue's own now (the simulator runs ahead of the wall clock) and the session it is in."""
    clock = await engine.broker.clock()
    if clock is None:
        engine._venue_now = engine.clock()
        return engine._venue_now, None
    engine._venue_now = clock.at
    session = None
    if clock.is_open and clock.next_close is not None:
        opened = min(clock.at, clock.next_close - timedelta(hours=6, minutes=30))
        session = TradingSession(open=opened, close=clock.next_close)
    return clock.at, session


async def split(engine: ExecutionEngine, parent: Order, report: CycleReport) -> None:
    """Turn a released TWAP/VWAP/IS order into its children; a one-slice schedule is sent as it is."""
    venue_now, session = await venue_time(engine)
    report.broker_calls += 1
    schedule = schedule_for(
        parent,
        venue_now=venue_now,
        horizon=timedelta(minutes=engine.settings.algo_horizon_minutes),
        session=session,
        security=engine.market.security(parent.symbol),
        settings=engine.algo_settings,
        broker_fractional=engine.broker.capabilities.fractional,
    )
    if len(schedule.slices) <= 1:
        await releasing.send(engine, parent, report)
        return
    now = engine.clock()
    children = make_children(parent, schedule, now=now)
    quote = engine.market.quote(parent.symbol)
    if quote is not None:  # the parent's arrival is when its first child could go (TCA measures from it)
        parent.note(NOTE_ARRIVAL, at=now, arrival_price=decimal_text(quote.price), venue_at=venue_now.isoformat())
    parent.split(len(children), at=now, plan=describe(schedule), start=schedule.start.isoformat())
    parent.submit(parent.client_order_id, at=now)
    with engine.ledger.unit_of_work() as uow:
        uow.orders.save(parent)
        uow.orders.add_many(children)
        uow.commit()
    log.info("order.split", **order_fields(parent), children=len(children), plan=describe(schedule))


async def work_parents(engine: ExecutionEngine, report: CycleReport, *, sending: bool) -> None:
    """Allocate child executions to parents, then send, reprice, replace or settle as each parent needs."""
    with engine.ledger.reading() as uow:
        candidates = uow.orders.open_orders(broker=engine.broker.name, algos=[a.value for a in ALGO_PARENTS])
        parents = [o for o in candidates if o.is_parent and (engine.scope is None or engine.works(_batch(uow, o)))]
        children = uow.orders.children_of([p.id for p in parents])
    if not parents:
        return
    if sending:
        await venue_time(engine)
        report.broker_calls += 1
    for parent in parents:
        kids = children.get(parent.id, [])
        allocate(parent, kids)
        if not sending:
            if parent.status is OrderStatus.PENDING_CANCEL and all(k.is_terminal for k in kids):
                parent.cancel("cancelled while halted: no child works any more", at=engine.clock())
            engine.save_all([parent])
            continue
        quote = engine.market.quote(parent.symbol)
        step = plan_parent(
            parent,
            kids,
            venue_now=engine._venue_now or engine.clock(),
            reference=quote.price if quote else None,
            settings=engine.algo_settings,
            collar_pct=engine.settings.reprice_collar_pct,
            now=engine.clock(),
        )
        for child, limit in step.cancel:
            parent.note(NOTE_REPRICE, at=engine.clock(), child=child.client_order_id, limit=decimal_text(limit))
        if step.settle and parent.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
            parent.request_cancel(at=engine.clock())
        if step.settle and parent.status is OrderStatus.PENDING_CANCEL:
            if step.settle_expired:
                parent.expire(at=engine.clock())
            else:
                parent.cancel(step.settle, at=engine.clock())
        with engine.ledger.unit_of_work() as uow:
            uow.orders.save(parent)
            uow.orders.add_many(step.replacements)
            uow.commit()
        for child, _ in step.cancel:
            await engine.cancel_order(child.id, actor=engine.actor, reason="reprice: cancel then new")
        for child in [*step.replacements, *step.send]:
            await releasing.send(engine, child, report)


def _batch(uow: Any, order: Order) -> Any:
    return uow.batches.get(order.batch_id) if order.batch_id else None
