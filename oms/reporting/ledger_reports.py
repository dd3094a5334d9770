"""Reports from the ledger: measure a batch's orders as stored, keep the results, and look across batches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from oms.domain.values import utcnow
from oms.reporting.across import AcrossReport, across_batches
from oms.reporting.tca import ZERO, MarketContext, OrderTca
from oms.reporting.tca_batch import BarSource, BatchTca, build_report
from oms.reporting.tca_store import TcaResults, is_current
from oms.store import Ledger


class BatchNotFound(LookupError):
    """No batch and no order with that batch id is in the ledger."""

    code = "BATCH_NOT_FOUND"


def report_batch(
    ledger: Ledger,
    batch_id: str,
    contexts: Mapping[str, MarketContext] | None = None,
    *,
    warn_above_expected_bps: Decimal = ZERO,
    now: datetime | None = None,
    bars_for: Callable[[str], BarSource | None] | None = None,
) -> BatchTca:
    """Measure every order of `batch_id` as the ledger holds it, store the results and return the report.

    `bars_for(broker_name)` gives the market data of the broker the batch traded on, when it can tell what the
    market traded while each order worked (the simulator can): the interval VWAP and participation come from it.
    """
    with ledger.unit_of_work() as uow:
        orders = uow.orders.for_batch(batch_id)
        if not orders and uow.batches.get(batch_id) is None:
            raise BatchNotFound(f"batch {batch_id} is not in the ledger")
        broker = next((o.broker for o in orders if o.broker), None)
        bars = bars_for(broker) if bars_for is not None and broker else None
        report = build_report(
            orders, contexts, batch_id=batch_id, warn_above_expected_bps=warn_above_expected_bps, bars=bars
        )
        TcaResults(uow).replace(report.orders, now or utcnow())
        uow.commit()
    return report


def report_since(
    ledger: Ledger, since: datetime, *, warn_above_expected_bps: Decimal = ZERO, now: datetime | None = None
) -> AcrossReport:
    """Look across the batches created since `since`, reusing current stored results and measuring the rest."""
    measured: list[OrderTca] = []
    with ledger.unit_of_work() as uow:
        results = TcaResults(uow)
        changed: list[OrderTca] = []
        for batch_id in results.batch_ids_since(since):
            stored = results.for_batch(batch_id)
            fresh = build_report(uow.orders.for_batch(batch_id), warn_above_expected_bps=warn_above_expected_bps)
            for row in fresh.orders:
                kept = stored.get(row.order_id)
                if kept is not None and is_current(kept, row):
                    measured.append(kept)  # it keeps the marks a person gave when it was measured
                else:
                    changed.append(row)
                    measured.append(row)
        results.replace(changed, now or utcnow())
        uow.commit()
    return across_batches(measured, since=since)
