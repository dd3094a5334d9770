"""Reading the broker: one batched poll per cycle, fills booked by execution id, lost submissions looked up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from oms.domain import Order, OrderStatus
from oms.domain.facts import LookupMiss, Resent, last_submit_or_lookup, lookups_since_resend, record, submitted_at
from oms.execution import repairing
from oms.execution.algos.children import allocate
from oms.execution.booking import BookingResult, apply_report, book_fills
from oms.execution.cycle.context import CycleContext, CycleReport
from oms.execution.cycle.sender import OrderSender
from oms.execution.lookups import AfterNotFound, after_not_found
from oms.execution.order_log import order_fields
from oms.logging import get_logger
from oms.ports import BrokerUnavailable, OrderNotFound

log = get_logger("oms.engine")


async def poll(ctx: CycleContext, report: CycleReport) -> None:
    """Read the broker's order and fill reports (one call each) and book them on the orders sent."""
    with ctx.ledger.reading() as uow:
        batches = uow.batches.open_for_broker(ctx.broker.name)
        tracked = [o for b in batches for o in uow.orders.for_batch(b.id) if o.broker == ctx.broker.name]
        tracked += uow.orders.open_orders(broker=ctx.broker.name, unbatched=True)
    sent = [o for o in tracked if submitted_at(o) is not None]
    report.working = sum(1 for o in sent if o.status.is_at_broker)
    if not sent:
        return
    since = min(t for o in sent if (t := submitted_at(o)) is not None) - timedelta(minutes=5)
    try:
        order_reports = await ctx.broker.order_reports(open_only=False, since=since)
        fill_reports = await ctx.broker.fill_reports(since=since)
    except BrokerUnavailable as exc:
        report.anomalies.append(f"broker reports unavailable: {exc}")
        log.warning("broker.poll_failed", error=str(exc))
        return
    finally:
        report.broker_calls += 2
    by_coid = {o.client_order_id: o for o in sent if o.client_order_id}
    result = BookingResult()
    book_fills(by_coid, repairing.without_covered(by_coid, fill_reports, order_reports), result)
    for unknown in list(result.unknown_fills):
        with ctx.ledger.reading() as uow:
            owner = uow.orders.by_client_order_id(unknown.client_order_id)
        if owner is not None:
            by_coid[unknown.client_order_id] = owner
            result.unknown_fills.remove(unknown)
            book_fills(by_coid, [unknown], result)
    for broker_report in order_reports:
        order = by_coid.get(broker_report.client_order_id)
        if order is not None:
            apply_report(order, broker_report, result)
    await repairing.repair(ctx, by_coid, order_reports, since, result)
    allocate_to_parents(tracked, result)
    ctx.save_all(result.changed.values())
    for order in result.changed.values():
        if order.batch_id:
            ctx.new_fills[order.batch_id] = True
    report.fills_booked += result.fills_booked
    report.duplicate_fills += result.duplicate_fills
    report.anomalies += result.anomalies


def allocate_to_parents(tracked: Sequence[Order], result: BookingResult) -> None:
    """Book the children's new executions on their parents in the same commit, so that a parent's open
    quantity (what risk and funding count as still to buy or sell) never lags behind the venue's cash."""
    parents = {o.id: o for o in tracked if o.is_parent}
    touched = {o.parent_id for o in result.changed.values() if o.parent_id in parents}
    for parent_id in touched:
        parent = parents[str(parent_id)]
        kids = [o for o in tracked if o.parent_id == parent_id]
        if allocate(parent, kids):
            result.changed[parent.id] = parent


async def check_in_flight(ctx: CycleContext, report: CycleReport, sender: OrderSender) -> None:
    """A submitted order the broker never acknowledged is looked up by client order id, never guessed."""
    now = ctx.clock()
    threshold = timedelta(seconds=ctx.settings.in_flight_seconds)
    with ctx.ledger.reading() as uow:
        candidates = [
            o
            for o in uow.orders.open_orders(
                broker=ctx.broker.name, statuses=[OrderStatus.SUBMITTED], unacknowledged=True
            )
            if o.broker_order_id is None
            and not o.is_parent
            and (t := last_submit_or_lookup(o)) is not None
            and now - t >= threshold
        ]
    for order in candidates:
        report.broker_calls += 1
        try:
            found = await ctx.broker.find_order(order.client_order_id or "")
        except BrokerUnavailable as exc:
            log.warning("order.lookup_failed", **order_fields(order), error=str(exc))
            continue
        except OrderNotFound:
            await not_found(ctx, order, report, sender)
            continue
        result = BookingResult()
        apply_report(order, found, result)
        ctx.save_all(result.changed.values())


async def not_found(ctx: CycleContext, order: Order, report: CycleReport, sender: OrderSender) -> None:
    misses = 1 + lookups_since_resend(order)
    record(order, LookupMiss(misses), at=ctx.clock())
    decision = after_not_found(
        misses,
        ctx.settings.lookup_attempts,
        unique_ids=ctx.broker.capabilities.unique_client_order_ids,
        broker=ctx.broker.name,
    )
    if decision.action is AfterNotFound.WAIT:
        ctx.save_all([order])
        return
    if decision.action is AfterNotFound.UNKNOWN:
        order.lose_track(decision.reason, at=ctx.clock())
        ctx.save_all([order])
        log.error("order.outcome_unknown", **order_fields(order), reason=decision.reason)
        report.anomalies.append(f"{order.client_order_id}: {decision.reason}")
        return
    # Definitely not at the broker after several lookups, and the broker refuses a duplicate id: sending it
    # again under the same client order id cannot make two orders.
    record(order, Resent(decision.reason), at=ctx.clock())
    ctx.save_all([order])
    log.warning("order.resent", **order_fields(order), lookups=misses)
    await sender.send(order)
