"""TCA of a batch: every order measured, then totals weighted by value so a big order counts for more."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from oms.domain import Order
from oms.reporting.arrival import VENUE, WALL
from oms.reporting.tca import BPS, NO_SHORTFALL, ZERO, MarketContext, OrderTca, PricePoint, Shortfall, order_tca


@dataclass(frozen=True, slots=True)
class Totals:
    """A group of measured orders summed up. Basis points are weighted by value, never averaged per order."""

    orders: int
    filled_orders: int
    decision_notional: Decimal  # what the group set out to trade, at decision prices
    filled_notional: Decimal  # what it traded, at fill prices
    fill_rate: Decimal | None  # share of decision notional filled
    slippage_arrival_bps: Decimal | None
    slippage_decision_bps: Decimal | None
    expected_cost_bps: Decimal | None  # the guidance's expectation, weighted like the realised slippage
    shortfall: Shortfall
    commission: Decimal
    slippage_vwap_bps: Decimal | None = None  # against each order's interval VWAP, weighted by filled value
    participation_pct: Decimal | None = None  # our filled shares / the market's shares while our orders worked

    @property
    def shortfall_bps(self) -> Decimal | None:
        return self.shortfall.total / self.decision_notional * BPS if self.decision_notional else None

    @property
    def cost_above_expected_bps(self) -> Decimal | None:
        if self.slippage_arrival_bps is None or self.expected_cost_bps is None:
            return None
        return self.slippage_arrival_bps - self.expected_cost_bps


@dataclass(frozen=True, slots=True)
class BatchTca:
    """A batch's report: its orders' metrics and their totals."""

    batch_id: str
    orders: tuple[OrderTca, ...]
    totals: Totals

    @property
    def clock(self) -> str:
        """The clock of the batch's times: VENUE when any order's arrival was read on the venue's clock."""
        return VENUE if any(row.clock == VENUE for row in self.orders) else WALL


class BarSource(Protocol):
    """Market data that can say what the market traded between two times (the simulator; bars from a broker)."""

    def bars(self, symbol: str, start: datetime, end: datetime) -> Sequence[PricePoint]: ...


def totals(measured: Iterable[OrderTca]) -> Totals:
    """Sum a group of measured orders (one batch, or one algorithm across batches)."""
    rows = list(measured)
    decision_notional = filled_notional = ZERO
    arrival_cost = arrival_base = decision_cost = decision_base = ZERO
    expected_cost = expected_base = ZERO
    filled_at_decision = vwap_cost = vwap_base = ours = market = ZERO
    shortfall = NO_SHORTFALL
    for row in rows:
        if row.decision_price is not None:
            decision_notional += row.quantity * row.decision_price
            filled_at_decision += row.filled_quantity * row.decision_price
        if row.average_fill_price is None:
            if row.shortfall is not None:
                shortfall += row.shortfall
            continue
        filled_notional += row.filled_quantity * row.average_fill_price
        if row.arrival_price is not None and row.slippage_arrival_bps is not None:
            base = row.filled_quantity * row.arrival_price
            arrival_cost += row.slippage_arrival_bps * base
            arrival_base += base
            if row.expected_cost_bps is not None:
                expected_cost += row.expected_cost_bps * base
                expected_base += base
        if row.decision_price is not None and row.slippage_decision_bps is not None:
            base = row.filled_quantity * row.decision_price
            decision_cost += row.slippage_decision_bps * base
            decision_base += base
        if row.shortfall is not None:
            shortfall += row.shortfall
        if row.vs_vwap_bps is not None and row.interval_vwap is not None:
            base = row.filled_quantity * row.interval_vwap
            vwap_cost += row.vs_vwap_bps * base
            vwap_base += base
        if row.market_volume:
            ours += row.filled_quantity
            market += row.market_volume
    return Totals(
        orders=len(rows),
        filled_orders=sum(1 for r in rows if r.filled_quantity),
        decision_notional=decision_notional,
        filled_notional=filled_notional,
        fill_rate=filled_at_decision / decision_notional if decision_notional else None,
        slippage_arrival_bps=arrival_cost / arrival_base if arrival_base else None,
        slippage_decision_bps=decision_cost / decision_base if decision_base else None,
        expected_cost_bps=expected_cost / expected_base if expected_base else None,
        shortfall=shortfall,
        commission=sum((r.commission for r in rows), ZERO),
        slippage_vwap_bps=vwap_cost / vwap_base if vwap_base else None,
        participation_pct=ours / market * 100 if market else None,
    )


def build_report(
    orders: Sequence[Order],
    contexts: Mapping[str, MarketContext] | None = None,
    *,
    batch_id: str | None = None,
    warn_above_expected_bps: Decimal = ZERO,
    bars: BarSource | None = None,
) -> BatchTca:
    """Measure `orders` (one batch). `contexts` maps an order id, or failing that a symbol, to its market context.

    `bars` (a broker's market data) gives the market's prices and volumes while each order worked, where no context
    brought a reference series: the interval VWAP and our participation come from them.

    A child order whose parent is among `orders` is measured as part of its parent, so an algorithm's work shows
    as one row and its quantity is counted once.
    """
    contexts = contexts or {}
    margin = warn_above_expected_bps
    ids = {order.id for order in orders}
    children: dict[str, list[Order]] = defaultdict(list)
    for order in orders:
        if order.parent_id in ids:
            children[str(order.parent_id)].append(order)
    measured = []
    for order in orders:
        if order.parent_id in ids:
            continue
        context = contexts.get(order.id) or contexts.get(order.symbol)
        row = order_tca(order, context, children=children.get(order.id, ()), warn_above_expected_bps=margin)
        if bars is not None and row.fills and not (context and context.reference):
            # The market's bars while the order worked, on the clock its arrival and fills are on: measure again.
            series = tuple(bars.bars(order.symbol, row.arrival_at, row.fills[-1].at))
            if series:
                context = replace(context or MarketContext(), reference=series)
                row = order_tca(order, context, children=children.get(order.id, ()), warn_above_expected_bps=margin)
        measured.append(row)
    found = batch_id or next((o.batch_id for o in orders if o.batch_id), None) or ""
    return BatchTca(batch_id=found, orders=tuple(measured), totals=totals(measured))
