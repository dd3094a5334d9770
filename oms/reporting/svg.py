"""Small inline SVG charts for the HTML report, drawn by hand: no JavaScript, no fonts or files from elsewhere.

Coordinates are floats because they are pixels; the values they stand for stay Decimal until this point.
Every chart carries a `<title>` per mark, so hovering shows the exact figure and screen readers can read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

COST = "#c2410c"  # a cost: orange-red
GAIN = "#15803d"  # a gain: green
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#2563eb"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal | None
    marker: Decimal | None = None  # e.g. the expected cost, drawn as a tick across the bar


def _num(value: float) -> str:
    return f"{value:.1f}"


def _text(x: float, y: float, content: str, *, anchor: str = "start", cls: str = "lbl", fill: str = INK) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" class="{cls}" fill="{fill}">{escape(content)}</text>'
    )


def bar_chart(bars: Sequence[Bar], *, unit: str, width: int = 720, row: int = 26, label_width: int = 120) -> str:
    """Draw horizontal bars around a zero line: costs (positive) to the right in red, gains to the left in green."""
    values = [float(b.value) for b in bars if b.value is not None]
    values += [float(b.marker) for b in bars if b.marker is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    left, right = label_width + 10, width - 70
    height = row * len(bars) + 30

    def x(value: float) -> float:
        return left + (value - low) / span * (right - left)

    parts = [f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" aria-label="bars in {unit}">']
    zero = x(0.0)
    parts.append(f'<line x1="{_num(zero)}" y1="4" x2="{_num(zero)}" y2="{height - 22}" stroke="{MUTED}"/>')
    parts.append(_text(zero, height - 6, f"0 {unit}", anchor="middle", cls="axis", fill=MUTED))
    for i, bar in enumerate(bars):
        top = 6 + i * row
        parts.append(_text(label_width, top + row / 2 + 4, bar.label, anchor="end"))
        if bar.value is None:
            parts.append(_text(zero + 6, top + row / 2 + 4, "no fill", cls="axis", fill=MUTED))
            continue
        value = float(bar.value)
        start, end = sorted((zero, x(value)))
        colour = COST if value > 0 else GAIN
        parts.append(
            f'<rect class="bar" x="{_num(start)}" y="{_num(top + 3)}" width="{_num(max(end - start, 1.0))}" '
            f'height="{row - 8}" rx="2" fill="{colour}"><title>{escape(bar.label)}: {bar.value:.2f} {unit}</title>'
            "</rect>"
        )
        anchor, offset = ("start", 5) if value >= 0 else ("end", -5)
        parts.append(_text(x(value) + offset, top + row / 2 + 4, f"{bar.value:.1f}", anchor=anchor, cls="val"))
        if bar.marker is not None:
            mx = x(float(bar.marker))
            parts.append(
                f'<line class="marker" x1="{_num(mx)}" y1="{_num(top)}" x2="{_num(mx)}" y2="{_num(top + row - 2)}" '
                f'stroke="{INK}" stroke-width="2" stroke-dasharray="3 2"><title>expected {bar.marker:.2f} {unit}'
                "</title></line>"
            )
    parts.append("</svg>")
    return "".join(parts)


def waterfall(steps: Sequence[tuple[str, Decimal]], *, width: int = 720, height: int = 230) -> str:
    """Draw each cost as a step from the running total, then the total itself as a full bar."""
    running = [Decimal(0)]
    for _, value in steps:
        running.append(running[-1] + value)
    low, high = float(min(running)), float(max(running))
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0
    top, bottom = 20, height - 40
    slot = (width - 40) / (len(steps) + 1)

    def y(value: float) -> float:
        return bottom - (value - low) / span * (bottom - top)

    parts = [f'<svg class="chart waterfall" viewBox="0 0 {width} {height}" role="img" aria-label="cost breakdown">']
    parts.append(f'<line x1="20" y1="{_num(y(0))}" x2="{width - 20}" y2="{_num(y(0))}" stroke="{MUTED}"/>')
    columns = [(label, running[i], running[i + 1], value) for i, (label, value) in enumerate(steps)]
    columns.append(("total", Decimal(0), running[-1], running[-1]))
    for i, (label, before, after, value) in enumerate(columns):
        x0 = 20 + i * slot + slot * 0.15
        y_top, y_bottom = sorted((y(float(before)), y(float(after))))
        colour = ACCENT if label == "total" else (COST if value > 0 else GAIN)
        parts.append(
            f'<rect class="bar" x="{_num(x0)}" y="{_num(y_top)}" width="{_num(slot * 0.7)}" '
            f'height="{_num(max(y_bottom - y_top, 1.0))}" rx="2" fill="{colour}">'
            f"<title>{escape(label)}: ${value:,.2f}</title></rect>"
        )
        parts.append(_text(x0 + slot * 0.35, y_top - 6, f"${value:,.2f}", anchor="middle", cls="val"))
        parts.append(_text(x0 + slot * 0.35, height - 18, label, anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Mark:
    at: datetime
    price: Decimal
    size: Decimal = Decimal(0)


def timeline(
    prices: Sequence[Mark],
    fills: Sequence[Mark],
    levels: Sequence[tuple[str, Decimal | None]],
    *,
    start: datetime | None = None,
    width: int = 340,
    height: int = 170,
) -> str:
    """Draw the reference price as a line, the fills as dots sized by quantity, and reference levels as dashes."""
    times = [m.at for m in (*prices, *fills)] + ([start] if start else [])
    level_prices = [float(p) for _, p in levels if p is not None]
    values = [float(m.price) for m in (*prices, *fills)] + level_prices
    if not times or not values:
        return ""
    t0, t1 = min(times), max(times)
    if t1 == t0:  # one instant: widen the window so the dot sits mid-chart, not on the frame
        t0, t1 = t0 - timedelta(seconds=30), t1 + timedelta(seconds=30)
    duration = (t1 - t0).total_seconds()
    low, high = min(values), max(values)
    pad = (high - low) * 0.12 or max(abs(high) * 0.001, 0.01)
    low, high = low - pad, high + pad
    left, right, top, bottom = 52, width - 10, 10, height - 24

    def x(at: datetime) -> float:
        return left + (at - t0).total_seconds() / duration * (right - left)

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    parts = [f'<svg class="chart timeline" viewBox="0 0 {width} {height}" role="img" aria-label="fills over time">']
    parts.append(
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" fill="#fafafa" stroke="{GRID}"/>'
    )
    for value in (high - pad, low + pad):
        parts.append(_text(left - 4, y(value) + 4, f"{value:.2f}", anchor="end", cls="axis", fill=MUTED))
    parts.append(_text(left, height - 6, t0.strftime("%H:%M:%S"), cls="axis", fill=MUTED))
    parts.append(_text(right, height - 6, t1.strftime("%H:%M:%S"), anchor="end", cls="axis", fill=MUTED))
    for (name, level), dash in zip(_merge_levels(levels), ("6 3", "2 3", "8 2 2 2"), strict=False):
        ly = y(float(level))
        parts.append(
            f'<line class="level" x1="{left}" y1="{_num(ly)}" x2="{right}" y2="{_num(ly)}" stroke="{MUTED}" '
            f'stroke-dasharray="{dash}"><title>{escape(name)} {level:.4f}</title></line>'
        )
        parts.append(_text(right - 2, ly - 3, name, anchor="end", cls="axis", fill=MUTED))
    if prices:
        points = " ".join(f"{_num(x(m.at))},{_num(y(float(m.price)))}" for m in prices)
        parts.append(f'<polyline class="price" points="{points}" fill="none" stroke="{ACCENT}" stroke-width="1.5"/>')
    biggest = max((float(m.size) for m in fills), default=1.0) or 1.0
    for mark in fills:
        radius = 3 + 5 * (float(mark.size) / biggest) ** 0.5
        parts.append(
            f'<circle class="fill" cx="{_num(x(mark.at))}" cy="{_num(y(float(mark.price)))}" r="{_num(radius)}" '
            f'fill="{COST}" fill-opacity="0.75" stroke="white"><title>{mark.size} @ {mark.price} at '
            f"{mark.at:%H:%M:%S}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _merge_levels(levels: Sequence[tuple[str, Decimal | None]]) -> list[tuple[str, Decimal]]:
    """Drop missing levels and join equal ones ("arrival = decision") so their labels do not overprint."""
    merged: dict[Decimal, list[str]] = {}
    for name, level in levels:
        if level is not None:
            merged.setdefault(level, []).append(name)
    return [(" = ".join(names), level) for level, names in merged.items()]
