"""The batch report as one self-contained HTML file: inline CSS and SVG drawn by matplotlib, no script, no fetch."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from html import escape

from oms import text
from oms.reporting import display
from oms.reporting.arrival import VENUE
from oms.reporting.charts import Bar, Pair, Point, bar_chart, expected_vs_realised, fills_over_time, waterfall
from oms.reporting.notes import NOTES, explain, is_warning
from oms.reporting.tca import BPS, OrderTca
from oms.reporting.tca_batch import BatchTca

CSS = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --cost:#c2410c; --gain:#15803d; --warn:#b45309; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: #111827; color: #f9fafb; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 0; color: #9ca3af; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 32px 40px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-bottom: 20px; }
.card { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.card .v.cost { color: var(--cost); } .card .v.gain { color: var(--gain); }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px;
  margin-bottom: 20px; }
section h2 { margin: 0 0 4px; font-size: 16px; }
section p.hint { margin: 0 0 12px; color: var(--muted); font-size: 13px; }
.chart { width: 100%; max-width: 900px; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 6px 6px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12px; background: #f9fafb; white-space: normal;
  vertical-align: bottom; }
th:nth-child(-n+3), td:nth-child(-n+3), td.notes, th.notes { text-align: left; }
small.why { color: var(--muted); }
td.notes { white-space: normal; min-width: 200px; }
td.cost { color: var(--cost); } td.gain { color: var(--gain); }
.badge { display: inline-block; border-radius: 10px; padding: 1px 8px; margin: 1px 2px; font-size: 11px;
  background: #eef2ff; color: #3730a3; }
.badge.warn { background: #fef3c7; color: var(--warn); font-weight: 600; }
.side-buy { color: #1d4ed8; font-weight: 600; } .side-sell { color: #7c3aed; font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; font-size: 13px; margin: 0; }
dt { font-weight: 600; } dd { margin: 0; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; text-align: center; padding-bottom: 24px; }
"""


def render_html(report: BatchTca, *, generated_at: datetime | None = None) -> str:
    """Return the whole report as one HTML document."""
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    title = f"Execution report · batch {report.batch_id or '(none)'}"
    body = "".join(
        (
            _cards(report),
            _slippage_section(report),
            _expected_section(report),
            _breakdown_section(report),
            _timeline_section(report),
            _table_section(report),
            _glossary(report),
        )
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{len(report.orders)} orders · generated {when} · "
        f"{escape(clock_sentence(report))}</p></header>"
        f"<main>{body}</main>"
        "<footer>Costs are positive when they hurt, for buys and sells alike. Figures are rounded for display only."
        "</footer></body></html>"
    )


def clock_sentence(report: BatchTca) -> str:
    """Which clock the batch's times are on, said once at the top of the report."""
    if report.clock == VENUE:
        return "times on the venue's session clock (arrivals and fills alike), shown in New York time"
    return "times on the wall clock (arrivals and the broker's fills alike), shown in New York time"


def _tone(value: Decimal | None) -> str:
    if value is None or value == 0:
        return ""
    return "cost" if value > 0 else "gain"


def _bps(value: Decimal | None) -> str:
    return "–" if value is None else f"{display.bps(value)} bps"


def _cards(report: BatchTca) -> str:
    t = report.totals
    cards = [
        ("Orders", f"{t.filled_orders} / {t.orders} filled", None),
        ("Fill rate", text.percent_points(t.fill_rate * 100 if t.fill_rate is not None else None), None),
        ("Slippage vs arrival", _bps(t.slippage_arrival_bps), t.slippage_arrival_bps),
        ("Slippage vs decision", _bps(t.slippage_decision_bps), t.slippage_decision_bps),
        ("Slippage vs interval VWAP", _bps(t.slippage_vwap_bps), t.slippage_vwap_bps),
        ("Participation", text.percent_points(t.participation_pct, places=2), None),
        ("Expected cost", _bps(t.expected_cost_bps), None),
        ("Shortfall", text.money(t.shortfall.total), t.shortfall.total),
        ("Commission", text.money(t.commission), None),
    ]
    items = "".join(
        f'<div class="card"><div class="k">{escape(k)}</div><div class="v {_tone(tone)}">{escape(v)}</div></div>'
        for k, v, tone in cards
    )
    return f'<div class="cards">{items}</div>'


def _label(row: OrderTca) -> str:
    return f"{row.side.value.upper()} {row.symbol}"


def _slippage_section(report: BatchTca) -> str:
    bars = [Bar(_label(r), r.slippage_arrival_bps, r.expected_cost_bps) for r in report.orders if r.fills]
    if not bars:
        return '<section id="slippage"><h2>Slippage per order</h2><p class="hint">No fills yet.</p></section>'
    chart, hidden = bar_chart(bars, unit="bps")
    more = f" The {hidden} orders between the costliest and the best are in the table below." if hidden else ""
    return (
        '<section id="slippage"><h2>Slippage per order</h2>'
        '<p class="hint">Average fill against the arrival price, in basis points; the dashed tick is the cost the '
        f"guidance expected.{more}</p>{chart}</section>"
    )


def _expected_section(report: BatchTca) -> str:
    pairs = [
        Pair(_label(r), r.expected_cost_bps, r.slippage_arrival_bps)
        for r in report.orders
        if r.expected_cost_bps is not None and r.slippage_arrival_bps is not None
    ]
    if not pairs:
        return ""
    return (
        '<section id="expected"><h2>Realised against expected cost</h2>'
        '<p class="hint">One dot per filled order: the guidance\'s expected cost across, the realised slippage '
        "against arrival up. Dots above the dashed diagonal cost more than expected (red), below it less (green)."
        f"</p>{expected_vs_realised(pairs)}</section>"
    )


def _breakdown_section(report: BatchTca) -> str:
    s = report.totals.shortfall
    steps = [
        ("delay", s.delay),
        ("spread", s.spread),
        ("impact", s.impact),
        ("opportunity", s.opportunity),
        ("commission", s.commission),
    ]
    return (
        '<section id="breakdown"><h2>Cost breakdown</h2>'
        '<p class="hint">Implementation shortfall against the decision prices, in dollars: delay (decision to '
        "arrival), half the spread quoted at arrival, market impact (the rest of the trading cost), opportunity "
        f"(the unfilled part, marked at the end-of-run price) and commissions.</p>{waterfall(steps)}</section>"
    )


def _timeline_section(report: BatchTca) -> str:
    filled = [r for r in report.orders if r.fills and r.arrival_price]
    if not filled:
        return '<section id="timeline"><h2>Fills over time</h2><p class="hint">No fills yet.</p></section>'
    points = [
        Point(f.at, row.side.sign * (f.price - row.arrival_price) / row.arrival_price * BPS, f.quantity)
        for row in filled
        if row.arrival_price
        for f in row.fills
    ]
    start = min(r.arrival_at for r in filled)
    end = max(r.fills[-1].at for r in filled)
    clock = "venue" if report.clock == VENUE else "wall"
    return (
        '<section id="timeline"><h2>Fills over time</h2>'
        '<p class="hint">Each dot is a fill, sized by quantity, placed by how far its price was from its order\'s '
        "arrival price (basis points, positive is a cost). The axis spans the batch's own activity, from the first "
        f"arrival to the last fill.</p>{fills_over_time(points, start, end, clock=clock)}</section>"
    )


COLUMNS = (
    "Symbol",
    "Side",
    "Status",
    "Filled",
    "Fill %",
    "Decision",
    "Arrival",
    "Avg fill",
    "Interval VWAP",
    "Slippage vs arrival, bps",
    "Slippage vs decision, bps",
    "Slippage vs VWAP, bps",
    "Expected cost, bps",
    "Participation",
    "Spread, bps",
    "Shortfall",
    "Time to first fill",
)


def _table_section(report: BatchTca) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS) + '<th class="notes">Reason codes and warnings</th>'
    rows = "".join(_table_row(r) for r in report.orders)
    return (
        '<section id="orders"><h2>Orders</h2>'
        f'<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
        "</section>"
    )


def _table_row(row: OrderTca) -> str:
    shortfall = row.shortfall.total if row.shortfall else None
    cells = [
        f"<td>{escape(row.symbol)}</td>",
        f'<td class="side-{row.side.value}">{row.side.value}</td>',
        _status_cell(row),
        _cell(f"{text.quantity(row.filled_quantity)} / {text.quantity(row.quantity)}"),
        _cell(text.percent_points(row.fill_rate * 100)),
        _cell(display.short_price(row.decision_price)),
        _cell(display.short_price(row.arrival_price)),
        _cell(display.short_price(row.average_fill_price)),
        _cell(display.short_price(row.interval_vwap)),
        _cell(display.bps(row.slippage_arrival_bps), row.slippage_arrival_bps),
        _cell(display.bps(row.slippage_decision_bps), row.slippage_decision_bps),
        _cell(display.bps(row.vs_vwap_bps), row.vs_vwap_bps),
        _cell(display.bps(row.expected_cost_bps)),
        _cell(text.percent_points(row.participation_pct, places=2) if row.participation_pct is not None else None),
        _cell(display.bps(row.spread_bps)),
        _cell(text.money(shortfall) if shortfall is not None else None, shortfall),
        _cell(text.clock_duration(row.time_to_first_fill) if row.time_to_first_fill is not None else None),
    ]
    badges = "".join(
        f'<span class="badge{" warn" if is_warning(n) else ""}" title="{escape(explain(n))}">{escape(n)}</span>'
        for n in row.notes
    )
    return f'<tr data-order="{escape(row.order_id)}">{"".join(cells)}<td class="notes">{badges}</td></tr>'


def _status_cell(row: OrderTca) -> str:
    reason = f'<br><small class="why">{escape(row.status_reason)}</small>' if row.status_reason else ""
    return f"<td>{escape(row.status.value.replace('_', ' '))}{reason}</td>"


def _cell(content: str | None, tone: Decimal | None = None) -> str:
    cls = _tone(tone)
    attr = f' class="{cls}"' if cls else ""
    return f"<td{attr}>{escape(content) if content is not None else '–'}</td>"


def _glossary(report: BatchTca) -> str:
    seen = sorted({n.split(":", 1)[0] for r in report.orders for n in r.notes})
    if not seen:
        return ""
    items = "".join(f"<dt>{escape(code)}</dt><dd>{escape(NOTES.get(code, ''))}</dd>" for code in seen)
    return f'<section id="glossary"><h2>What the codes mean</h2><dl>{items}</dl></section>'
