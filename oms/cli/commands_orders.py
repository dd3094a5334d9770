"""Commands on batches and orders already in the ledger: status, approve, cancel, fill, fills import, halt, resume."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from oms.cli.app import (
    EXIT_HALTED,
    EXIT_OK,
    ConfigOption,
    DbOption,
    JsonOption,
    app,
    console,
    err_console,
    fail,
    settings_for,
)
from oms.cli.batches import BrokerOption, actor_name, batch_settings, wiring_for
from oms.cli.commands_fills import advance_manual, open_waves
from oms.cli.views import batch_lines, batch_summary, show_tickets, status_document
from oms.config import Settings
from oms.domain import InvalidTransition
from oms.execution.engine import BatchNotFound


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

    ledger = open_ledger(settings, existing=True)
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
    if batch is None:
        console.print(batch_lines(document))  # the recent batches, one line each; name one for its orders
        return
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
    wiring = _wiring_for_batch(settings, config, db, batch)
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
    order: Annotated[str | None, typer.Argument(help="Order id, client order id, or id prefix.")] = None,
    batch: Annotated[
        str | None,
        typer.Option("--batch", help="Cancel a whole batch: working orders at the broker, unsent ones here."),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit trail.")] = "cancelled by request",
    broker: BrokerOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Cancel one order (at the broker when it is working there), or a whole batch with --batch."""
    settings = settings_for(config, db)
    if (order is None) == (batch is None):
        fail("cancel: name one order (oms cancel ORDER) or one batch (oms cancel --batch BATCH)")
    if batch is not None:
        raise typer.Exit(_cancel_batch(settings, batch, reason=reason, broker=broker, config=config, db=db))
    assert order is not None
    broker_name = broker or _broker_of(settings, order) or "sim"
    wiring = wiring_for(settings, broker_name)

    try:
        batch_id = wiring.engine.find_order(order).batch_id
    except BatchNotFound as exc:
        fail(str(exc))
    manual = broker_name == "manual" and batch_id is not None
    before = {batch_id: open_waves(wiring, batch_id)} if manual and batch_id else {}

    async def go() -> int:
        await wiring.broker.connect()
        try:
            result = await wiring.engine.cancel_order(order, actor=actor_name(), reason=reason)
            code = EXIT_OK
            if manual:
                # A person's cancel is final at once: book it, and print the next wave's tickets if it ended a wave.
                code = await advance_manual(wiring, before)
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


def _wiring_for_batch(
    settings: Settings, config: Path | None, db: str | None, batch_ref: str, *, broker: str | None = None
) -> Any:
    """Wire for the batch's own broker, with the settings the batch recorded unless --config is given."""
    from oms.bootstrap import open_ledger

    ledger = open_ledger(settings)
    try:
        with ledger.reading() as uow:
            found = uow.batches.get(batch_ref)
            if found is None:
                matches = [b for b in uow.batches.list(limit=1000) if b.id.startswith(batch_ref)]
                found = matches[0] if len(matches) == 1 else None
    finally:
        ledger.close()
    own = batch_settings(settings, config, db, found)
    return wiring_for(own, broker or (found.broker if found is not None else "sim"))


def _cancel_batch(
    settings: Settings, batch_ref: str, *, reason: str, broker: str | None, config: Path | None, db: str | None
) -> int:
    from oms.operations.cancelling import cancel_batch

    wiring = _wiring_for_batch(settings, config, db, batch_ref, broker=broker)
    try:
        done = asyncio.run(_connected(wiring, cancel_batch(wiring, batch_ref, actor=actor_name(), reason=reason)))
    except (BatchNotFound, InvalidTransition) as exc:
        fail(str(exc))
    console.print(
        f"batch {done.batch.id} cancelled by {actor_name()}: {len(done.asked_at_broker)} working orders asked to cancel"
        f" at {done.batch.broker}, {len(done.ended_unsent)} unsent orders ended; batch {done.batch.status.value}",
        highlight=False,
    )
    for coid in done.refused:
        console.print(f"  {coid}: could not be cancelled (it had ended)", highlight=False)
    if done.still_working:
        console.print(
            f"  waiting for {done.batch.broker} to confirm {len(done.still_working)} cancels;"
            f" `oms status {done.batch.id}` shows when they end",
            highlight=False,
        )
    if wiring.broker.name == "manual":
        console.print(batch_summary(wiring.engine, done.batch.id))
    return EXIT_OK


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
        wiring = wiring_for(settings, name)
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
        wiring = wiring_for(settings, name)
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
