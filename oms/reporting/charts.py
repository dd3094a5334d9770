"""The report's charts, drawn by matplotlib's SVG backend and returned as inline `<svg>` text.

No Agg, no pyplot state: each chart is its own `Figure` printed by `FigureCanvasSVG`. Text stays text
(`svg.fonttype = none`) so a browser can select it and a test can measure it. Labels cannot collide by
construction: one row per bar at a fixed height, values in a column of their own, time axes that choose their
own ticks, and point labels placed only where no other label already is.

Every mark a test counts carries an id: `m-<chart>-<kind>-<n>` on one mark's `<g>`, or `m-<chart>-<kind>s` on the
`<g>` of a scatter whose points are its `<use>` elements.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib
from matplotlib import dates as mdates
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from oms import text

COST = "#c2410c"  # a cost: orange-red
GAIN = "#15803d"  # a gain: green
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#2563eb"
NEW_YORK = ZoneInfo("America/New_York")
MAX_LABELS = 30  # point labels tried on the realised-vs-expected chart
MAX_BARS = 40  # beyond this the bar chart shows the costliest and the best half each; the table has every order
WIDTH_IN = 7.2
ROW_IN = 0.24  # one bar per row: two 8-point labels never meet at this pitch
STYLE: Any = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal | None
    marker: Decimal | None = None  # e.g. the expected cost, drawn as a tick across the bar


@dataclass(frozen=True, slots=True)
class Point:
    at: datetime
    value: Decimal
    size: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Pair:
    label: str
    expected: Decimal
    realised: Decimal


def _figure(height_in: float) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, max(height_in, 1.6)), layout="constrained")
    FigureCanvasSVG(figure)
    return figure


def _svg(figure: Figure, chart: str, label: str) -> str:
    """Print `figure` as SVG and make it an inline, responsive `<svg class="chart {chart}">`."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": chart}):
        figure.canvas.print_figure(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(
        r'<svg [^>]*?(viewBox="[^"]*")[^>]*>',
        rf'<svg class="chart {chart}" \1 role="img" aria-label="{label}">',
        svg,
        count=1,
    )
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)


def bar_chart(bars: Sequence[Bar], *, unit: str) -> tuple[str, int]:
    """Horizontal bars around zero, one row per order (costs right in red, gains left in green), values at right.

    Returns the SVG and how many orders were left out (more than `MAX_BARS`: the middle of the ranking).
    """
    shown, hidden = _keep_extremes(list(bars))
    with matplotlib.rc_context(STYLE):
        figure = _figure(ROW_IN * len(shown) + 0.7)
        axes = figure.add_subplot()
        rows = list(range(len(shown)))[::-1]
        for n, (row, bar) in enumerate(zip(rows, shown, strict=True)):
            value = float(bar.value) if bar.value is not None else 0.0
            patch = axes.barh(row, value, height=0.62, color=COST if value > 0 else GAIN)[0]
            patch.set_gid(f"m-bars-bar-{n}")
            if bar.marker is not None:
                (tick,) = axes.plot([float(bar.marker)] * 2, [row - 0.4, row + 0.4], color=INK, lw=1.4, ls=(0, (2, 1)))
                tick.set_gid(f"m-bars-marker-{n}")
        axes.axvline(0, color=MUTED, lw=0.8)
        axes.set_yticks(rows, [b.label for b in shown])
        axes.set_ylim(-0.6, len(shown) - 0.4)
        values = axes.twinx()
        values.set_ylim(axes.get_ylim())
        values.set_yticks(rows, [_value(b.value, unit) for b in shown])
        values.tick_params(length=0)
        values.spines[["top", "right", "left", "bottom"]].set_visible(False)
        axes.set_xlabel(unit)
        axes.grid(axis="x", color=GRID, lw=0.6)
        axes.set_axisbelow(True)
        return _svg(figure, "bars", f"bars in {unit}"), hidden


def waterfall(steps: Sequence[tuple[str, Decimal]]) -> str:
    """Each cost as a step from the running total, then the total; names and amounts sit under the columns."""
    running = [Decimal(0)]
    for _, value in steps:
        running.append(running[-1] + value)
    columns = [(name, running[i], running[i + 1], value) for i, (name, value) in enumerate(steps)]
    columns.append(("total", Decimal(0), running[-1], running[-1]))
    with matplotlib.rc_context(STYLE):
        figure = _figure(2.6)
        axes = figure.add_subplot()
        for n, (name, before, after, value) in enumerate(columns):
            low, high = sorted((float(before), float(after)))
            colour = ACCENT if name == "total" else (COST if value > 0 else GAIN)
            patch = axes.bar(n, max(high - low, 1e-9), bottom=low, width=0.62, color=colour)[0]
            patch.set_gid(f"m-waterfall-bar-{n}")
        axes.axhline(0, color=MUTED, lw=0.8)
        axes.set_xticks(range(len(columns)), [f"{name}\n{text.money(value)}" for name, _, _, value in columns])
        places = 0 if max(abs(float(v)) for v in running) >= 100 else 2
        axes.yaxis.set_major_formatter(lambda y, _: text.money(Decimal(str(float(y))), places=places))
        axes.grid(axis="y", color=GRID, lw=0.6)
        axes.set_axisbelow(True)
        return _svg(figure, "waterfall", "cost breakdown")


def fills_over_time(
    fills: Sequence[Point], start: datetime, end: datetime, *, clock: str, reference: Sequence[Point] = ()
) -> str:
    """Each fill's distance from its order's arrival price (bps) against time, on the batch's own span.

    `start`..`end` is the batch's activity (first arrival to last fill), so the dots spread over the chart instead
    of sitting on one edge; times read in New York.
    """
    if end <= start:
        start, end = start - timedelta(seconds=30), end + timedelta(seconds=30)
    margin = (end - start) * 0.03
    with matplotlib.rc_context(STYLE):
        figure = _figure(2.6)
        axes = figure.add_subplot()
        if reference:
            (line,) = axes.plot(
                [_num(p.at) for p in reference], [float(p.value) for p in reference], color=ACCENT, lw=1.2
            )
            line.set_gid("m-timeline-price-0")
        biggest = max((float(p.size) for p in fills), default=1.0) or 1.0
        dots = axes.scatter(
            [_num(p.at) for p in fills],
            [float(p.value) for p in fills],
            s=[12 + 60 * float(p.size) / biggest for p in fills],
            c=[COST if p.value > 0 else GAIN for p in fills],
            alpha=0.75,
            edgecolors="white",
            linewidths=0.5,
        )
        dots.set_gid("m-timeline-fills")
        axes.axhline(0, color=MUTED, lw=0.8)
        axes.set_xlim(_num(start - margin), _num(end + margin))
        locator = mdates.AutoDateLocator(tz=NEW_YORK, minticks=3, maxticks=7)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=NEW_YORK))
        axes.set_xlabel(f"time in New York, {clock} clock")
        axes.set_ylabel("bps from arrival")
        axes.grid(color=GRID, lw=0.6)
        axes.set_axisbelow(True)
        return _svg(figure, "timeline", "fills over time")


def expected_vs_realised(pairs: Sequence[Pair]) -> str:
    """One dot per filled order: the guidance's expected cost across, the realised cost up; the diagonal is par.

    Above the diagonal cost more than expected. Symbols label the dots where a label fits without touching another.
    """
    with matplotlib.rc_context(STYLE):
        figure = _figure(3.2)
        axes = figure.add_subplot()
        xs = [float(p.expected) for p in pairs]
        ys = [float(p.realised) for p in pairs]
        low, high = min([0.0, *xs, *ys]), max([1.0, *xs, *ys])
        pad = (high - low) * 0.08
        axes.plot([low - pad, high + pad], [low - pad, high + pad], color=MUTED, lw=0.8, ls=(0, (4, 2)))
        colours = [COST if pair.realised > pair.expected else GAIN for pair in pairs]
        axes.scatter(xs, ys, s=22, c=colours, alpha=0.8).set_gid("m-expected-dots")
        axes.set_xlim(low - pad, high + pad)
        axes.set_ylim(low - pad, high + pad)
        axes.set_xlabel("expected cost, bps")
        axes.set_ylabel("realised slippage vs arrival, bps")
        axes.grid(color=GRID, lw=0.6)
        axes.set_axisbelow(True)
        # Labels for the orders furthest from par first; past MAX_LABELS the table names the rest.
        ranked = sorted(pairs, key=lambda p: abs(p.realised - p.expected), reverse=True)[:MAX_LABELS]
        _label_points(figure, axes, ranked)
        return _svg(figure, "expected", "realised against expected cost")


def _label_points(figure: Figure, axes: object, pairs: Sequence[Pair]) -> None:
    """Write each symbol beside its dot at the first of four places that overlaps no label or tick already there."""
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    renderer = figure._get_renderer()  # type: ignore[attr-defined]
    figure.draw_without_rendering()
    taken: list[Bbox] = [
        t.get_window_extent(renderer).expanded(1.05, 1.1)
        for t in (*axes.get_xticklabels(), *axes.get_yticklabels(), axes.xaxis.label, axes.yaxis.label)
        if t.get_text()
    ]
    frame = axes.get_window_extent(renderer)
    for pair in pairs:
        placed: Text | None = None
        for dx, dy, ha, va in (
            (5, 4, "left", "bottom"),
            (-5, 4, "right", "bottom"),
            (5, -4, "left", "top"),
            (-5, -4, "right", "top"),
        ):
            label = axes.annotate(
                pair.label,
                (float(pair.expected), float(pair.realised)),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=7,
                color=INK,
            )
            box = label.get_window_extent(renderer).expanded(1.08, 1.15)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                placed = label
                taken.append(box)
                break
            label.remove()
        if placed is None:
            continue  # no room: the table names it


def _num(at: datetime) -> float:
    return float(mdates.date2num(at))


def _keep_extremes(bars: list[Bar]) -> tuple[list[Bar], int]:
    if len(bars) <= MAX_BARS:
        return bars, 0
    ranked = sorted(bars, key=lambda b: b.value if b.value is not None else Decimal(0), reverse=True)
    half = MAX_BARS // 2
    return ranked[:half] + ranked[-half:], len(bars) - MAX_BARS


def _value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "no fill"
    return f"{value:,.1f} {unit}"
