"""TCA results in the ledger: each order's latest measurement, written and read inside the store's unit of work.

A result is replaced whenever its order is measured again. It is current while the order's status and filled
quantity are what they were when it was measured; the across-batch report reuses current results (they keep the
marks a person gave at the time) and measures the rest afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select

from oms.domain import Algo, OrderStatus, Side, Urgency
from oms.reporting.tca import OrderTca, Shortfall
from oms.store import UnitOfWork
from oms.store.tables import BatchRow, TcaResultRow

RESULTS = TcaResultRow.__table__  # type: ignore[attr-defined]
BATCHES = BatchRow.__table__  # type: ignore[attr-defined]
_CHUNK = 500


def _seconds(value: timedelta | None) -> Decimal | None:
    return None if value is None else Decimal(str(value.total_seconds()))


def _duration(value: Decimal | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=float(value))


def result_values(row: OrderTca, computed_at: datetime) -> dict[str, Any]:
    """The columns of one stored result."""
    s = row.shortfall
    return {
        "order_id": row.order_id,
        "batch_id": row.batch_id,
        "computed_at": computed_at,
        "symbol": row.symbol,
        "side": row.side.value,
        "status": row.status.value,
        "status_reason": row.status_reason,
        "algo": row.algo.value if row.algo else None,
        "urgency": row.urgency.value,
        "order_created_at": row.created_at,
        "arrival_at": row.arrival_at,
        "quantity": row.quantity,
        "filled_quantity": row.filled_quantity,
        "decision_price": row.decision_price,
        "arrival_price": row.arrival_price,
        "average_fill_price": row.average_fill_price,
        "end_price": row.end_price,
        "expected_cost_bps": row.expected_cost_bps,
        "slippage_arrival_bps": row.slippage_arrival_bps,
        "slippage_decision_bps": row.slippage_decision_bps,
        "shortfall_delay": s.delay if s else None,
        "shortfall_spread": s.spread if s else None,
        "shortfall_impact": s.impact if s else None,
        "shortfall_opportunity": s.opportunity if s else None,
        "commission": row.commission,
        "time_to_first_fill_s": _seconds(row.time_to_first_fill),
        "time_to_completion_s": _seconds(row.time_to_completion),
        "participation_pct_adv": row.participation_pct_adv,
        "interval_twap": row.interval_twap,
        "interval_vwap": row.interval_vwap,
        "vs_twap_bps": row.vs_twap_bps,
        "vs_vwap_bps": row.vs_vwap_bps,
        "notes": list(row.notes),
        "clock": row.clock,
        "spread_bps": row.spread_bps,
        "market_volume": row.market_volume,
        "participation_pct": row.participation_pct,
    }


def result_from_row(r: Any) -> OrderTca:
    """Rebuild a measured order from its stored result (without fills or reference prices, which are not kept)."""
    shortfall = None
    if r.shortfall_delay is not None:
        shortfall = Shortfall(
            r.shortfall_delay, r.shortfall_spread, r.shortfall_impact, r.shortfall_opportunity, r.commission
        )
    return OrderTca(
        order_id=r.order_id,
        symbol=r.symbol,
        side=Side(r.side),
        quantity=r.quantity,
        filled_quantity=r.filled_quantity,
        status=OrderStatus(r.status),
        status_reason=r.status_reason,
        algo=Algo(r.algo) if r.algo else None,
        urgency=Urgency(r.urgency),
        batch_id=r.batch_id,
        created_at=r.order_created_at,
        arrival_at=r.arrival_at,
        decision_price=r.decision_price,
        arrival_price=r.arrival_price,
        average_fill_price=r.average_fill_price,
        end_price=r.end_price,
        expected_cost_bps=r.expected_cost_bps,
        slippage_arrival_bps=r.slippage_arrival_bps,
        slippage_decision_bps=r.slippage_decision_bps,
        shortfall=shortfall,
        commission=r.commission,
        time_to_first_fill=_duration(r.time_to_first_fill_s),
        time_to_completion=_duration(r.time_to_completion_s),
        participation_pct_adv=r.participation_pct_adv,
        interval_twap=r.interval_twap,
        interval_vwap=r.interval_vwap,
        vs_twap_bps=r.vs_twap_bps,
        vs_vwap_bps=r.vs_vwap_bps,
        notes=tuple(r.notes or ()),
        clock=r.clock,
        spread_bps=r.spread_bps,
        market_volume=r.market_volume,
        participation_pct=r.participation_pct,
    )


def is_current(stored: OrderTca, fresh: OrderTca) -> bool:
    """Whether a stored result still describes its order, as `fresh` measures it now (same fills, same status)."""
    return stored.status is fresh.status and stored.filled_quantity == fresh.filled_quantity


class TcaResults:
    """Stored TCA results, used inside a unit of work: `TcaResults(uow).replace(rows, at)` then `uow.commit()`."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def replace(self, measured: Sequence[OrderTca], computed_at: datetime) -> None:
        """Store `measured`, replacing any earlier result for the same orders."""
        if not measured:
            return
        ids = [row.order_id for row in measured]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            self._uow.connection.execute(delete(RESULTS).where(RESULTS.c.order_id.in_(chunk)))
        self._uow.connection.execute(insert(RESULTS), [result_values(row, computed_at) for row in measured])

    def for_batch(self, batch_id: str) -> dict[str, OrderTca]:
        """Return the stored results of a batch, keyed by order id."""
        rows = self._uow.connection.execute(select(RESULTS).where(RESULTS.c.batch_id == batch_id))
        return {row.order_id: result_from_row(row) for row in rows}

    def batch_ids_since(self, since: datetime) -> list[str]:
        """Return the ids of the batches created at or after `since`, oldest first."""
        query = select(BATCHES.c.id).where(BATCHES.c.created_at >= since).order_by(BATCHES.c.created_at, BATCHES.c.id)
        return list(self._uow.connection.execute(query).scalars())
