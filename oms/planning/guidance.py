"""Per-order guidance: order type, limit price, time in force, urgency, algorithm and expected cost.

A careful trader's defaults, with every threshold in `[guidance]`:
- a limit order (not a market order) for leveraged funds, volatile names and wide spreads;
- a limit price from the reference price, crossing half the spread plus a buffer that grows with urgency
  (low urgency rests at the reference price), rounded to the tick without becoming more aggressive;
- an algorithm from `AlgoSelector`, with the reason for the choice.
A recommendation's own order type, limit price, time in force and urgency always win; guidance fills the gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms.domain.enums import Algo, OrderType, Side, TimeInForce, Urgency
from oms.domain.market import Security
from oms.planning.intake import TradeRecommendation
from oms.planning.pricing import BPS, expected_cost_bps, round_limit
from oms.planning.settings import GuidanceSettings
from oms.text import percent as pct


@dataclass(frozen=True, slots=True)
class Guidance:
    """What guidance decided for one order and why."""

    order_type: OrderType
    limit_price: Decimal | None
    time_in_force: TimeInForce
    urgency: Urgency
    algo: Algo
    algo_reason: str
    expected_cost_bps: Decimal | None
    reason: str  # why this order type and limit price


class AlgoSelector:
    """Choose an execution algorithm from order value, share of ADV, urgency and volatility.

    1. Small in value and in share of ADV: one order (`market` or `limit`, matching the order type).
    2. Otherwise, urgent or volatile: `is` (implementation shortfall trades early to cut timing risk).
    3. Otherwise, a large share of ADV: `vwap` (follows the day's volume so its footprint stays proportional).
    4. Otherwise: `twap` (even slices over time).
    """

    def __init__(self, settings: GuidanceSettings) -> None:
        self.settings = settings

    def choose(
        self,
        *,
        order_type: OrderType,
        value: Decimal,
        pct_adv: Decimal | None,
        urgency: Urgency,
        daily_volatility: Decimal | None,
    ) -> tuple[Algo, str]:
        """Return the algorithm and one sentence saying why."""
        s = self.settings
        adv_text = "ADV unknown" if pct_adv is None else f"{pct(pct_adv)} of ADV"
        small_value = value <= s.single_order_max_value
        small_share = pct_adv is None or pct_adv <= s.single_order_max_pct_adv
        if small_value and small_share:
            algo = Algo.MARKET if order_type is OrderType.MARKET else Algo.LIMIT
            return algo, (
                f"one {algo.value} order: ${value:,.0f} and {adv_text} are within the single-order limits "
                f"(${s.single_order_max_value:,.0f}, {pct(s.single_order_max_pct_adv)} of ADV)"
            )
        size = f"${value:,.0f} and {adv_text}"
        if urgency is Urgency.HIGH:
            return Algo.IS, f"is: {size} at high urgency; implementation shortfall trades early to cut timing risk"
        if daily_volatility is not None and daily_volatility >= s.is_min_daily_volatility:
            return Algo.IS, (
                f"is: {size}, volatile ({pct(daily_volatility)} a day, threshold "
                f"{pct(s.is_min_daily_volatility)}); implementation shortfall trades early to cut timing risk"
            )
        if pct_adv is not None and pct_adv >= s.vwap_min_pct_adv:
            return Algo.VWAP, (
                f"vwap: {size} (threshold {pct(s.vwap_min_pct_adv)}); following the volume curve keeps the "
                "footprint proportional to the market"
            )
        return Algo.TWAP, f"twap: {size}, too large for one order but a small share of the day; even slices"


class Guide:
    """Guidance for many orders at once: remembers the decisions that repeat for a security.

    Order type and limit price depend only on the security, the side, the urgency and the row's own overrides,
    so a plan of 100,000 orders over a few hundred symbols works each out once. Algorithm and cost depend on
    the quantity and are decided per order.
    """

    def __init__(self, settings: GuidanceSettings) -> None:
        self.settings = settings
        self.selector = AlgoSelector(settings)
        self._types: dict[tuple[object, ...], tuple[OrderType, str]] = {}
        self._limits: dict[tuple[object, ...], tuple[Decimal, str]] = {}

    def __call__(self, recommendation: TradeRecommendation, security: Security | None) -> Guidance:
        """Decide order type, limit, time in force, urgency, algorithm and expected cost for one recommendation."""
        settings = self.settings
        urgency = recommendation.urgency or settings.default_urgency
        type_key = (
            recommendation.symbol,
            recommendation.order_type,
            recommendation.limit_price is None,
            recommendation.leveraged,
        )
        decided = self._types.get(type_key)
        if decided is None:
            decided = self._types[type_key] = _order_type(recommendation, security, settings)
        order_type, reason = decided
        limit_price: Decimal | None = None
        if order_type is OrderType.LIMIT:
            limit_key = (
                recommendation.symbol,
                recommendation.side,
                urgency,
                recommendation.reference_price,
                recommendation.limit_price,
            )
            limit = self._limits.get(limit_key)
            if limit is None:
                limit = self._limits[limit_key] = _limit_price(recommendation, security, urgency, settings)
            limit_price = limit[0]
            reason = f"{reason}; {limit[1]}"
        algo, algo_reason = self.selector.choose(
            order_type=order_type,
            value=recommendation.notional,
            pct_adv=recommendation.shares / security.adv if security is not None else None,
            urgency=urgency,
            daily_volatility=security.daily_volatility if security is not None else None,
        )
        return Guidance(
            order_type=order_type,
            limit_price=limit_price,
            time_in_force=recommendation.time_in_force or settings.time_in_force,
            urgency=urgency,
            algo=algo,
            algo_reason=algo_reason,
            expected_cost_bps=expected_cost_bps(security, recommendation.shares, settings.impact_coefficient),
            reason=reason,
        )


def guide(recommendation: TradeRecommendation, security: Security | None, settings: GuidanceSettings) -> Guidance:
    """Decide order type, limit, time in force, urgency, algorithm and expected cost for one recommendation."""
    return Guide(settings)(recommendation, security)


def _order_type(
    recommendation: TradeRecommendation, security: Security | None, settings: GuidanceSettings
) -> tuple[OrderType, str]:
    if recommendation.order_type is not None:
        return recommendation.order_type, f"{recommendation.order_type.value} as requested"
    if recommendation.limit_price is not None:
        return OrderType.LIMIT, "limit: the recommendation gives a limit price"
    if security is None:
        return OrderType.LIMIT, "limit: not in the security master, so its spread and volatility are unknown"
    if security.leveraged or recommendation.leveraged:
        return OrderType.LIMIT, f"limit: leveraged fund ({security.leverage_factor}x) moves fast"
    if security.daily_volatility >= settings.limit_min_daily_volatility:
        return OrderType.LIMIT, (
            f"limit: volatile ({pct(security.daily_volatility)} a day, threshold "
            f"{pct(settings.limit_min_daily_volatility)})"
        )
    if security.spread_bps >= settings.limit_min_spread_bps:
        return OrderType.LIMIT, (
            f"limit: wide spread ({security.spread_bps} bps, threshold {settings.limit_min_spread_bps} bps)"
        )
    return OrderType.MARKET, (
        f"market: liquid (spread {security.spread_bps} bps, {pct(security.daily_volatility)} a day)"
    )


def _limit_price(
    recommendation: TradeRecommendation, security: Security | None, urgency: Urgency, settings: GuidanceSettings
) -> tuple[Decimal, str]:
    side = recommendation.side
    if recommendation.limit_price is not None:
        rounded = round_limit(recommendation.limit_price, side)
        if rounded == recommendation.limit_price:
            return rounded, f"limit {rounded} as requested"
        return rounded, f"limit {recommendation.limit_price} as requested, rounded to the tick: {rounded}"
    reference = recommendation.reference_price
    half_spread = security.spread_bps / 2 if security is not None else Decimal(0)
    if urgency is Urgency.LOW:
        offset = Decimal(0)
        how = "low urgency rests at the reference price"
    else:
        buffer = settings.limit_buffer_bps_high if urgency is Urgency.HIGH else settings.limit_buffer_bps_normal
        offset = half_spread + buffer
        how = f"{urgency.value} urgency crosses half the spread plus {buffer} bps"
    direction = 1 if side is Side.BUY else -1
    raw = reference * (1 + direction * offset / BPS)
    limit = round_limit(raw, side)
    return limit, f"limit {limit} from reference {reference}: {how} ({offset.normalize():f} bps)"
