"""How the OMS writes numbers for people: money, quantities, percentages and durations, one way everywhere.

Money rounds half up to the cent ($1,234.125 is $1,234.13 in a check message, on a ticket and in a report alike);
a negative amount puts its sign before the dollar sign (-$197.52). Quantities are exact, with thousands separators
and no trailing zeros. Machine formats (JSON fields, CSV cells) are not this module's business.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DASH = "–"
SMALLEST_PERCENT = Decimal("0.0001")  # below this a positive fraction reads "<0.01%", never "0.00%"


def money(value: Decimal | None, *, places: int = 2) -> str:
    """Return dollars rounded half up: "$1,234.13", "-$197.52" (never "$-197.52"); a dash for an unknown amount."""
    if value is None:
        return DASH
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.{places}f}"


def quantity(value: Decimal | None) -> str:
    """Return a quantity exactly, with thousands separators and no trailing zeros: "1,000", "12.5", "0"."""
    if value is None:
        return DASH
    if value == 0:
        return "0"
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return f"{normal:,.0f}"
    return f"{normal:,f}"


def shares(value: Decimal) -> str:
    """Return "1 share" or "1,000 shares"."""
    return f"{quantity(value)} share{'' if value == 1 else 's'}"


def percent(fraction: Decimal) -> str:
    """Return a fraction as a percentage to two places, rounded half up: 0.25345 -> "25.35%"; tiny -> "<0.01%"."""
    if 0 < fraction < SMALLEST_PERCENT:
        return "<0.01%"
    return f"{(fraction * 100).quantize(CENT, ROUND_HALF_UP):,.2f}%"


def percent_points(value: Decimal | None, *, places: int = 1) -> str:
    """Return a value already in percent: "12.5%", "-0.3%" (a rounded -0 reads "0.0%"); a dash when unknown."""
    if value is None:
        return DASH
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{rounded + 0:,.{places}f}%"


def duration(span: timedelta) -> str:
    """Return a span in words: "15 minutes", "1 hour 30 minutes", "12 minutes 30 seconds"."""
    total = int(span.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    words = [
        f"{value} {unit}{'' if value == 1 else 's'}"
        for value, unit in ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if value
    ]
    return " ".join(words) or "0 seconds"


def clock_duration(span: timedelta | None) -> str:
    """Return a span for a table column: "0:04:10", "1d 2:00:00" beyond a day; a dash when unknown or negative
    (a negative span measures nothing: two clocks were mixed)."""
    if span is None or span < timedelta(0):
        return DASH
    days, rest = divmod(int(span.total_seconds()), 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{days}d {clock}" if days else clock
