"""How numbers read to a person: money, quantities, percentages and durations, formatted in one place.

Halves round away from zero (ROUND_HALF_UP), the way people round by hand; a minus sign goes before the currency
sign (-$197.52, never $-197.52). Values stay Decimal until they become text here.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DASH = "–"


def money(value: Decimal | None, *, places: int = 2) -> str:
    """$1,234.50, -$197.52; a dash for an unknown amount."""
    if value is None:
        return DASH
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.{places}f}"


def quantity(value: Decimal | None) -> str:
    """Shares as exact as they are, with thousands separators: 1,250, 0.5, 73.5687; a dash when unknown."""
    if value is None:
        return DASH
    text = f"{value.normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal | None, *, places: int = 1) -> str:
    """A value already in percent: 12.5%, -0.3%; a dash when unknown."""
    if value is None:
        return DASH
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{rounded + 0:,.{places}f}%"  # + 0 turns -0.0 into 0.0


def duration(value: timedelta | None) -> str:
    """0:04:10 under a day, 2d 3:00:00 beyond; never negative (a negative span is a dash, it measures nothing)."""
    if value is None or value < timedelta(0):
        return DASH
    total = int(value.total_seconds())
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{days}d {clock}" if days else clock
