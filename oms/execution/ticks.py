"""US equity price increments: 0.01 at or above $1, 0.0001 below (Regulation NMS rule 612)."""

from __future__ import annotations

from decimal import Decimal

from oms.domain.enums import Side
from oms.planning.pricing import round_limit, tick_size

__all__ = ["format_price", "is_on_tick", "round_to_tick", "tick_size"]


def round_to_tick(price: Decimal, side: Side) -> Decimal:
    """Round a limit price to a valid tick, never in the side's disfavour: a buy down, a sell up.

    The one rule lives in `oms.planning.pricing.round_limit` (guidance rounds its limits the same way); this
    refuses a price that is not positive, which a repriced child must never carry.
    """
    if price <= 0:
        raise ValueError(f"a price must be positive, got {price}")
    return round_limit(price, side)


def is_on_tick(price: Decimal) -> bool:
    """Whether `price` is a whole number of ticks."""
    return price > 0 and price % tick_size(price) == 0


def format_price(price: Decimal) -> str:
    """Render a price with the decimals of its tick (12.50, 0.4321), never hiding a finer, off-tick digit."""
    tick = tick_size(price)
    if price % tick == 0:
        return f"{price.quantize(tick):,f}"
    return f"{price.normalize():,f}"
