"""Transaction cost analysis of one order: pure functions on plain inputs, then `order_tca` which applies them.

Sign convention: every cost is positive when it hurt us, for buys and sells alike. A buy that pays more than its
benchmark has a positive slippage; so does a sell that receives less. Nothing here rounds: rounding is for display
(`oms.reporting.display`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from oms.domain import Algo, EventKind, Fill, Order, OrderStatus, Side, Urgency
from oms.domain.market import PricePoint
from oms.reporting.arrival import VENUE, WALL, recorded_arrival

BPS = Decimal(10_000)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class MarketContext:
    """What the order alone does not know: prices and volumes around it. Every field may be missing."""

    arrival_price: Decimal | None = None  # the price when the order was released to the market
    arrival_at: datetime | None = None
    end_price: Decimal | None = None  # the price at the end of the run; marks the unfilled remainder
    adv: Decimal | None = None  # average daily volume, shares
    spread_bps: Decimal | None = None  # the full quoted spread at arrival
    reference: Sequence[PricePoint] = ()
    fees: Decimal = ZERO  # fees not carried on the fills (e.g. typed in from a statement)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Implementation shortfall in dollars against the decision price, split by where the cost arose.

    delay: the move between decision and arrival on what was filled; spread: half the quoted spread paid on what
    was filled; impact: the rest of the fill price's distance from arrival; opportunity: the move from decision to
    the end-of-run price on what was not filled; commission: commissions and fees.
    """

    delay: Decimal
    spread: Decimal
    impact: Decimal
    opportunity: Decimal
    commission: Decimal

    @property
    def total(self) -> Decimal:
        return self.delay + self.spread + self.impact + self.opportunity + self.commission

    def __add__(self, other: Shortfall) -> Shortfall:
        return Shortfall(
            self.delay + other.delay,
            self.spread + other.spread,
            self.impact + other.impact,
            self.opportunity + other.opportunity,
            self.commission + other.commission,
        )


NO_SHORTFALL = Shortfall(ZERO, ZERO, ZERO, ZERO, ZERO)


# ------------------------------------------------------------------ pure metrics
def slippage_bps(side: Side, price: Decimal, benchmark: Decimal) -> Decimal:
    """Return how far `price` is from `benchmark` in basis points, positive when it is a cost for `side`."""
    if benchmark <= 0:
        raise ValueError(f"benchmark price must be positive, got {benchmark}")
    return side.sign * (price - benchmark) / benchmark * BPS


def average_price(fills: Iterable[Fill]) -> Decimal | None:
    """Return the quantity-weighted average price of `fills`, or None when there are none."""
    quantity = notional = ZERO
    for fill in fills:
        quantity += fill.quantity
        notional += fill.quantity * fill.price
    return notional / quantity if quantity else None


def implementation_shortfall(
    side: Side,
    *,
    decision_price: Decimal,
    arrival_price: Decimal,
    filled_quantity: Decimal,
    average_fill_price: Decimal | None,
    unfilled_quantity: Decimal,
    end_price: Decimal,
    commission: Decimal = ZERO,
    spread_bps: Decimal | None = None,
) -> Shortfall:
    """Return the shortfall against a paper trade of the whole quantity at `decision_price`, split into parts."""
    sign = side.sign
    spread = delay = impact = ZERO
    if filled_quantity and average_fill_price is not None:
        delay = sign * filled_quantity * (arrival_price - decision_price)
        trading = sign * filled_quantity * (average_fill_price - arrival_price)
        if spread_bps is not None:
            spread = filled_quantity * arrival_price * spread_bps / 2 / BPS
        impact = trading - spread
    opportunity = sign * unfilled_quantity * (end_price - decision_price)
    return Shortfall(delay, spread, impact, opportunity, commission)


def prices_between(reference: Sequence[PricePoint], start: datetime, end: datetime) -> list[PricePoint]:
    """Return the reference points with `start <= at <= end`."""
    return [point for point in reference if start <= point.at <= end]


def twap(points: Sequence[PricePoint]) -> Decimal | None:
    """Return the mean of the sampled prices (the samples are taken as evenly spaced bars), or None."""
    if not points:
        return None
    return sum((p.price for p in points), ZERO) / len(points)


def vwap(points: Sequence[PricePoint]) -> Decimal | None:
    """Return the volume-weighted average price of `points`, or None when they carry no volume."""
    volume = sum((p.volume for p in points), ZERO)
    if volume <= 0:
        return None
    return sum((p.price * p.volume for p in points), ZERO) / volume


def price_at(reference: Sequence[PricePoint], at: datetime) -> Decimal | None:
    """Return the last reference price observed at or before `at`, or None."""
    seen = [p for p in reference if p.at <= at]
    return max(seen, key=lambda p: p.at).price if seen else None


def submitted_at(order: Order) -> datetime | None:
    """Return when the order was first submitted, from its audit trail."""
    return next((e.at for e in order.events if e.kind is EventKind.SUBMITTED), None)


# ------------------------------------------------------------- one order's TCA
@dataclass(frozen=True, slots=True)
class OrderTca:
    """Every metric of one order. Optional fields are None when their inputs were missing (see `notes`)."""

    order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    filled_quantity: Decimal
    status: OrderStatus
    status_reason: str | None
    algo: Algo | None
    urgency: Urgency
    batch_id: str | None
    created_at: datetime
    arrival_at: datetime
    decision_price: Decimal | None
    arrival_price: Decimal | None
    average_fill_price: Decimal | None
    end_price: Decimal | None
    expected_cost_bps: Decimal | None
    slippage_arrival_bps: Decimal | None
    slippage_decision_bps: Decimal | None
    shortfall: Shortfall | None
    commission: Decimal
    time_to_first_fill: timedelta | None
    time_to_completion: timedelta | None
    participation_pct_adv: Decimal | None
    interval_twap: Decimal | None
    interval_vwap: Decimal | None
    vs_twap_bps: Decimal | None
    vs_vwap_bps: Decimal | None
    fills: tuple[Fill, ...] = ()
    reference: tuple[PricePoint, ...] = ()
    notes: tuple[str, ...] = field(default=())  # reason codes: what was estimated or what looks wrong
    clock: str = WALL  # the clock of arrival_at and the fills: VENUE (the venue's session clock) or WALL
    spread_bps: Decimal | None = None  # the quoted spread at arrival that the breakdown used
    market_volume: Decimal | None = None  # shares the whole market traded between arrival and the last fill
    participation_pct: Decimal | None = None  # our filled quantity / market_volume, in percent

    @property
    def unfilled_quantity(self) -> Decimal:
        return self.quantity - self.filled_quantity

    @property
    def fill_rate(self) -> Decimal:
        return self.filled_quantity / self.quantity

    @property
    def decision_notional(self) -> Decimal | None:
        return None if self.decision_price is None else self.quantity * self.decision_price

    @property
    def shortfall_bps(self) -> Decimal | None:
        """The total shortfall as basis points of the order's value at the decision price."""
        notional = self.decision_notional
        if self.shortfall is None or not notional:
            return None
        return self.shortfall.total / notional * BPS

    @property
    def cost_above_expected_bps(self) -> Decimal | None:
        """Realised slippage against arrival less the guidance's expected cost; positive means worse."""
        if self.slippage_arrival_bps is None or self.expected_cost_bps is None:
            return None
        return self.slippage_arrival_bps - self.expected_cost_bps


def order_tca(
    order: Order,
    context: MarketContext | None = None,
    *,
    children: Sequence[Order] = (),
    warn_above_expected_bps: Decimal = ZERO,
) -> OrderTca:
    """Measure one order. Missing inputs fall back to the next best one and leave a reason code in `notes`.

    An algorithm's parent is measured with its `children`: their fills are its fills (a parent the engine split
    holds them already, as allocations), and it arrives when the first of them (or the parent itself) was
    submitted.
    """
    ctx = context or MarketContext()
    notes: list[str] = []
    family = (order, *children)
    # A parent split by the engine already carries its children's executions as allocations: count them once.
    booked = (order,) if order.is_parent else family
    fills = tuple(sorted((f for member in booked for f in member.fills), key=lambda f: f.at))
    filled = sum((f.quantity for f in fills), ZERO)
    average = average_price(fills)

    recorded = next((r for r in map(recorded_arrival, family) if r is not None), None)
    submissions = [t for t in map(submitted_at, family) if t is not None]
    # One clock: the venue's when the engine read it at arrival (its fills are on it), else the wall clock.
    clock = recorded.clock if recorded and not ctx.arrival_at else WALL
    arrival_at = ctx.arrival_at or (recorded.at if recorded and clock == VENUE else None)
    arrival_at = arrival_at or (min(submissions) if submissions else None) or (recorded.at if recorded else None)
    if arrival_at is None:
        arrival_at = order.created_at
        _note_if(fills, "ARRIVAL_TIME_FROM_CREATION", notes)
    arrival = (
        ctx.arrival_price
        or (recorded.price if recorded else None)
        or _stand_in_arrival(order, ctx, arrival_at, bool(fills), notes)
    )
    spread_bps = ctx.spread_bps if ctx.spread_bps is not None else (recorded.spread_bps if recorded else None)
    commission = sum((f.commission for f in fills), ZERO) + ctx.fees
    decision = order.decision_price
    if decision is None:
        decision = arrival
        notes.append("DECISION_FROM_ARRIVAL" if arrival is not None else "NO_BENCHMARK")
    end = _end_price(ctx, fills, arrival, filled < order.quantity, notes)

    shortfall = None
    if decision is not None and arrival is not None and end is not None:
        shortfall = implementation_shortfall(
            order.side,
            decision_price=decision,
            arrival_price=arrival,
            filled_quantity=filled,
            average_fill_price=average,
            unfilled_quantity=order.quantity - filled,
            end_price=end,
            commission=commission,
            spread_bps=spread_bps,
        )
        if spread_bps is None and filled:
            notes.append("NO_SPREAD")  # no bid and ask were quoted: the whole trading cost is shown as impact

    window_end = fills[-1].at if fills else None
    interval = prices_between(ctx.reference, arrival_at, window_end) if window_end else []
    interval_twap, interval_vwap = twap(interval), vwap(interval)
    market_volume = sum((p.volume for p in interval), ZERO) or None
    if fills and order.algo in (Algo.TWAP, Algo.VWAP, Algo.IS) and interval_twap is None:
        notes.append("NO_REFERENCE_PRICES")
    first_wait = fills[0].at - arrival_at if fills else None
    if first_wait is not None and first_wait < timedelta(0):
        notes.append("FILL_BEFORE_ARRIVAL")  # a fill stamped before the arrival: no duration is shown
        first_wait = None

    _status_notes(order, filled, notes)
    result = OrderTca(
        order_id=order.id,
        symbol=order.symbol,
        side=order.side,
        quantity=order.quantity,
        filled_quantity=filled,
        status=order.status,
        status_reason=order.status_reason,
        algo=order.algo,
        urgency=order.urgency,
        batch_id=order.batch_id,
        created_at=order.created_at,
        arrival_at=arrival_at,
        decision_price=decision,  # the stand-in when the order had none (see DECISION_FROM_ARRIVAL)
        arrival_price=arrival,
        average_fill_price=average,
        end_price=end,
        expected_cost_bps=order.expected_cost_bps,
        slippage_arrival_bps=_slippage(order.side, average, arrival),
        slippage_decision_bps=_slippage(order.side, average, decision),
        shortfall=shortfall,
        commission=commission,
        time_to_first_fill=first_wait,
        time_to_completion=fills[-1].at - arrival_at if first_wait is not None and filled == order.quantity else None,
        participation_pct_adv=filled / ctx.adv * 100 if ctx.adv else None,
        interval_twap=interval_twap,
        interval_vwap=interval_vwap,
        vs_twap_bps=_slippage(order.side, average, interval_twap),
        vs_vwap_bps=_slippage(order.side, average, interval_vwap),
        fills=fills,
        reference=tuple(sorted(ctx.reference, key=lambda p: p.at)),
        notes=tuple(notes),
        clock=clock,
        spread_bps=spread_bps if shortfall is not None else None,
        market_volume=market_volume,
        participation_pct=filled / market_volume * 100 if market_volume and filled else None,
    )
    above = result.cost_above_expected_bps
    if above is not None and above > warn_above_expected_bps:
        return _with_note(result, "COST_ABOVE_EXPECTED")
    return result


def _slippage(side: Side, price: Decimal | None, benchmark: Decimal | None) -> Decimal | None:
    if price is None or benchmark is None or benchmark <= 0:
        return None
    return slippage_bps(side, price, benchmark)


def _stand_in_arrival(
    order: Order, ctx: MarketContext, arrival_at: datetime, filled: bool, notes: list[str]
) -> Decimal | None:
    # A manually worked order may have no recorded arrival: the reference series, then the decision price, stand
    # in. Without fills the arrival price measures nothing, so its stand-in is not worth a note.
    from_reference = price_at(ctx.reference, arrival_at)
    if from_reference is not None:
        _note_if(filled, "ARRIVAL_FROM_REFERENCE", notes)
        return from_reference
    if order.decision_price is not None:
        _note_if(filled, "ARRIVAL_FROM_DECISION", notes)
        return order.decision_price
    return None


def _note_if(condition: object, note: str, notes: list[str]) -> None:
    if condition:
        notes.append(note)


def _end_price(
    ctx: MarketContext, fills: Sequence[Fill], arrival: Decimal | None, has_remainder: bool, notes: list[str]
) -> Decimal | None:
    if ctx.end_price is not None:
        return ctx.end_price
    candidates = (
        max(ctx.reference, key=lambda p: p.at).price if ctx.reference else None,
        fills[-1].price if fills else None,
        arrival,
    )
    fallback = next((price for price in candidates if price is not None), None)
    if has_remainder and fallback is not None:
        notes.append("END_PRICE_ESTIMATED")  # the opportunity cost rests on a stand-in price
    return fallback


def _status_notes(order: Order, filled: Decimal, notes: list[str]) -> None:
    if order.status is OrderStatus.REJECTED:
        notes.append(f"REJECTED:{order.status_reason}" if order.status_reason else "REJECTED")
    elif not filled:
        notes.append("NOT_FILLED")
    elif filled < order.quantity:
        notes.append("PARTIALLY_FILLED")
    if order.status.is_open and order.status is not OrderStatus.NEW:
        notes.append("STILL_WORKING")


def _with_note(result: OrderTca, note: str) -> OrderTca:
    return replace(result, notes=(*result.notes, note))
