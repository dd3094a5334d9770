"""Tick rounding and the expected cost of an order, in basis points.

Ticks follow the US equity rule (Reg NMS 612): prices at or above $1 trade in cents, below $1 in 0.0001.
Limit prices round *away from aggressive*: a buy rounds down and a sell rounds up, so the rounded limit never
pays more (or receives less) than the price guidance computed. A price that would round to zero takes one tick.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from oms.domain.enums import Side
from oms.domain.market import Security

CENT = Decimal("0.01")
SUB_PENNY = Decimal("0.0001")
ONE_DOLLAR = Decimal(1)
BPS = Decimal(10_000)


def tick_size(price: Decimal) -> Decimal:
    """Return the price increment allowed at this price: 0.01 at or above $1, 0.0001 below."""
    return CENT if price >= ONE_DOLLAR else SUB_PENNY


def round_limit(price: Decimal, side: Side) -> Decimal:
    """Round a limit price to its tick, never more aggressively than computed (buys down, sells up)."""
    if side is Side.BUY:
        rounded = price.quantize(tick_size(price), rounding=ROUND_FLOOR)
        return rounded if rounded > 0 else SUB_PENNY
    rounded = price.quantize(tick_size(price), rounding=ROUND_CEILING)
    # A sub-dollar sell that rounds up to exactly $1.0000 is a valid cent price; normalise its exponent.
    return rounded.quantize(CENT) if rounded >= ONE_DOLLAR else rounded


def expected_cost_bps(security: Security | None, quantity: Decimal, coefficient: Decimal) -> Decimal | None:
    """Estimate the cost of trading `quantity` against the reference price, in bps; None when not knowable.

    cost = spread_bps / 2 + coefficient * (daily_volatility * 10_000) * sqrt(quantity / ADV)

    The half spread is paid to cross the quote; the square-root term is the market impact that the
    empirical "square-root law" attributes to taking `quantity / ADV` of a day's volume.
    """
    if security is None:
        return None
    participation = quantity / security.adv
    impact = coefficient * security.daily_volatility * BPS * participation.sqrt()
    return (security.spread_bps / 2 + impact).quantize(CENT, rounding=ROUND_HALF_UP)
