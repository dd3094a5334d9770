"""Commands on batches and orders already in the ledger: status, approve, cancel, fill, fills import, halt, resume."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from oms.cli.app import (
    EXIT_FAILURE,
    EXIT_HALTED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    JsonOption,
    app,
    console,
    err_console,
    fail,
    settings_for,
)
from oms.cli.batches import BrokerOption, actor_name
from oms.cli.views import batch_summary, show_tickets, status_document
from oms.config import ConfigError, Settings
from oms.domain import InvalidTransition
from oms.execution.engine import BatchNotFound

fills_app = typer.Typer(help="Fills typed in or imported from a broker's export (manual mode).", no_args_is_help=True)
app.add_typer(fills_app, name="fills")


def _wiring(settings: Settings, broker: str | None, *, mode: str = "paper") -> Any:
    from oms.bootstrap import wire

    try:
        return wire(settings, broker_name=broker or _default_broker(settings), mode=mode, actor=actor_name())
    except ConfigError as exc:
        fail(str(exc))


def _default_broker(settings: Settings) -> str:
    """The broker of the newest open batch, else the simulator."""
    from oms.bootstrap import open_ledger

    ledger = open_ledger(settings)
    try:
        with ledger.reading() as uow:
            batches = uow.batches.list(open_only=True, limit=1)
        return batches[0].broker if batches else "sim"
    finally:
        ledger.close()


@app.command("status")
def status_command(
    batch: Annotated[str | None, typer.Argument(help="A batch id (or prefix); default: recent batches.")] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Show batches and their orders as the ledger has them."""
    settings = settings_for(config, db)
    from oms.bootstrap import open_ledger

    ledger = open_ledger(settings)
    try:
        document = status_document(ledger, batch)
    except BatchNotFound as exc:
        fail(str(exc))
    finally:
        ledger.close()
    if json_output:
        typer.echo(json.dumps(document, indent=2))
        return
    if not document["batches"]:
        console.print("no batches in the ledger")
    for entry in document["batches"]:
        console.print(batch_summary(None, entry["id"], document=entry))


@app.command("approve")
def approve_command(
    batch: Annotated[str, typer.Argument(help="The batch to approve (id or prefix).")],
    order: Annotated[
        list[str] | None, typer.Option("--order", help="Also approve this warned order (repeatable).")
    ] = None,
    all_orders: Annotated[bool, typer.Option("--all", help="Approve warned orders too.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Approve a batch held for approval: orders with warnings stay held until named with --order, or --all."""
    from oms.operations.approving import approve

    settings = settings_for(config, db)
    wiring = _wiring(settings, None)
    try:
        done = approve(wiring, batch, actor=actor_name(), order_refs=order or [], all_orders=all_orders)
    except BatchNotFound as exc:
        fail(str(exc))
    batch_id = done.batch.id
    console.print(f"approved batch {batch_id}: {len(done.approved)} orders approved by {actor_name()}", highlight=False)
    for held in done.still_held:
        short = held.order.id[:8]
        console.print(
            f"  still held: {held.order.client_order_id} {held.order.symbol} ({'; '.join(held.warnings)});"
            f" approve with --order {short}: `oms approve {batch_id} --order {short}` (or --all)",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"next: {done.next_step}", highlight=False, soft_wrap=True)


@app.command("cancel")
def cancel_command(
    order: Annotated[str, typer.Argument(help="Order id, client order id, or id prefix.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit trail.")] = "cancelled by request",
    broker: BrokerOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Cancel one order (at the broker when it is working there); a manual batch then moves on."""
    settings = settings_for(config, db)
    broker_name = broker or _broker_of(settings, order)
    wiring = _wiring(settings, broker_name, mode="manual" if broker_name == "manual" else "paper")

    try:
        batch_id = wiring.engine.find_order(order).batch_id
    except BatchNotFound as exc:
        fail(str(exc))
    manual = broker_name == "manual" and batch_id is not None
    before = {batch_id: _open_waves(wiring, batch_id)} if manual and batch_id else {}

    async def go() -> int:
        await wiring.broker.connect()
        try:
            result = await wiring.engine.cancel_order(order, actor=actor_name(), reason=reason)
            code = EXIT_OK
            if manual:
                # A person's cancel is final at once: book it, and print the next wave's tickets if it ended a wave.
                code = await _advance_manual(wiring, before)
                result = wiring.engine.find_order(result.id)
            console.print(f"{result.client_order_id} {result.symbol}: {result.status.value}")
            return code
        finally:
            await wiring.broker.close()

    try:
        code = asyncio.run(go())
    except InvalidTransition as exc:
        fail(str(exc))
    raise typer.Exit(code)


def _broker_of(settings: Settings, order_ref: str) -> str | None:
    """The broker an order was sent to, so it is cancelled there (None when the ledger does not know it)."""
    from oms.bootstrap import open_ledger

    ledger = open_ledger(settings)
    try:
        with ledger.reading() as uow:
            order = uow.orders.get(order_ref) or uow.orders.by_client_order_id(order_ref)
            if order is None:
                matches = [o for o in uow.orders.open_orders() if o.id.startswith(order_ref)]
                order = matches[0] if len(matches) == 1 else None
        return order.broker if order is not None else None
    finally:
        ledger.close()


@app.command("halt")
def halt_command(
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit trail.")] = "halted by operator",
    broker: BrokerOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Kill switch: cancel this OMS's working orders at the broker and send nothing more until `oms resume`.

    Without --broker every broker with an open batch is halted (the simulator when there is none).
    """
    from oms.operations.halting import halt

    settings = settings_for(config, db)
    names = [broker] if broker else _open_brokers(settings) or ["sim"]
    for name in names:
        wiring = _wiring(settings, name, mode="manual" if name == "manual" else "paper")
        done = asyncio.run(_connected(wiring, halt(wiring, actor=actor_name(), reason=reason)))
        console.print(
            f"[bold red]halted[/] {name} by {actor_name()}: {len(done.asked_to_cancel)} working orders asked to cancel,"
            f" {len(done.already_done)} had already ended, {len(done.unsent_held)} unsent orders held",
            highlight=False,
        )
        for coid in done.refused:
            console.print(f"  {coid}: the broker refused the cancel (it had ended there)", highlight=False)
    console.print("nothing is sent until `oms resume` (send the rest) or `oms resume --abandon` (end cut batches)")


@app.command("resume")
def resume_command(
    abandon: Annotated[
        bool, typer.Option("--abandon", help="End the batches the halt cut short instead of sending the rest.")
    ] = False,
    broker: BrokerOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Lift the kill switch: send again what the halt cancelled (new client ids, buys still wait for sells)."""
    from oms.operations.halting import resume

    settings = settings_for(config, db)
    names = [broker] if broker else _halted_brokers(settings) or ["sim"]
    code = EXIT_OK
    for name in names:
        wiring = _wiring(settings, name, mode="manual" if name == "manual" else "paper")
        work = resume(wiring, actor=actor_name(), abandon=abandon, release_now=name == "manual")
        done = asyncio.run(_connected(wiring, work))
        if not done.resumed:
            err_console.print(
                f"still halted: {name} has not confirmed the cancel of {', '.join(done.unconfirmed)};"
                " the broker must act, then run `oms resume` again",
                highlight=False,
            )
            code = EXIT_HALTED
            continue
        console.print(f"resumed {name} by {actor_name()}", highlight=False)
        for order in done.resent:
            console.print(
                f"  sending again: {order.client_order_id} {order.side.value} {order.quantity} {order.symbol}"
                " (the rest of a halted order)",
                highlight=False,
            )
        for batch_id in done.abandoned:
            console.print(f"  abandoned batch {batch_id}: its unsent orders are cancelled", highlight=False)
        if name == "manual":
            for batch_id in sorted({o.batch_id for o in done.resent if o.batch_id}):
                show_tickets(wiring, batch_id, console)
    raise typer.Exit(code)


async def _connected(wiring: Any, work: Any) -> Any:
    await wiring.broker.connect()
    try:
        return await work
    finally:
        await wiring.broker.close()


def _open_brokers(settings: Settings) -> list[str]:
    """The brokers that have an open batch in the ledger, oldest batch first."""
    from oms.bootstrap import open_ledger

    ledger = open_ledger(settings)
    try:
        with ledger.reading() as uow:
            batches = uow.batches.list(open_only=True, limit=10_000)
    finally:
        ledger.close()
    return list(dict.fromkeys(b.broker for b in reversed(batches)))


def _halted_brokers(settings: Settings) -> list[str]:
    from oms.bootstrap import open_ledger
    from oms.execution import controls

    ledger = open_ledger(settings)
    try:
        with ledger.reading() as uow:
            keys = controls.halted_keys(uow)
    finally:
        ledger.close()
    return list(dict.fromkeys(key.split(":")[1] for key in keys))


@app.command("fill")
def fill_command(
    order: Annotated[str, typer.Argument(help="Order id, client order id, or id prefix.")],
    qty: Annotated[str, typer.Option("--qty", help="Shares filled.")],
    price: Annotated[str, typer.Option("--price", help="Average price of this fill.")],
    at: Annotated[str | None, typer.Option("--at", help="When (ISO 8601, default now; naive means UTC).")] = None,
    exec_id: Annotated[str | None, typer.Option("--exec-id", help="The broker's execution id, if shown.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Enter a fill of a manual order, as the broker's confirmation shows it."""
    settings = settings_for(config, db)
    quantity = _decimal(qty, "--qty")
    fill_price = _decimal(price, "--price")
    when = _time(at, "--at") if at else datetime.now(UTC)
    wiring = _wiring(settings, "manual", mode="manual")
    try:
        target = wiring.engine.find_order(order)
    except BatchNotFound as exc:
        fail(str(exc))
    code = asyncio.run(_book_manual(wiring, [(target.client_order_id, quantity, fill_price, when, exec_id)]))
    raise typer.Exit(code)


@fills_app.command("import")
def fills_import_command(
    file: Annotated[Path, typer.Argument(help="CSV with order (or client_order_id), quantity, price[, at, exec_id].")],
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Import a broker's fill export; each row is booked once however often the file is imported."""
    settings = settings_for(config, db)
    rows = _read_fill_rows(file)
    wiring = _wiring(settings, "manual", mode="manual")
    resolved = []
    problems = []
    for line, ref, quantity, price, when, exec_id in rows:
        try:
            resolved.append((wiring.engine.find_order(ref).client_order_id, quantity, price, when, exec_id))
        except BatchNotFound as exc:
            problems.append(f"{file}:{line}: order: {exc}")
    if problems:
        for problem in problems:
            err_console.print(f"[bold red]error:[/] {problem}", highlight=False)
        raise typer.Exit(2)
    raise typer.Exit(asyncio.run(_book_manual(wiring, resolved)))


async def _book_manual(wiring: Any, fills: list[tuple[Any, Decimal, Decimal, datetime, str | None]]) -> int:
    """Record typed fills in the manual book, then let the engine book them and release the next wave.

    When these fills complete a wave, or release orders, the tickets working at the desk are printed again.
    """
    from adapters.manual import ManualFill

    broker = wiring.broker
    batches = sorted({b for coid, *_ in fills if (b := wiring.engine.find_order(coid).batch_id)})
    open_waves = {batch_id: _open_waves(wiring, batch_id) for batch_id in batches}
    await broker.connect()
    try:
        try:  # all or nothing: a file with one bad row books none of its rows
            booked = broker.import_fills(ManualFill(*fill) for fill in fills)
        except ValueError as exc:
            err_console.print(f"[bold red]error:[/] {exc}; nothing was booked", highlight=False)
            return EXIT_USAGE
        repeated = booked.count(False)
        console.print(f"booked {booked.count(True)} fill(s)" + (f"; {repeated} already booked" if repeated else ""))
        return await _advance_manual(wiring, open_waves)
    finally:
        await broker.close()


async def _advance_manual(wiring: Any, open_waves: dict[str, set[int]]) -> int:
    """Run one engine cycle; print the desk's tickets when orders went out or a wave ended, then each batch."""
    report = await wiring.engine.cycle()
    for anomaly in report.anomalies:
        err_console.print(f"[yellow]warning:[/] {anomaly}")
    for batch_id, before in open_waves.items():
        if report.submitted or before - _open_waves(wiring, batch_id):
            show_tickets(wiring, batch_id, console)
        console.print(batch_summary(wiring.engine, batch_id))
    return EXIT_OK if not report.anomalies else EXIT_FAILURE


def _open_waves(wiring: Any, batch_id: str) -> set[int]:
    return {o.wave for o in wiring.engine.batch_orders(batch_id) if o.is_open}


def _read_fill_rows(file: Path) -> list[tuple[int, str, Decimal, Decimal, datetime, str | None]]:
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
    parsed, problems = [], []
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
                )
            )
        except ValueError as exc:
            problems.append(f"{file}:{line}: {exc}")
    if problems:
        for problem in problems:
            err_console.print(f"[bold red]error:[/] {problem}", highlight=False)
        raise typer.Exit(2)
    return parsed


def _decimal(text: str | None, what: str, *, strict: bool = False) -> Decimal:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        message = f"{what}: must be a positive number, got {text!r}"
        if strict:
            raise ValueError(message)
        fail(message)
    return value


def _time(text: str, what: str, *, strict: bool = False) -> datetime:
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        message = f"{what}: not an ISO 8601 time: {text!r}"
        if strict:
            raise ValueError(message) from None
        fail(message)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
