"""Closing fill gaps, once per poll: the engine's side of `fill_gaps` (which decides; this module acts)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from oms.domain import Order
from oms.execution import fill_gaps
from oms.execution.booking import BookingResult, book_fills
from oms.execution.order_log import order_fields
from oms.logging import get_logger
from oms.ports import BrokerError, FillReport, FreshFills, OrderReport

if TYPE_CHECKING:
    from oms.execution.cycle.context import CycleContext

log = get_logger("oms.engine")
NOTE_DERIVED_FILL = "derived_fill"


def without_covered(
    by_coid: dict[str, Order], fills: Sequence[FillReport], reports: Sequence[OrderReport]
) -> list[FillReport]:
    """The broker's executions, less those a derived fill already stands for."""
    keep, covered = fill_gaps.covered_by_derived(by_coid, fills, reports)
    for fill in covered:
        log.info("fill.covered_by_derived", client_order_id=fill.client_order_id, exec_id=fill.exec_id)
    return keep


async def repair(
    ctx: CycleContext,
    by_coid: dict[str, Order],
    reports: Sequence[OrderReport],
    since: datetime,
    result: BookingResult,
) -> None:
    """Track gaps between reported and booked quantities; read afresh, then derive, as `fill_gaps` decides."""
    now = ctx.clock()
    grace = timedelta(seconds=ctx.settings.fill_gap_seconds)
    gaps = fill_gaps.track(by_coid, reports, ctx.fill_gaps, now)
    fresh = fill_gaps.needing_fresh_read(gaps, now, grace)
    if fresh:
        for coid in fresh:
            gaps[coid] = dataclasses.replace(gaps[coid], fresh_read=True)
        if isinstance(ctx.broker, FreshFills):
            try:
                found = await ctx.broker.fresh_fill_reports(since=since)
            except BrokerError as exc:
                log.warning("fill_gap.fresh_read_failed", orders=len(fresh), error=str(exc))
            else:
                book_fills(by_coid, [f for f in found if f.client_order_id in fresh], result)
    by_report = {r.client_order_id: r for r in reports}
    for coid in fill_gaps.needing_derived_fill(gaps, now, grace):
        order, report = by_coid[coid], by_report[coid]
        derived = fill_gaps.derive(order, report, now)
        if derived is None:
            result.anomalies.append(f"{coid}: {report.filled_quantity} filled at the broker, no price to book it")
            continue
        order.fill(derived.exec_id, derived.quantity, derived.price, derived.at)
        order.note(NOTE_DERIVED_FILL, at=now, exec_id=derived.exec_id, reason="executions missing at the broker")
        result.changed[order.id] = order
        result.fills_booked += 1
        log.warning("fill.derived", **order_fields(order), exec_id=derived.exec_id, price=str(derived.price))
    tracked = fill_gaps.track(by_coid, reports, gaps, now)
    ctx.fill_gaps.clear()  # the engine's memory between cycles, updated in place
    ctx.fill_gaps.update(tracked)
