"""`oms run`: a trade list in, orders executed through the broker, a summary out."""

from __future__ import annotations

import asyncio
import getpass
import sys
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
    fail,
    settings_for,
)
from oms.cli.views import batch_summary, progress_line, show_tickets
from oms.config import ConfigError, Settings, read_toml
from oms.domain import BatchStatus
from oms.execution.identity import content_hash
from oms.execution.lease import Lease, LeaseHeld
from oms.execution.scheduler import EngineScheduler, Stop
from oms.planning.errors import IntakeError
from oms.planning.intake import load_recommendations
from oms.planning.plan import build_plan
from oms.planning.positions import load_positions

ModeOption = Annotated[str, typer.Option("--mode", help="manual (print tickets), paper, or live.")]
BrokerOption = Annotated[
    str | None, typer.Option("--broker", help="sim (default), alpaca or ibkr; manual mode: manual.")
]


def actor_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@app.command("run")
def run_command(
    file: Annotated[Path, typer.Argument(help="Trade recommendations, CSV or JSON.")],
    mode: ModeOption = "paper",
    broker: BrokerOption = None,
    supervised: Annotated[
        bool | None, typer.Option("--supervised/--auto", help="Hold for `oms approve` (live default) or proceed.")
    ] = None,
    positions: Annotated[
        Path | None, typer.Option("--positions", help="Holdings CSV (manual mode, or to open a new sim venue).")
    ] = None,
    new: Annotated[bool, typer.Option("--new", help="Make a new batch even if this input ran before.")] = False,
    confirm_account: Annotated[
        str | None, typer.Option("--confirm-account", help="Live mode: the account id, for unattended runs.")
    ] = None,
    limit_seconds: Annotated[
        float | None, typer.Option("--timeout", help="Seconds to wait for the batch to finish.")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Execute a trade list: plan, check, then send wave by wave and wait until every order is done."""
    settings = settings_for(config, db)
    broker_name = broker or ("manual" if mode == "manual" else "sim")
    if mode == "manual" and broker_name != "manual":
        fail("--mode manual prints tickets; it takes no --broker (or --broker manual)")
    live_guard(settings, config, mode=mode, broker_name=broker_name, confirmation=confirm_account)
    is_supervised = supervised if supervised is not None else mode == "live"
    auto = supervised is False
    from oms.bootstrap import wire

    try:
        portfolio = load_positions(positions) if positions is not None else None
        wiring = wire(settings, broker_name=broker_name, mode=mode, actor=actor_name(), opening=portfolio)
        recommendations = load_recommendations(file, wiring.master)
        plan = build_plan(recommendations, portfolio if mode == "manual" else None, wiring.master, wiring.planning)
    except IntakeError as exc:
        for problem in exc.problems:
            err_console.print("[bold red]error:[/] ", end="", highlight=False)
            err_console.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    except (ConfigError, OSError) as exc:
        fail(str(exc))
    code = asyncio.run(
        _run(
            wiring,
            file=file,
            plan=plan,
            mode=mode,
            supervised=is_supervised,
            auto=auto,
            new=new,
            positions=positions,
            limit_seconds=limit_seconds,
        )
    )
    raise typer.Exit(code)


def live_guard(
    settings: Settings, config: Path | None, *, mode: str, broker_name: str, confirmation: str | None
) -> None:
    """Live trading needs --mode live, `[live] enabled = true` in the user's own file, and the account typed back."""
    from oms.execution.guards import LiveGuardRefused, Mode, require_live_opt_in

    if mode != "live":
        return
    if broker_name in ("sim", "manual"):
        fail(f"--mode live needs a live broker (--broker alpaca or ibkr), not {broker_name}")
    user_table = read_toml(config).get("live", {}) if config is not None else {}
    account = settings.live.account
    if confirmation is None and sys.stdin.isatty() and account:
        confirmation = typer.prompt(f"live trading on account {account}: type the account id to confirm")
    try:
        require_live_opt_in(
            Mode.LIVE,
            live_enabled=user_table.get("enabled") is True,
            configured_account=account,
            confirmation=confirmation,
        )
    except LiveGuardRefused as exc:
        fail(f"{exc.code}: {exc.message}")


async def _check_live_account(wiring, mode: str) -> None:  # type: ignore[no-untyped-def]
    """In live mode the broker must be logged in to the configured account; every submission names it."""
    from oms.execution.guards import LiveGuardRefused, Mode, check_connected_account

    if mode != "live":
        return
    account = await wiring.broker.account()
    try:
        check_connected_account(
            Mode.LIVE, configured_account=wiring.settings.live.account, connected_accounts=[account.account_id]
        )
    except LiveGuardRefused as exc:
        raise ConfigError(f"{exc.code}: {exc.message}") from None


async def _run(wiring, *, file, plan, mode, supervised, auto, new, positions, limit_seconds) -> int:  # type: ignore[no-untyped-def]
    engine = wiring.engine
    await wiring.broker.connect()
    try:
        try:
            await _check_live_account(wiring, mode)
        except ConfigError as exc:
            err_console.print(f"error: {exc}", markup=False, highlight=False)
            return EXIT_USAGE
        if engine.halted().active:
            halt = engine.halted()
            err_console.print(
                f"[bold red]halted[/] by {halt.by} at {halt.at:%Y-%m-%d %H:%M} UTC: {halt.reason}. "
                "Nothing is sent until `oms resume`."
            )
            return EXIT_HALTED
        digest = content_hash(file.read_bytes(), positions.read_bytes() if positions else b"", mode, wiring.broker.name)
        batch, created = engine.create_batch(
            plan,
            source=str(file),
            content_hash=digest,
            mode=mode,
            supervised=supervised,
            auto=auto,
            new=new,
            portfolio=load_positions(positions) if (positions and mode == "manual") else None,
        )
        if not created:
            console.print(f"resuming batch [bold]{batch.id}[/] made from this input before (use --new for another)")
        batch = await engine.validate_batch(batch.id)
        if batch.status is BatchStatus.AWAITING_APPROVAL:
            console.print(batch_summary(engine, batch.id))
            console.print(f"batch [bold]{batch.id}[/] awaits approval: review it, then `oms approve {batch.id}`")
            return EXIT_PENDING
        if mode == "manual":
            return await _manual_round(wiring, batch.id)
        return await _until_done(wiring, batch.id, limit_seconds)
    finally:
        await wiring.broker.close()


async def _manual_round(wiring, batch_id: str) -> int:  # type: ignore[no-untyped-def]
    """Manual mode: release what may go now, print its tickets, and leave the batch open for typed-in fills."""
    await wiring.engine.cycle()
    show_tickets(wiring, batch_id, console)
    done = not [o for o in wiring.engine.batch_orders(batch_id) if o.is_open]
    console.print(batch_summary(wiring.engine, batch_id))
    if not done:
        console.print("enter fills with `oms fill ORDER --qty Q --price P` or `oms fills import FILE.csv`")
    return EXIT_OK


async def _until_done(wiring, batch_id: str, limit_seconds: float | None) -> int:  # type: ignore[no-untyped-def]
    engine = wiring.engine
    lease = Lease(wiring.ledger, f"scheduler:{wiring.broker.name}:{engine.account}")
    try:
        await asyncio.to_thread(lease.acquire)
    except LeaseHeld as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        return EXIT_CONFLICT

    def finished() -> bool:
        return not [o for o in engine.batch_orders(batch_id) if o.is_open]

    try:
        with Live(progress_line(engine, batch_id), console=console, refresh_per_second=4, transient=True) as live:
            scheduler = EngineScheduler(
                engine, wiring.execution, lease, on_cycle=lambda _: live.update(progress_line(engine, batch_id))
            )
            limit = limit_seconds or wiring.execution.run_timeout_seconds
            stop = await scheduler.run(until=finished, limit_seconds=limit)
    finally:
        await asyncio.to_thread(lease.release)
    console.print(batch_summary(engine, batch_id))
    if stop is Stop.DONE:
        return EXIT_OK
    if stop is Stop.HALTED:
        err_console.print("[bold red]halted[/]: open orders were cancelled; `oms resume` then run again to continue")
        return EXIT_HALTED
    if stop is Stop.LEASE_LOST:
        err_console.print("[bold red]error:[/] another scheduler took over this account; stopped")
        return EXIT_CONFLICT
    err_console.print("[bold red]error:[/] orders are still working; run the same command again to resume")
    return EXIT_FAILURE
