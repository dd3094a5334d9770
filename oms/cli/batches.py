"""What `oms run`, `oms submit` and `oms daemon` share: options, reading the input, making the batch, the lease."""

from __future__ import annotations

import asyncio
import getpass
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from oms.cli.app import EXIT_USAGE, err_console, fail
from oms.config import ConfigError, Settings, load_settings, read_toml
from oms.domain import Batch
from oms.domain.market import Portfolio
from oms.execution.identity import content_hash
from oms.execution.lease import Lease, LeaseHeld
from oms.planning.errors import IntakeError
from oms.planning.plan import Plan

# Choices, so --help lists them and a typo is refused by name; tests/unit/test_cli_help.py keeps them equal to
# oms.bootstrap.MODES and the adapter registry.
Mode = Literal["manual", "paper", "live"]
BrokerName = Literal["sim", "alpaca", "ibkr", "manual"]
ModeOption = Annotated[Mode, typer.Option("--mode", help="manual prints tickets.")]
BrokerOption = Annotated[BrokerName | None, typer.Option("--broker", help="Default sim; manual mode: manual.")]
ConfirmAccountOption = Annotated[
    str | None, typer.Option("--confirm-account", help="Live mode: the account id, for unattended runs.")
]
PositionsOption = Annotated[
    Path | None, typer.Option("--positions", help="Holdings CSV (manual mode, or to open a new sim venue).")
]


def actor_name() -> str:
    """Who is at the keyboard, for the audit trail."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Prepared:
    """A trade list read, planned and wired to its broker; nothing is stored yet."""

    wiring: Any
    plan: Plan
    file: Path
    mode: str
    positions: Path | None
    portfolio: Portfolio | None
    snapshot: str = ""  # the settings the person gave (file and environment), kept with the batch


def wiring_for(settings: Settings, broker: str, *, mode: str | None = None, existing: bool = False) -> Any:
    """The one way a command wires the engine to a broker: manual mode for the manual book, paper otherwise.

    `existing`: refuse to create a ledger (commands that only look at or act on what is there)."""
    from oms.bootstrap import wire

    try:
        return wire(
            settings,
            broker_name=broker,
            mode=mode or ("manual" if broker == "manual" else "paper"),
            actor=actor_name(),
            existing=existing,
        )
    except ConfigError as exc:
        fail(str(exc))


def batch_settings(settings: Settings, config: Path | None, db: str | None, batch: Batch | None) -> Settings:
    """The settings a command on `batch` uses: those the batch recorded, unless this command was given --config."""
    from oms.operations.snapshot import SNAPSHOT, overrides_for, user_config_file

    if config is not None or batch is None or not batch.details.get(SNAPSHOT):
        return settings
    overrides = overrides_for(batch.details, settings)
    if db:
        overrides["database"] = {"url": db}
    try:
        return load_settings(user_config_file(None), **overrides)
    except ConfigError as exc:
        fail(str(exc))


def broker_for(mode: str, broker: str | None) -> str:
    """The broker a mode uses: manual mode prints tickets, the other modes default to the simulator."""
    name = broker or ("manual" if mode == "manual" else "sim")
    if mode == "manual" and name != "manual":
        fail("--mode manual prints tickets; it takes no --broker (or --broker manual)")
    return name


def prepare(
    settings: Settings,
    file: Path,
    *,
    mode: str,
    broker: str | None,
    positions: Path | None,
    from_broker: bool = False,
    prices: Path | None = None,
) -> Prepared:
    """Read and plan the input before anything is opened or written: bad input exits 2 leaving no trace.

    `from_broker` (or `prices`) prices the trade list from the broker's reference data (or the file) instead of
    the security master file alone, so symbols the file does not list can be traded (oms/cli/portfolio_inputs.py).
    """
    from oms.bootstrap import MODES, wire
    from oms.planning.intake import load_recommendations
    from oms.planning.plan import build_plan
    from oms.planning.positions import load_positions
    from oms.planning.securities import SecurityMaster
    from oms.planning.settings import PlanningSettings

    broker_name = broker_for(mode, broker)
    try:
        if mode not in MODES:
            raise ConfigError(f"--mode: unknown mode {mode!r} (known: {', '.join(MODES)})")
        planning = PlanningSettings.from_settings(settings)
        if from_broker or prices is not None:
            master = _priced_master(settings, planning, file, broker_name, from_broker=from_broker, prices=prices)
        else:
            master = SecurityMaster.load(planning.securities)
        portfolio = load_positions(positions) if positions is not None else None
        recommendations = load_recommendations(file, master, step=planning.rebalance.fractional_step)
        plan = build_plan(recommendations, portfolio if mode == "manual" else None, master, planning)
        wiring = wire(
            settings, broker_name=broker_name, mode=mode, actor=actor_name(), opening=portfolio, master=master
        )
    except IntakeError as exc:
        for problem in exc.problems:
            err_console.print("[bold red]error:[/] ", end="", highlight=False)
            err_console.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    except (ConfigError, OSError) as exc:
        fail(str(exc))
    from oms.operations.snapshot import take

    return Prepared(wiring, plan, file, mode, positions, portfolio, take(settings))


def _priced_master(
    settings: Settings, planning: Any, file: Path, broker_name: str, *, from_broker: bool, prices: Path | None
) -> Any:
    from oms.cli.portfolio_inputs import gather
    from oms.planning.sources import trade_symbols

    name = broker_name if from_broker and broker_name != "manual" else None
    return gather(settings, planning, symbols=trade_symbols(file), broker_name=name, prices=prices).master


def store_batch(prepared: Prepared, *, supervised: bool, auto: bool, new: bool, origin: str = "") -> tuple[Batch, bool]:
    """Create the batch, or find the one this same input (files, mode, broker) made before. (batch, created)."""
    wiring, positions = prepared.wiring, prepared.positions
    digest = content_hash(
        prepared.file.read_bytes(), positions.read_bytes() if positions else b"", prepared.mode, wiring.broker.name
    )
    return wiring.engine.create_batch(
        prepared.plan,
        source=str(prepared.file),
        content_hash=digest,
        mode=prepared.mode,
        supervised=supervised,
        auto=auto,
        new=new,
        portfolio=prepared.portfolio if prepared.mode == "manual" else None,
        origin=origin,
        snapshot=prepared.snapshot,
    )


def halted_line(engine: Any) -> str | None:
    """One line saying who halted this account and why, or None when it is not halted."""
    halt = engine.halted()
    if not halt.active:
        return None
    when = f" at {halt.at:%Y-%m-%d %H:%M} UTC" if halt.at else ""
    return f"halted by {halt.by}{when}: {halt.reason}. Nothing is sent until `oms resume`."


def scheduler_lease(wiring: Any) -> Lease:
    """The lease that lets one scheduler (`oms run` or `oms daemon`) work this broker account at a time."""
    from datetime import timedelta

    return Lease(
        wiring.ledger,
        f"scheduler:{wiring.broker.name}:{wiring.engine.account}",
        ttl=timedelta(seconds=wiring.execution.lease_seconds),
    )


async def acquire(lease: Lease) -> bool:
    """Take the lease, or say who holds it and return False."""
    try:
        await asyncio.to_thread(lease.acquire)
    except LeaseHeld as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        return False
    return True


def live_guard(
    settings: Settings, config: Path | None, *, mode: str, broker_name: str, confirmation: str | None
) -> None:
    """Live trading needs --mode live, `[live] enabled = true` in the user's own file, and the account typed back."""
    from oms.domain.live_guards import LiveGuardRefused, Mode, require_live_opt_in

    if mode != "live":
        return
    if broker_name in ("sim", "manual"):
        fail(f"--mode live needs a live broker (--broker alpaca or ibkr), not {broker_name}")
    from oms.operations.snapshot import user_config_file

    own = user_config_file(config)
    user_table = read_toml(own).get("live", {}) if own is not None else {}
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


async def live_account_refused(wiring: Any, mode: str) -> str | None:
    """In live mode the broker must be logged in to the configured account: the refusal, or None when it is."""
    from oms.domain.live_guards import LiveGuardRefused, Mode, check_connected_account

    if mode != "live":
        return None
    account = await wiring.broker.account()
    try:
        check_connected_account(
            Mode.LIVE, configured_account=wiring.settings.live.account, connected_accounts=[account.account_id]
        )
    except LiveGuardRefused as exc:
        return f"{exc.code}: {exc.message}"
    return None
