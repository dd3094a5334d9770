"""Batches worked in the background or checked after the fact: submit, daemon, reconcile, tickets."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from oms.cli.app import (
    EXIT_CONFLICT,
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_PENDING,
    EXIT_UNAVAILABLE,
    ConfigOption,
    DbOption,
    JsonOption,
    app,
    console,
    err_console,
    fail,
    settings_for,
)
from oms.cli.batches import (
    BrokerOption,
    ConfirmAccountOption,
    ModeOption,
    PositionsOption,
    acquire,
    broker_for,
    halted_line,
    live_account_refused,
    live_guard,
    prepare,
    scheduler_lease,
    store_batch,
    wiring_for,
)
from oms.cli.portfolio_inputs import PricesOption
from oms.cli.views import show_tickets
from oms.config import ConfigError
from oms.domain import BatchStatus
from oms.execution.engine import BatchNotFound, CycleReport
from oms.execution.scheduler import EngineScheduler, Stop
from oms.operations.progress import BatchWatch


# ------------------------------------------------------------------------------------------------------- submit
@app.command("submit")
def submit_command(
    file: Annotated[Path, typer.Argument(help="Trade recommendations, CSV or JSON.")],
    mode: ModeOption = "paper",
    broker: BrokerOption = None,
    supervised: Annotated[
        bool, typer.Option("--supervised/--auto", help="Hold for `oms approve` (the default) or proceed.")
    ] = True,
    positions: PositionsOption = None,
    from_broker: Annotated[
        bool, typer.Option("--from-broker", help="Price the trades from the broker's reference data.")
    ] = False,
    prices: PricesOption = None,
    new: Annotated[bool, typer.Option("--new", help="Make a new batch even if this input was submitted before.")] = (
        False
    ),
    confirm_account: ConfirmAccountOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Create and check a batch for `oms daemon` to execute, without executing it; print its id and status."""
    settings = settings_for(config, db)
    live_guard(settings, config, mode=mode, broker_name=broker_for(mode, broker), confirmation=confirm_account)
    prepared = prepare(
        settings, file, mode=mode, broker=broker, positions=positions, from_broker=from_broker, prices=prices
    )
    wiring = prepared.wiring

    async def go() -> tuple[Any, bool]:
        await wiring.broker.connect()
        try:
            refused = await live_account_refused(wiring, mode)
            if refused:
                fail(refused)
            batch, created = store_batch(prepared, supervised=supervised, auto=not supervised, new=new, origin="submit")
            return await wiring.engine.validate_batch(batch.id), created
        finally:
            await wiring.broker.close()

    batch, created = asyncio.run(go())
    waiting = batch.status is BatchStatus.AWAITING_APPROVAL
    if json_output:
        typer.echo(json.dumps({"id": batch.id, "status": batch.status.value, "created": created}))
        raise typer.Exit(EXIT_PENDING if waiting else EXIT_OK)
    made = "submitted" if created else "already submitted (use --new for another)"
    console.print(f"batch [bold]{batch.id}[/] {made}: {batch.status.value}", highlight=False)
    if waiting:
        console.print(
            f"waits for you: review it with `oms status {batch.id}`, then `oms approve {batch.id}`", highlight=False
        )
        raise typer.Exit(EXIT_PENDING)
    console.print(f"`oms daemon --broker {batch.broker}` executes it (start one if none is running)", highlight=False)


# ------------------------------------------------------------------------------------------------------- daemon
@app.command("daemon")
def daemon_command(
    broker: BrokerOption = None,
    mode: Annotated[
        Literal["paper", "live"], typer.Option("--mode", help="paper, or live (with the live-trading guards).")
    ] = "paper",
    confirm_account: ConfirmAccountOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run cycles until nothing more can progress, then exit (for tests).")
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Execute submitted batches once approved, under the account's lease, until stopped (Ctrl-C or SIGTERM)."""
    settings = settings_for(config, db)
    broker_name = broker or "sim"
    if broker_name == "manual" or mode == "manual":
        fail("manual batches are worked by a person (`oms fill`), not by the daemon")
    if mode not in ("paper", "live"):
        fail(f"--mode: unknown mode {mode!r} (known: paper, live)")
    live_guard(settings, config, mode=mode, broker_name=broker_name, confirmation=confirm_account)
    wiring = wiring_for(settings, broker_name, mode=mode)
    raise typer.Exit(asyncio.run(_daemon(wiring, mode=mode, once=once, schedule=_schedule(settings))))


def _schedule(settings: Any) -> Any:
    """The `[schedule]` table when scheduled rebalances are on (oms/cli/scheduled.py), else None."""
    from oms.planning.settings import ScheduleSettings

    try:
        schedule = ScheduleSettings.from_settings(settings)
    except ConfigError as exc:
        fail(str(exc))
    return schedule if schedule.enabled else None


async def _daemon(wiring: Any, *, mode: str, once: bool, schedule: Any = None) -> int:
    engine = wiring.engine
    # Batches `oms run` made are worked by that command (run it again to resume one), never behind its back.
    engine.scope = lambda b: b.details.get("origin") != "run"
    lease = scheduler_lease(wiring)
    if not await acquire(lease):
        return EXIT_CONFLICT
    await wiring.broker.connect()
    try:
        refused = await live_account_refused(wiring, mode)
        if refused:
            fail(refused)  # the lease is released below
        await _validate_planned(wiring)
        watch = _HaltWatch(engine)
        last: list[CycleReport] = []
        batches = BatchWatch(engine.works)

        def on_cycle(report: CycleReport) -> None:
            last[:] = [report]
            watch.check()
            for line in batches.look(wiring.ledger, wiring.broker.name, report.finished_batches).lines:
                console.print(line, highlight=False, markup=False)

        from oms.web.notify import failure_notices

        scheduler = EngineScheduler(
            engine,
            wiring.execution,
            lease,
            on_cycle=on_cycle,
            stop_on_halt=False,
            reconcile=engine.reconcile,
            on_failure=failure_notices(wiring.settings, wiring.ledger, lease.name),
        )
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, scheduler.stop)
        account = engine.account or "default"
        console.print(f"daemon working {wiring.broker.name} account {account}; Ctrl-C or SIGTERM stops it")
        watch.check()
        rebalancing = _start_schedule(wiring, schedule, mode)
        try:
            if once:
                stop = await scheduler.run(
                    until=lambda: bool(last) and _quiet(last[0]), limit_seconds=wiring.execution.run_timeout_seconds
                )
            else:
                stop = await scheduler.run()
        finally:
            if rebalancing is not None:
                rebalancing.cancel()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
    finally:
        await wiring.broker.close()
        await asyncio.to_thread(lease.release)
    if stop is Stop.LEASE_LOST:
        err_console.print("[bold red]error:[/] another scheduler took over this account; stopped")
        return EXIT_CONFLICT
    if stop is Stop.TIMEOUT:
        err_console.print("[bold red]error:[/] orders are still working; run the daemon again to carry on")
        return EXIT_FAILURE
    if stop is Stop.FAILING:
        err_console.print(f"[bold red]error:[/] cycles keep failing ({scheduler.failure}); stopped", highlight=False)
        return EXIT_FAILURE
    console.print(f"daemon stopped ({stop.value}); the lease is released")
    return EXIT_OK


def _start_schedule(wiring: Any, schedule: Any, mode: str) -> asyncio.Task[None] | None:
    if schedule is None:
        return None
    from oms.cli.scheduled import ScheduledRebalances

    loop = ScheduledRebalances.build(wiring, schedule, mode=mode, announce=console.print)
    console.print(
        f"scheduled rebalances of {schedule.targets}: cron {schedule.cron!r} exchange time, {schedule.approval}"
    )
    return asyncio.get_running_loop().create_task(loop.run(), name="scheduled-rebalances")


def _quiet(report: CycleReport) -> bool:
    """Nothing can move without the world changing: nothing sent, booked, finished, nor working at the broker."""
    return not (report.working or report.submitted or report.fills_booked or report.rejected or report.finished_batches)


async def _validate_planned(wiring: Any) -> None:
    """Check batches stored but never checked (a submit stopped in between), so they can be approved."""
    with wiring.ledger.reading() as uow:
        planned = [b.id for b in uow.batches.open_for_broker(wiring.broker.name, statuses=[BatchStatus.PLANNED])]
    for batch_id in planned:
        await wiring.engine.validate_batch(batch_id)


class _HaltWatch:
    """Say once when the kill switch goes on and once when it goes off; the engine itself stops sending."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.active = False

    def check(self) -> None:
        line = halted_line(self.engine)
        if line and not self.active:
            err_console.print(f"[bold red]{line}[/]", highlight=False)
        elif not line and self.active:
            console.print("resumed: sending again")
        self.active = line is not None


# ---------------------------------------------------------------------------------------------------- reconcile
@app.command("reconcile")
def reconcile_command(
    broker: BrokerOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Compare from this date or time (ISO 8601; default 7 days ago).")
    ] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Compare the ledger with the broker's reports, book missing fills; exit 0 only when nothing differs."""
    from oms.execution.reconcile import ReconcileFailed, default_since, reconcile

    settings = settings_for(config, db)
    start = _since(since) if since else default_since()
    broker_name = broker or "sim"
    wiring = wiring_for(settings, broker_name, existing=True)

    async def go() -> Any:
        await wiring.broker.connect()
        try:
            return await reconcile(wiring.ledger, wiring.broker, since=start)
        finally:
            await wiring.broker.close()

    try:
        result = asyncio.run(go())
    except ReconcileFailed as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    differences = [d.as_dict() for d in result.differences]
    if json_output:
        typer.echo(json.dumps({"differences": differences}, indent=2))
    elif not differences:
        console.print(f"no differences between the ledger and {wiring.broker.name} since {start:%Y-%m-%d %H:%M} UTC")
    else:
        for found in result.differences:
            mark = "fixed" if found.fixed else "look"
            console.print(f"[{mark}] {found.kind} {found.subject}: {found.detail}", markup=False, highlight=False)
    raise typer.Exit(EXIT_OK if result.clean else EXIT_FAILURE)


def _since(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"--since: not an ISO 8601 date or time: {text!r}")
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


# ------------------------------------------------------------------------------------------------------ tickets
@app.command("tickets")
def tickets_command(
    batch: Annotated[
        str | None, typer.Argument(help="A manual batch (id or prefix); default: the only open manual batch.")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Print again the tickets of the orders working at the desk, and rewrite the Markdown and HTML files."""
    settings = settings_for(config, db)
    wiring = wiring_for(settings, "manual", existing=True)
    try:
        found = wiring.engine.find_batch(batch) if batch else None
    except BatchNotFound as exc:
        fail(str(exc))
    if found is not None and found.broker != "manual":
        fail(f"batch {found.id} runs at {found.broker}; tickets are printed for manual batches only")
    batch_id = found.id if found is not None else _only_open_manual_batch(wiring)
    if not show_tickets(wiring, batch_id, console):
        console.print(f"batch {batch_id} has no order working at the desk: no tickets to print", highlight=False)


def _only_open_manual_batch(wiring: Any) -> str:
    with wiring.ledger.reading() as uow:
        open_manual = [b.id for b in uow.batches.open_for_broker("manual")]
    if not open_manual:
        fail("no open manual batch; name one: oms tickets BATCH")
    if len(open_manual) > 1:
        fail(f"{len(open_manual)} manual batches are open ({', '.join(open_manual)}); name one: oms tickets BATCH")
    return open_manual[0]
