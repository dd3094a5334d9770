"""Manual order tickets: on the terminal (Rich), as Markdown and as a printable HTML page, and written to files.

The Markdown and HTML files are the paper trail of a manual batch: one pair per batch, rewritten (atomically)
each time a wave is released, so the file on disk is always a whole document, never half of one.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from oms.domain.enums import Side
from oms.files import write_atomically
from oms.reporting.ticket_fields import (
    INSTRUCTIONS,
    Ticket,
    enter_after_text,
    for_the_open_text,
    ordered,
    summary_line,
    ticket_rows,
    title,
)
from oms.reporting.ticket_html import render_html

__all__ = ["Ticket", "render_html", "render_markdown", "render_rich", "ticket_file_paths", "write_ticket_files"]

_FILE_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
RECORD_LINE = "Entered at ________  Filled ________ shares at average $________  Broker order id ________"


def render_rich(tickets: list[Ticket], batch_id: str, generated_at: datetime | None = None) -> RenderableType:
    """Return the tickets as a Rich renderable: a heading, then one panel per ticket."""
    parts: list[RenderableType] = [
        Text(title(batch_id), style="bold"),
        Text(summary_line(tickets, generated_at), style="dim"),
    ]
    for ticket in ordered(tickets):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for label, value in ticket_rows(ticket):
            style = "bold magenta" if label == "When" else ""
            grid.add_row(label, Text(value, style=style))
        for warning in ticket.warnings:
            grid.add_row(Text("Warning", style="bold yellow"), Text(warning, style="yellow"))
        colour = "red" if ticket.side is Side.SELL else "green"
        heading = f"Ticket {ticket.number} · wave {ticket.wave} · {ticket.headline}"
        parts.append(Panel(grid, title=Text(heading, style=f"bold {colour}"), title_align="left", expand=False))
    return Group(*parts)


def _md(text: str) -> str:
    """Escape text for a Markdown table cell: pipes would split the cell, newlines would end the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(tickets: list[Ticket], batch_id: str, generated_at: datetime | None = None) -> str:
    """Return the tickets as a Markdown document, one section and one field table per ticket."""
    lines = [f"# {_md(title(batch_id))}", "", summary_line(tickets, generated_at) + ".", "", INSTRUCTIONS, ""]
    for ticket in ordered(tickets):
        lines += [f"## Ticket {ticket.number}: {_md(ticket.headline)} (wave {ticket.wave})", ""]
        for note in (for_the_open_text(ticket), enter_after_text(ticket)):
            if note:
                lines += [f"**{note}.**", ""]
        lines += ["| Field | Value |", "| --- | --- |"]
        lines += [f"| {label} | {_md(value)} |" for label, value in ticket_rows(ticket)]
        lines.append("")
        if ticket.warnings:
            lines += ["Warnings:", ""] + [f"- {_md(warning)}" for warning in ticket.warnings] + [""]
        lines += [f"Record: {RECORD_LINE}", ""]
    return "\n".join(lines)


def ticket_file_paths(directory: Path, batch_id: str) -> tuple[Path, Path]:
    """Return where the Markdown and HTML tickets of `batch_id` go in `directory`."""
    stem = "tickets-" + (_FILE_SAFE.sub("_", batch_id).strip("._") or "batch")
    return directory / f"{stem}.md", directory / f"{stem}.html"


def write_ticket_files(
    tickets: list[Ticket], directory: Path, batch_id: str, generated_at: datetime | None = None
) -> tuple[Path, Path]:
    """Write the Markdown and HTML tickets of a batch, each atomically; return their paths."""
    strangers = sorted({ticket.batch_id for ticket in tickets if ticket.batch_id != batch_id})
    if strangers:
        raise ValueError(f"tickets of batch {batch_id} include tickets of other batches: {', '.join(strangers)}")
    directory.mkdir(parents=True, exist_ok=True)
    md_path, html_path = ticket_file_paths(directory, batch_id)
    write_atomically(md_path, render_markdown(tickets, batch_id, generated_at))
    write_atomically(html_path, render_html(tickets, batch_id, generated_at))
    return md_path, html_path
