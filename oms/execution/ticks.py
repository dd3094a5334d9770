"""US equity price increments: 0.01 at or above $1, 0.0001 below (Regulation NMS rule 612)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from oms.domain.enums import Side

CENT = Decimal("0.01")
SUB_PENNY = Decimal("0.0001")
ONE_DOLLAR = Decimal(1)


def tick_size(price: Decimal) -> Decimal:
    """Return the smallest price increment allowed at `price`."""
    return CENT if price >= ONE_DOLLAR else SUB_PENNY


def round_to_tick(price: Decimal, side: Side) -> Decimal:
    """Round a limit price to a valid tick, never in the side's disfavour: a buy down, a sell up.

    A limit is the worst price accepted, so rounding must not make it worse than the one computed.
    """
    if price <= 0:
        raise ValueError(f"a price must be positive, got {price}")
    tick = tick_size(price)
    rounded = (price / tick).to_integral_value(ROUND_FLOOR if side is Side.BUY else ROUND_CEILING) * tick
    # A sub-dollar price rounded up can only land exactly on $1.0000, which is also a whole cent.
    if rounded <= 0:
        rounded = tick
    return rounded.quantize(tick_size(rounded))


def is_on_tick(price: Decimal) -> bool:
    """Whether `price` is a whole number of ticks."""
    return price > 0 and price % tick_size(price) == 0


def format_price(price: Decimal) -> str:
    """Render a price with the decimals of its tick (12.50, 0.4321), never hiding a finer, off-tick digit."""
    tick = tick_size(price)
    if price % tick == 0:
        return f"{price.quantize(tick):,f}"
    return f"{price.normalize():,f}"
