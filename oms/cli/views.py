"""What the execution commands show: batch summaries, live progress, status documents and manual tickets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from oms.cli.tables import Column, FittedTable
from oms.domain import Batch, Order, OrderStatus
from oms.domain.facts import Note
from oms.domain.values import decimal_text
from oms.execution.engine import BatchNotFound
from oms.store import Ledger

STATUS_STYLE = {
    "filled": "green",
    "partially_filled": "cyan",
    "submitted": "cyan",
    "pending_cancel": "yellow",
    "cancelled": "yellow",
    "expired": "yellow",
    "rejected": "red",
    "unknown": "bold red",
    "validated": "white",
    "new": "white",
}


@dataclass(frozen=True)
class BatchView:
    """What an order's "why" needs to know of its batch: whether warned orders wait for a person, and which wave
    is being worked (a later wave waits for it)."""

    holds_for_approval: bool = True
    supervised: bool = True
    working_wave: int | None = None

    @classmethod
    def of(cls, batch: Batch, orders: list[Order]) -> BatchView:
        waves = [o.wave for o in orders if o.is_open and o.parent_id is None]
        return cls(
            holds_for_approval=batch.supervised or batch.details.get("auto") == "true",
            supervised=batch.supervised,
            working_wave=min(waves) if waves else None,
        )


def order_document(order: Order, view: BatchView | None = None) -> dict[str, Any]:
    return {
        "id": order.id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": decimal_text(order.quantity),
        "status": order.status.value,
        "filled_quantity": decimal_text(order.filled_quantity),
        "average_fill_price": decimal_text(order.average_fill_price),
        "wave": order.wave,
        "parent_id": order.parent_id,
        "reason": order.status_reason or waiting_reason(order, view),
    }


def waiting_reason(order: Order, view: BatchView | None = None) -> str | None:
    """Why a checked order has not gone out yet: held until a time, waiting for funds, for a person, or for an
    earlier wave; and a ticket handed over while the market was closed says which open it is for."""
    from oms.domain.facts import for_the_open, is_approved, needs_naming
    from oms.reporting.ticket_fields import open_text

    if order.status is OrderStatus.UNKNOWN:  # sent, never shown by a broker that takes duplicate ids
        return f"outcome unknown, you check the broker: {order.status_reason or 'see oms reconcile'}"
    if order.status.is_at_broker and not order.filled_quantity:
        opens = for_the_open(order)
        if opens is not None:
            return f"a ticket for {open_text(opens)}, yours: enter it at your broker before then, then record fills"
    if order.status is not OrderStatus.VALIDATED:
        return None
    for event in reversed(order.events):
        if event.details.get("note") == Note.HELD:
            until, why = event.details.get("until"), event.details.get("reason") or ""
            if until:
                return why or f"held until {datetime.fromisoformat(str(until)):%Y-%m-%d %H:%M} UTC"
            return why or "waiting for the cash its wave's sells raise"
    view = view or BatchView()
    if view.holds_for_approval and needs_naming(order, supervised=view.supervised) and not is_approved(order):
        return f"awaiting approval (warnings), yours: oms approve {order.batch_id} --order {order.id[:8]}"
    if view.working_wave is not None and order.wave > view.working_wave:
        return f"waits for wave {view.working_wave} to finish: its sells' fills fund this wave"
    return None


def status_document(ledger: Ledger, batch_ref: str | None) -> dict[str, Any]:
    """`{"batches": [{"id", "status", "orders": [...]}]}` for one batch or the recent ones."""
    with ledger.reading() as uow:
        if batch_ref:
            batch = uow.batches.get(batch_ref)
            if batch is None:
                matches = [b for b in uow.batches.list(limit=1000) if b.id.startswith(batch_ref)]
                if len(matches) != 1:
                    raise BatchNotFound(f"no batch {batch_ref!r} in the ledger")
                batch = matches[0]
            batches = [batch]
        else:
            batches = uow.batches.list(limit=20)
        return {
            "batches": [
                {
                    "id": b.id,
                    "status": b.status.value,
                    "mode": b.mode,
                    "broker": b.broker,
                    "source": b.source,
                    "created_at": b.created_at.isoformat(),
                    "orders": [order_document(o, BatchView.of(b, orders)) for o in orders],
                }
                for b in batches
                for orders in [uow.orders.for_batch(b.id)]
            ]
        }


def batch_summary(engine: Any, batch_id: str, *, document: dict[str, Any] | None = None) -> RenderableType:
    """A table of the batch's orders (children under their parent) with fills and why anything is not filled."""
    if document is None:
        orders = engine.batch_orders(batch_id)
        batch = engine.find_batch(batch_id)
        view = BatchView.of(batch, orders)
        document = {"id": batch_id, "status": batch.status.value, "orders": [order_document(o, view) for o in orders]}
    table = FittedTable(
        [
            Column("wave", "right"),
            Column("order"),
            Column("side"),
            Column("symbol"),
            Column("quantity", "right"),
            Column("filled", "right"),
            Column("avg price", "right"),
            Column("status"),
            Column("why", wide=True),
        ],
        title=f"batch {document['id']} · {document['status']}",
    )
    prefix = f"{document['id']}-"
    for entry, is_child in _parents_then_children(document["orders"]):
        style = STATUS_STYLE.get(entry["status"], "white")
        name = (entry["client_order_id"] or "").removeprefix(prefix)
        table.add_row(
            str(entry["wave"]),
            f"  └ {name}" if is_child else name,
            entry["side"],
            entry["symbol"],
            entry["quantity"],
            entry["filled_quantity"],
            _price(entry["average_fill_price"]),
            Text(entry["status"], style=style),
            Text(entry["reason"] or ""),
        )
    counts = Counter(entry["status"] for entry in document["orders"] if not entry.get("parent_id"))
    line = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return Group(table, Text(f"orders: {line}" if line else "no orders"))


def batch_lines(document: dict[str, Any]) -> RenderableType:
    """One line per batch: id, status, broker, created, orders and how many are filled (and, when wide, its file)."""
    table = FittedTable(
        [
            Column("batch"),
            Column("status"),
            Column("broker"),
            Column("created (UTC)"),
            Column("orders", "right"),
            Column("filled", "right"),
            Column("source", wide=True, optional=True),
        ]
    )
    for entry in document["batches"]:
        parents = [o for o in entry["orders"] if not o.get("parent_id")]
        filled = sum(1 for o in parents if o["status"] == "filled")
        created = datetime.fromisoformat(entry["created_at"])
        table.add_row(
            entry["id"],
            Text(entry["status"]),
            f"{entry['broker']} ({entry['mode']})",
            f"{created:%Y-%m-%d %H:%M}",
            str(len(parents)),
            str(filled),
            entry.get("source") or "",
        )
    return table


def _parents_then_children(orders: list[dict[str, Any]]) -> list[tuple[dict[str, Any], bool]]:
    children: dict[str, list[dict[str, Any]]] = {}
    for entry in orders:
        if entry.get("parent_id"):
            children.setdefault(entry["parent_id"], []).append(entry)
    rows: list[tuple[dict[str, Any], bool]] = []
    for entry in orders:
        if entry.get("parent_id"):
            continue
        rows.append((entry, False))
        kids = sorted(children.get(entry["id"], []), key=lambda e: e["client_order_id"] or "")
        rows.extend((kid, True) for kid in kids)
    return rows


def _price(text: str | None) -> str:
    """Average prices to four decimals for reading; the ledger and --json keep them exact."""
    if not text:
        return ""
    return f"{Decimal(text).quantize(Decimal('0.0001')).normalize():f}"


def progress_line(engine: Any, batch_id: str) -> RenderableType:
    orders = engine.batch_orders(batch_id)
    counts = Counter(o.status.value for o in orders)
    waves = sorted({o.wave for o in orders if o.is_open})
    filled = sum(1 for o in orders if o.status is OrderStatus.FILLED)
    text = Text(f"batch {batch_id}: {filled}/{len(orders)} filled")
    if waves:
        text.append(f" · working wave {waves[0]}")
    text.append(" · " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return text


def show_tickets(wiring: Any, batch_id: str, console: Console) -> bool:
    """Print the tickets of the orders sent and still open, and write them to Markdown and HTML files.

    Return whether there was any ticket to show.
    """
    from oms.reporting.tickets import render_rich, write_ticket_files

    tickets = manual_tickets(wiring, batch_id)
    if not tickets:
        return False
    console.print(render_rich(tickets, batch_id))
    directory = wiring.settings.data_path / "tickets"
    directory.mkdir(parents=True, exist_ok=True)
    markdown, html = write_ticket_files(tickets, directory, batch_id)
    console.print(f"tickets written to {markdown} and {html}", highlight=False)
    return True


def manual_tickets(wiring: Any, batch_id: str) -> list[Any]:
    """One ticket per order working at the (manual) broker."""
    from oms.domain.facts import for_the_open
    from oms.reporting.ticket_fields import Ticket

    orders = wiring.engine.batch_orders(batch_id)
    algos = wiring.settings.algos
    tickets = []
    for number, order in enumerate(orders, start=1):
        if not order.status.is_at_broker:
            continue
        warnings = tuple(
            f"{e.details.get('code')}: {e.details.get('message')}"
            for e in order.events
            if e.details.get("note") == Note.RISK
            and e.details.get("outcome") == "warn"
            # a market-hours hold on a ticket for the open: the ticket's "When" says it
            and not (e.details.get("hold_until") and for_the_open(order) is not None)
        )
        security = wiring.master.security(order.symbol)
        words = algorithm_words(order, fractional=bool(security and security.fractional), settings=algos)
        name = security.name if security else None
        ticket = Ticket.from_order(
            order, number=number, algorithm=words, warnings=warnings, security_name=name, now=wiring.engine.clock()
        )
        tickets.append(ticket)
    return tickets


def algorithm_words(order: Order, *, fractional: bool = False, settings: Any = None) -> str:
    """How to work the order, in the words a person would use at a trading desk (see oms.reporting.ticket_plan)."""
    from oms.reporting.ticket_plan import algorithm_words as words

    return words(order, fractional=fractional, settings=settings)
