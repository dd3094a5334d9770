"""The batch and across-batch reports as Rich tables for the terminal."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from oms import text
from oms.reporting import display
from oms.reporting.across import AcrossReport
from oms.reporting.arrival import VENUE
from oms.reporting.notes import is_warning
from oms.reporting.tca_batch import BatchTca, Totals


def _signed(text: str | None, value: Decimal | None) -> Text:
    if text is None or value is None:
        return Text("–", style="dim")
    return Text(text, style="red" if value > 0 else "green" if value < 0 else "")


def _plain(text: str | None) -> str:
    return "–" if text is None else text


def order_table(report: BatchTca) -> Table:
    """One row per order: fills, prices, slippage, shortfall and reason codes."""
    table = Table(title=f"Execution report · batch {report.batch_id}", title_justify="left", header_style="bold")
    for name in ("Symbol", "Side", "Status", "Filled"):
        table.add_column(name, justify="left" if name != "Filled" else "right")
    for name in ("Decision", "Arrival", "Avg fill", "Slip arr bps", "Slip dec bps", "Exp bps", "Shortfall $"):
        table.add_column(name, justify="right")
    table.add_column("Notes", justify="left", overflow="fold")
    for row in report.orders:
        shortfall = row.shortfall.total if row.shortfall else None
        notes = Text()
        for i, note in enumerate(row.notes):
            notes.append((" " if i else "") + note, style="bold yellow" if is_warning(note) else "dim")
        table.add_row(
            row.symbol,
            row.side.value,
            row.status.value,
            f"{display.quantity(row.filled_quantity)}/{display.quantity(row.quantity)}",
            _plain(display.short_price(row.decision_price)),
            _plain(display.short_price(row.arrival_price)),
            _plain(display.short_price(row.average_fill_price)),
            _signed(display.bps(row.slippage_arrival_bps), row.slippage_arrival_bps),
            _signed(display.bps(row.slippage_decision_bps), row.slippage_decision_bps),
            _plain(display.bps(row.expected_cost_bps)),
            _signed(text.money(shortfall) if shortfall is not None else None, shortfall),
            notes,
        )
    return table


def totals_table(value: Totals, title: str = "Totals") -> Table:
    """The batch's headline figures and its shortfall split by cause."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    s = value.shortfall
    rows: list[tuple[str, Text]] = [
        ("orders filled", Text(f"{value.filled_orders} of {value.orders}")),
        ("fill rate", Text(f"{_plain(display.percent(value.fill_rate))} %")),
        (
            "slippage vs arrival",
            _signed(_unit(display.bps(value.slippage_arrival_bps), "bps"), value.slippage_arrival_bps),
        ),
        (
            "slippage vs decision",
            _signed(_unit(display.bps(value.slippage_decision_bps), "bps"), value.slippage_decision_bps),
        ),
        (
            "slippage vs interval VWAP",
            _signed(_unit(display.bps(value.slippage_vwap_bps), "bps"), value.slippage_vwap_bps),
        ),
        ("participation", Text(_plain(_unit(display.bps(value.participation_pct), "%")))),
        ("expected cost", Text(_plain(_unit(display.bps(value.expected_cost_bps), "bps")))),
        ("shortfall: delay", _signed(text.money(s.delay), s.delay)),
        ("           spread", _signed(text.money(s.spread), s.spread)),
        ("           impact", _signed(text.money(s.impact), s.impact)),
        ("           opportunity", _signed(text.money(s.opportunity), s.opportunity)),
        ("           commission", _signed(text.money(s.commission), s.commission)),
        (
            "shortfall total",
            _signed(f"{text.money(s.total)} ({_plain(display.bps(value.shortfall_bps))} bps)", s.total),
        ),
    ]
    for label, shown in rows:
        table.add_row(label, shown)
    return table


def _unit(text: str | None, unit: str) -> str | None:
    return None if text is None else f"{text} {unit}"


def clock_sentence(report: BatchTca) -> str:
    """Which clock the batch's times are on."""
    if report.clock == VENUE:
        return "on the venue's session clock, arrivals and fills alike"
    return "on the wall clock, arrivals and the broker's fills alike"


def print_batch(report: BatchTca, console: Console) -> None:
    """Print the order table and the totals."""
    console.print(order_table(report))
    console.print(totals_table(report.totals))
    console.print(f"Times: {clock_sentence(report)}.", highlight=False, style="dim")


def across_table(report: AcrossReport, dimension: str) -> Table:
    """Realised slippage against the guidance's expectation for each group of one dimension."""
    table = Table(title=f"By {dimension}", title_justify="left", header_style="bold")
    table.add_column(dimension.capitalize())
    for name in (
        "Filled/orders",
        "Filled $",
        "Fill %",
        "Slip arr bps",
        "Expected bps",
        "Above exp bps",
        "Shortfall bps",
    ):
        table.add_column(name, justify="right")
    for group in report.by(dimension):
        t = group.totals
        table.add_row(
            group.key,
            f"{t.filled_orders}/{t.orders}",
            _plain(display.money(t.filled_notional)),
            _plain(display.percent(t.fill_rate)),
            _signed(display.bps(t.slippage_arrival_bps), t.slippage_arrival_bps),
            _plain(display.bps(t.expected_cost_bps)),
            _signed(display.bps(t.cost_above_expected_bps), t.cost_above_expected_bps),
            _signed(display.bps(t.shortfall_bps), t.shortfall_bps),
        )
    return table


def print_across(report: AcrossReport, console: Console) -> None:
    """Print the across-batch groups and the overall totals."""
    since = f" since {report.since:%Y-%m-%d}" if report.since else ""
    count = len(report.batch_ids)
    console.print(f"[bold]Execution quality across {count} batch{'' if count == 1 else 'es'}{since}[/]")
    for dimension in ("algo", "urgency", "symbol"):
        console.print(across_table(report, dimension))
    console.print(totals_table(report.overall, title="All orders"))
