"""`oms run`: a trade list in, orders executed through the broker, a summary out."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live

from oms.cli.app import (
    EXIT_CONFLICT,
    EXIT_FAILURE,
    EXIT_HALTED,
    EXIT_OK,
    EXIT_PENDING,
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    app,
    console,
    err_console,
    settings_for,
)
from oms.cli.batches import (
    BrokerOption,
    ConfirmAccountOption,
    ModeOption,
    PositionsOption,
    Prepared,
    acquire,
    actor_name,
    broker_for,
    halted_line,
    live_account_refused,
    live_guard,
    prepare,
    scheduler_lease,
    store_batch,
)
from oms.cli.portfolio_inputs import PricesOption
from oms.cli.views import batch_summary, progress_line, show_tickets
from oms.domain import BatchStatus
from oms.domain.facts import for_the_open
from oms.execution.lease import Lease
from oms.execution.scheduler import EngineScheduler, Stop
from oms.reporting.ticket_fields import open_text

__all__ = ["BrokerOption", "actor_name", "live_guard", "run_command"]

SupervisedOption = Annotated[
    bool | None, typer.Option("--supervised/--auto", help="Hold for `oms approve` (live default) or proceed.")
]


@app.command("run")
def run_command(
    file: Annotated[Path, typer.Argument(help="Trade recommendations, CSV or JSON.")],
    mode: ModeOption = "paper",
    broker: BrokerOption = None,
    supervised: SupervisedOption = None,
    positions: PositionsOption = None,
    from_broker: Annotated[
        bool, typer.Option("--from-broker", help="Price the trades from the broker's reference data.")
    ] = False,
    prices: PricesOption = None,
    new: Annotated[bool, typer.Option("--new", help="Make a new batch even if this input ran before.")] = False,
    confirm_account: ConfirmAccountOption = None,
    limit_seconds: Annotated[
        float | None, typer.Option("--timeout", help="Seconds to wait for the batch to finish.")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Execute a trade list: plan, check, then send wave by wave and wait until every order is done."""
    settings = settings_for(config, db)
    live_guard(settings, config, mode=mode, broker_name=broker_for(mode, broker), confirmation=confirm_account)
    prepared = prepare(
        settings, file, mode=mode, broker=broker, positions=positions, from_broker=from_broker, prices=prices
    )
    is_supervised = supervised if supervised is not None else mode == "live"
    code = asyncio.run(
        _run(prepared, supervised=is_supervised, auto=supervised is False, new=new, limit_seconds=limit_seconds)
    )
    raise typer.Exit(code)


async def _run(prepared: Prepared, *, supervised: bool, auto: bool, new: bool, limit_seconds: float | None) -> int:
    wiring = prepared.wiring
    engine = wiring.engine
    await wiring.broker.connect()
    lease = scheduler_lease(wiring) if prepared.mode != "manual" else None
    try:
        refused = await live_account_refused(wiring, prepared.mode)
        if refused:
            err_console.print(f"error: {refused}", markup=False, highlight=False)
            return EXIT_USAGE
        halted = halted_line(engine)
        if halted:
            err_console.print(f"[bold red]error:[/] {halted}", highlight=False)
            return EXIT_HALTED
        # The lease before the batch: a run refused because another scheduler works this account writes nothing.
        if lease is not None and not await acquire(lease):
            return EXIT_CONFLICT
        batch, created = store_batch(prepared, supervised=supervised, auto=auto, new=new, origin="run")
        if not created:
            console.print(f"resuming batch [bold]{batch.id}[/] made from this input before (use --new for another)")
        engine.scope = lambda b: b.id == batch.id  # this process works its own batch, nothing else
        batch = await engine.validate_batch(batch.id)
        if batch.status is BatchStatus.AWAITING_APPROVAL:
            console.print(batch_summary(engine, batch.id))
            console.print(
                f"batch [bold]{batch.id}[/] waits for you: review it, then `oms approve {batch.id}`"
                f" and run `oms run {prepared.file}` again",
                highlight=False,
            )
            return EXIT_PENDING
        if lease is None:
            return await _manual_round(wiring, batch.id)
        return await _until_done(wiring, batch.id, limit_seconds, lease)
    finally:
        if lease is not None:
            await asyncio.to_thread(lease.release)
        await wiring.broker.close()


async def _manual_round(wiring, batch_id: str) -> int:  # type: ignore[no-untyped-def]
    """Manual mode: release what may go now, print its tickets, and leave the batch open for typed-in fills."""
    await wiring.engine.cycle()
    shown = show_tickets(wiring, batch_id, console)
    done = not [o for o in wiring.engine.batch_orders(batch_id) if o.is_open]
    console.print(batch_summary(wiring.engine, batch_id))
    opens = sorted({t for t in (for_the_open(o) for o in wiring.engine.batch_orders(batch_id)) if t is not None})
    if not done and shown and opens and opens[0] > wiring.engine.clock():
        console.print(
            f"the market is closed: these tickets are for {open_text(opens[0])}; enter them at your broker"
            " before then, and record fills with `oms fill ORDER --qty Q --price P` once they trade",
            highlight=False,
        )
    elif not done and shown:
        console.print("enter fills with `oms fill ORDER --qty Q --price P` or `oms fills import FILE.csv`")
    elif not done:
        console.print(
            "no ticket to enter now (the why column says what each order waits for); run the same command again then"
        )
    return EXIT_OK


async def _until_done(wiring, batch_id: str, limit_seconds: float | None, lease: Lease) -> int:  # type: ignore[no-untyped-def]
    engine = wiring.engine

    def finished() -> bool:
        return not engine.find_batch(batch_id).status.is_open

    with Live(progress_line(engine, batch_id), console=console, refresh_per_second=4, transient=True) as live:
        scheduler = EngineScheduler(
            engine, wiring.execution, lease, on_cycle=lambda _: live.update(progress_line(engine, batch_id))
        )
        limit = limit_seconds or wiring.execution.run_timeout_seconds
        stop = await scheduler.run(until=finished, limit_seconds=limit)
    console.print(batch_summary(engine, batch_id))
    if stop is Stop.DONE:
        return EXIT_OK
    if stop is Stop.HALTED:
        err_console.print(
            "[bold red]halted[/]: this run stopped sending; `oms resume` (or `oms resume --abandon`),"
            " then run the same command again to continue"
        )
        return EXIT_HALTED
    if stop is Stop.LEASE_LOST:
        err_console.print("[bold red]error:[/] another scheduler took over this account; stopped")
        return EXIT_CONFLICT
    if stop is Stop.FAILING:
        line = f"{scheduler.failures} cycles in a row failed, the last with {scheduler.failure}"
        err_console.print(f"[bold red]error:[/] {line}; stopped (details in the log)", markup=True, highlight=False)
        return EXIT_FAILURE
    err_console.print("[bold red]error:[/] orders are still working; run the same command again to resume")
    return EXIT_FAILURE
