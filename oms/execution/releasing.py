"""Releasing waves: fund buys from filled proceeds, check each order against the world as it is, send write-ahead."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR
from typing import TYPE_CHECKING

from oms.domain import Batch, BatchStatus, Order, OrderStatus, Side
from oms.domain.values import decimal_text
from oms.execution import parenting
from oms.execution.children import ALGO_PARENTS
from oms.execution.notes import (
    NOTE_ARRIVAL,
    NOTE_HELD,
    NOTE_RISK,
    held_until_noted,
    on_hold,
    order_fields,
)
from oms.execution.release import ReleasePlan, plan_release
from oms.logging import get_logger
from oms.ports import BrokerRejected, BrokerUnavailable, OrderRequest
from oms.store import ConcurrencyConflict

if TYPE_CHECKING:
    from oms.execution.engine import CycleReport, ExecutionEngine

log = get_logger("oms.engine")


async def release(engine: ExecutionEngine, report: CycleReport) -> None:
    """Release what each executing batch may send now (a batch with nothing waiting costs one count query)."""
    with engine.ledger.reading() as uow:
        executing = [
            b
            for b in uow.batches.list(open_only=True, limit=10_000)
            if b.status is BatchStatus.EXECUTING
            and b.broker == engine.broker.name
            and engine.works(b)
            and uow.orders.count_open(b.id, statuses=[OrderStatus.VALIDATED])
        ]
        work = [(b, uow.orders.for_batch(b.id)) for b in executing]
    for batch, orders in work:
        require_approval = batch.supervised or batch.details.get("auto") == "true"
        plan = plan_release(orders, now=engine.clock(), require_approval=require_approval, supervised=batch.supervised)
        if not plan.orders:
            continue
        if not plan.final and not engine._new_fills.get(batch.id, True):
            continue  # buys waiting for proceeds: nothing changed since they were last looked at
        engine._new_fills[batch.id] = False
        await release_wave(engine, batch, plan, report)


async def release_wave(engine: ExecutionEngine, batch: Batch, plan: ReleasePlan, report: CycleReport) -> None:
    """Fund the buys from filled proceeds, check every order against the world as it is now, then send."""
    now = engine.clock()
    if not engine.broker.capabilities.fractional:
        whole_shares(engine, plan, now)
    candidates = [o for o in plan.orders if o.side is Side.SELL] if plan.final else []
    funded = await engine.risk.fund([o for o in plan.orders if o.side is Side.BUY], batch)
    for order, decision in funded:
        if decision.action == "release":
            candidates.append(order)
        elif plan.final and decision.action == "shrink":
            order.amend_quantity(decision.quantity, decision.reason, at=now)
            candidates.append(order)
        elif plan.final:
            order.cancel(f"not funded: {decision.reason}", at=now)
        elif not on_hold(order):
            order.note(NOTE_HELD, at=now, reason=decision.reason)
    verdicts = await engine.risk.check(candidates, batch, releasing=True)
    to_send: list[Order] = []
    for order in candidates:
        verdict = verdicts[order.id]
        if verdict.blocked and not plan.final:
            # Earlier waves still work: the portfolio is not yet what this order was planned against (a sell
            # still holds the exposure it will remove). Wait for them; the block is final only then.
            if not on_hold(order):
                reason = f"waiting for wave {plan.wave - 1} to finish: {verdict.block_reason}"
                order.note(NOTE_HELD, at=now, reason=reason)
        elif verdict.blocked:
            for result in verdict.problems:
                order.note(NOTE_RISK, at=now, stage="release", **result)
            order.reject(verdict.block_reason, at=now)
            report.rejected += 1
        elif verdict.hold_until is not None:
            if not held_until_noted(order, verdict.hold_until):
                order.note(NOTE_HELD, at=now, until=verdict.hold_until.isoformat(), reason=verdict.hold_reason)
        else:
            to_send.append(order)
    engine.save_all([o for o in plan.orders if o.stored_event_count != len(o.events)])
    for order in to_send:
        if order.algo in ALGO_PARENTS and not engine.broker.capabilities.manual:
            # A person works an algorithm from its ticket ("4 orders of 250 shares, one every 15 minutes").
            await parenting.split(engine, order, report)
        else:
            await send(engine, order, report)
    if to_send:
        log.info("batch.wave_released", batch_id=batch.id, wave=plan.wave, orders=len(to_send), final=plan.final)


def whole_shares(engine: ExecutionEngine, plan: ReleasePlan, now: datetime) -> None:
    """A broker that trades whole shares only gets whole shares: round down, saying so; none left, cancel."""
    for order in list(plan.orders):
        whole = order.quantity.to_integral_value(rounding=ROUND_FLOOR)
        if whole == order.quantity:
            continue
        why = f"{engine.broker.name} trades whole shares only: {order.quantity} rounded down to {whole}"
        if whole > 0:
            order.amend_quantity(whole, why, at=now)
        else:
            order.cancel(why, at=now)
            plan.orders.remove(order)
        log.info("order.amended", **order_fields(order), reason=why)


async def send(engine: ExecutionEngine, order: Order, report: CycleReport) -> None:
    """Write-ahead submit: commit `submitted` and the client order id, then call the broker."""
    if order.status is OrderStatus.VALIDATED:
        quote = engine.market.quote(order.symbol)
        venue_at = engine._venue_now.isoformat() if engine._venue_now else None
        price = decimal_text(quote.price) if quote is not None else None
        order.note(NOTE_ARRIVAL, at=engine.clock(), arrival_price=price, venue_at=venue_at)
        order.submit(order.client_order_id, at=engine.clock())
        try:
            engine.save_all([order])
        except ConcurrencyConflict:
            log.warning("order.conflict", **order_fields(order))
            return
        log.info("broker.submitting", **order_fields(order), account=engine.account)
    request = OrderRequest(
        client_order_id=order.client_order_id or "",
        symbol=order.symbol,
        side=order.side,
        quantity=order.quantity,
        order_type=order.order_type,
        time_in_force=order.time_in_force,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        extended_hours=order.extended_hours,
    )
    report.broker_calls += 1
    try:
        answer = await engine.broker.submit(request)
    except BrokerRejected as exc:
        refusal = f"{exc.code}: {exc.reason}"
        engine.update_order(order.id, lambda o: o.reject(refusal, at=engine.clock()))
        report.rejected += 1
        return
    except BrokerUnavailable as exc:
        # Outcome unknown: the order stays `submitted`; the in-flight check asks the broker by client order id.
        log.warning("order.submit_unknown", **order_fields(order), error=str(exc))
        return
    report.submitted += 1
    if answer.broker_order_id:
        engine.update_order(order.id, lambda o: o.acknowledge(answer.broker_order_id, at=engine.clock()))
