"""Fills typed in or imported from a broker's export (manual mode): checked, booked all or nothing, then onward."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from oms.cli.app import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    app,
    console,
    err_console,
    fail,
    settings_for,
)
from oms.cli.batches import batch_settings, wiring_for
from oms.cli.views import batch_summary, show_tickets
from oms.execution.engine import BatchNotFound
from oms.operations.fills import FillRefused, TypedFill, check_fill, collar_pct, exchange_time, reference_price

fills_app = typer.Typer(help="Fills typed in or imported from a broker's export (manual mode).", no_args_is_help=True)
app.add_typer(fills_app, name="fills")


ForceOption = Annotated[
    bool, typer.Option("--force", help="Book a price outside the order's limit or the collar (it was really so).")
]
AT_HELP = (
    "When it executed: ISO 8601; without an offset it is New York time (America/New_York), e.g."
    " 2026-12-01T10:02:11 or 2026-12-01T15:02:11Z. Default: now."
)


@app.command("fill")
def fill_command(
    order: Annotated[str, typer.Argument(help="Order id, client order id, or id prefix.")],
    qty: Annotated[str, typer.Option("--qty", help="Shares filled in this execution.")],
    price: Annotated[str, typer.Option("--price", help="Price of this execution, as the broker shows it.")],
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    exec_id: Annotated[str | None, typer.Option("--exec-id", help="The broker's execution id, if shown.")] = None,
    commission: Annotated[str, typer.Option("--commission", help="Commission charged for this execution.")] = "0",
    force: ForceOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Enter a fill of a manual order, as the broker's confirmation shows it."""
    settings = settings_for(config, db)
    quantity = _decimal(qty, "--qty")
    fill_price = _decimal(price, "--price")
    fee = _decimal(commission, "--commission", zero=True)
    when = _time(at, "--at") if at else datetime.now(UTC)
    wiring = wiring_for(settings, "manual")
    try:
        target = wiring.engine.find_order(order)
    except BatchNotFound as exc:
        fail(str(exc))
    wiring = _batch_wiring(wiring, settings, config, db, [target])
    typed = TypedFill(target, quantity, fill_price, when, exec_id, fee)
    problems = _refusals(wiring, [(0, typed)], force=force)
    if problems:
        fail(problems[0][1])
    raise typer.Exit(asyncio.run(_book_manual(wiring, [typed])))


@fills_app.command("import")
def fills_import_command(
    file: Annotated[
        Path, typer.Argument(help="CSV: order (or client_order_id), quantity, price[, at, exec_id, commission].")
    ],
    force: ForceOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Import a broker's fill export, all or nothing; each row is booked once however often it is imported."""
    settings = settings_for(config, db)
    rows, problems = _read_fill_rows(file)
    wiring = wiring_for(settings, "manual")
    typed: list[tuple[int, TypedFill]] = []
    for line, ref, quantity, price, when, exec_id, fee in rows:
        try:
            typed.append((line, TypedFill(wiring.engine.find_order(ref), quantity, price, when, exec_id, fee)))
        except BatchNotFound as exc:
            problems.append((line, f"order: {exc}"))
    wiring = _batch_wiring(wiring, settings, config, db, [fill.order for _, fill in typed])
    problems += _refusals(wiring, typed, force=force)
    if problems:
        for line, problem in sorted(problems):
            err_console.print(f"[bold red]error:[/] {file}:{line}: {problem}", highlight=False, soft_wrap=True)
        err_console.print(f"nothing from {file} was booked: fix the rows above and import it again", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(asyncio.run(_book_manual(wiring, [fill for _, fill in typed])))


def _batch_wiring(wiring: Any, settings: Any, config: Path | None, db: str | None, orders: list[Any]) -> Any:
    """Re-wire with the settings the fills' batch recorded (one batch, no --config given); else keep `wiring`."""
    batch_ids = {o.batch_id for o in orders if o.batch_id}
    if config is not None or len(batch_ids) != 1:
        return wiring
    own = batch_settings(settings, config, db, wiring.engine.find_batch(batch_ids.pop()))
    return wiring if own is settings else wiring_for(own, "manual")


def _refusals(wiring: Any, typed: list[tuple[int, TypedFill]], *, force: bool) -> list[tuple[int, str]]:
    """Every typed fill the checks refuse, with its line (0 for a fill typed on the command line)."""
    try:
        collar = collar_pct(wiring.settings)
    except ValueError as exc:
        fail(str(exc))
    now = datetime.now(UTC)
    refused = []
    for line, fill in typed:
        try:
            reference = reference_price(fill.order, wiring.master)
            check_fill(fill, now=now, collar=collar, reference=reference, force=force)
        except FillRefused as exc:
            refused.append((line, str(exc)))
    return refused


async def _book_manual(wiring: Any, fills: list[TypedFill]) -> int:
    """Record typed fills in the manual book, let the engine book them, and say only what the ledger now holds.

    When these fills complete a wave, or release orders, the tickets working at the desk are printed again.
    """
    from oms.bootstrap import import_manual_fills

    broker = wiring.broker
    batches = sorted({f.order.batch_id for f in fills if f.order.batch_id})
    before = {batch_id: open_waves(wiring, batch_id) for batch_id in batches}
    held_before = _filled(wiring, fills)
    await broker.connect()
    try:
        try:  # all or nothing: a file with one bad row books none of its rows
            booked = import_manual_fills(
                broker,
                [(f.order.client_order_id or "", f.quantity, f.price, f.at, f.exec_id, f.commission) for f in fills],
            )
        except ValueError as exc:
            err_console.print(f"[bold red]error:[/] {exc}; nothing was booked", highlight=False)
            return EXIT_USAGE
        code = await advance_manual(wiring, before)
    finally:
        await broker.close()
    new = [f for f, fresh in zip(fills, booked, strict=True) if fresh]
    expected = {f.order.id: Decimal(0) for f in fills}
    for fill in new:
        expected[fill.order.id] += fill.quantity
    held_after = _filled(wiring, fills)
    missing = [oid for oid, qty in expected.items() if held_after[oid] - held_before[oid] < qty]
    if missing:
        err_console.print(
            f"[bold red]error:[/] the ledger did not book every fill ({len(missing)} orders short);"
            " run `oms reconcile --broker manual` to see why",
            highlight=False,
        )
        return EXIT_FAILURE
    repeated = booked.count(False)
    console.print(f"booked {len(new)} fill(s)" + (f"; {repeated} already booked" if repeated else ""))
    return code


def _filled(wiring: Any, fills: list[TypedFill]) -> dict[str, Decimal]:
    return {f.order.id: wiring.engine.find_order(f.order.id).filled_quantity for f in fills}


async def advance_manual(wiring: Any, waves_before: dict[str, set[int]]) -> int:
    """Run one engine cycle; print the desk's tickets when orders went out or a wave ended, then each batch."""
    report = await wiring.engine.cycle()
    for anomaly in report.anomalies:
        err_console.print(f"[yellow]warning:[/] {anomaly}")
    for batch_id, before in waves_before.items():
        if report.submitted or before - open_waves(wiring, batch_id):
            show_tickets(wiring, batch_id, console)
        console.print(batch_summary(wiring.engine, batch_id))
    return EXIT_OK if not report.anomalies else EXIT_FAILURE


def open_waves(wiring: Any, batch_id: str) -> set[int]:
    return {o.wave for o in wiring.engine.batch_orders(batch_id) if o.is_open}


Row = tuple[int, str, Decimal, Decimal, datetime, str | None, Decimal]


def _read_fill_rows(file: Path) -> tuple[list[Row], list[tuple[int, str]]]:
    """Every row of a fill export, and every problem with its line (all reported together)."""
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            headers = {h.strip().lower(): h for h in reader.fieldnames or []}
            rows = list(reader)
    except OSError as exc:
        fail(f"{file}: {exc.strerror}")
    ref_column = headers.get("order") or headers.get("client_order_id") or headers.get("order_id")
    qty_column = headers.get("quantity") or headers.get("qty")
    price_column = headers.get("price")
    if not (ref_column and qty_column and price_column):
        fail(f"{file}:1: header: needs order (or client_order_id), quantity and price columns")
    parsed: list[Row] = []
    problems: list[tuple[int, str]] = []
    for line, row in enumerate(rows, start=2):
        try:
            at_text = row.get(headers.get("at", ""), "") or ""
            parsed.append(
                (
                    line,
                    (row[ref_column] or "").strip(),
                    _decimal(row[qty_column], "quantity", strict=True),
                    _decimal(row[price_column], "price", strict=True),
                    _time(at_text, "at", strict=True) if at_text.strip() else datetime.now(UTC),
                    (row.get(headers.get("exec_id", ""), "") or "").strip() or None,
                    _decimal(row.get(headers.get("commission", ""), "") or "0", "commission", strict=True, zero=True),
                )
            )
        except ValueError as exc:
            problems.append((line, str(exc)))
    return parsed, problems


def _decimal(text: str | None, what: str, *, strict: bool = False, zero: bool = False) -> Decimal:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or (value == 0 and not zero):
        message = f"{what}: must be a {'non-negative' if zero else 'positive'} number, got {text!r}"
        if strict:
            raise ValueError(message)
        fail(message)
    return value


def _time(text: str, what: str, *, strict: bool = False) -> datetime:
    try:
        return exchange_time(text)
    except ValueError:
        message = f"{what}: not an ISO 8601 time: {text!r}"
        if strict:
            raise ValueError(message) from None
        fail(message)
