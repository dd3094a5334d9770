"""Manual order tickets as one self-contained HTML page: inline CSS, no scripts, nothing fetched, printable."""

from __future__ import annotations

from datetime import datetime
from html import escape

from oms.domain.enums import Side
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

_STYLE = """
  :root { color-scheme: light; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 2rem auto;
         max-width: 52rem; padding: 0 1rem; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; }
  .summary { color: #555; margin-top: 0; }
  .instructions { background: #f4f6f8; border-left: 4px solid #889; padding: .5rem .75rem; }
  .ticket { border: 1px solid #bbb; border-radius: 6px; margin: 1.25rem 0; padding: .75rem 1rem;
            break-inside: avoid; page-break-inside: avoid; }
  .ticket h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
  .ticket.sell h2 .side { color: #b00020; }
  .ticket.buy h2 .side { color: #0a7a2f; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
  th { width: 11rem; font-weight: 600; }
  td.mono, .coid { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
  .when { font-weight: 700; color: #6a1b9a; margin: .25rem 0 .5rem; }
  .warnings { margin: .5rem 0 0; padding-left: 1.25rem; color: #8a5300; }
  .record { margin-top: .75rem; color: #333; font-size: .92rem; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    .instructions { background: none; }
  }
"""

_MONO = {"Client order id", "Quantity", "Limit price", "Reference price"}
_MONO_CLASS = ' class="mono"'


def render_html(tickets: list[Ticket], batch_id: str, generated_at: datetime | None = None) -> str:
    """Return the tickets as a complete HTML document; every value is escaped."""
    heading = escape(title(batch_id))
    body = [
        f"<h1>{heading}</h1>",
        f'<p class="summary">{escape(summary_line(tickets, generated_at))}.</p>',
        f'<p class="instructions">{escape(INSTRUCTIONS)}</p>',
    ]
    for ticket in ordered(tickets):
        body.append(_ticket_section(ticket))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{heading}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _ticket_section(ticket: Ticket) -> str:
    side = "sell" if ticket.side is Side.SELL else "buy"
    rows = "\n".join(
        f'<tr><th scope="row">{escape(label)}</th><td{_MONO_CLASS if label in _MONO else ""}>{escape(value)}</td></tr>'
        for label, value in ticket_rows(ticket)
    )
    parts = [
        f'<section class="ticket {side}" id="ticket-{ticket.number}">',
        f'<h2>Ticket {ticket.number}: <span class="side">{escape(ticket.headline)}</span> (wave {ticket.wave})</h2>',
    ]
    for note in (for_the_open_text(ticket), enter_after_text(ticket)):
        if note:
            parts.append(f'<p class="when">{escape(note)}.</p>')
    parts.append(f"<table>\n{rows}\n</table>")
    if ticket.warnings:
        items = "".join(f"<li>{escape(warning)}</li>" for warning in ticket.warnings)
        parts.append(f'<ul class="warnings" aria-label="Warnings">{items}</ul>')
    parts.append(
        '<p class="record">Entered at ________ &nbsp; Filled ________ shares at average $________ &nbsp; '
        "Broker order id ________</p>"
    )
    parts.append("</section>")
    return "\n".join(parts)
