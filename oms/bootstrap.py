"""The composition root: the one place in `oms` that names concrete adapters and wires the engine together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from oms.config import ConfigError, Settings
from oms.domain.market import Portfolio
from oms.execution.engine import ExecutionEngine
from oms.execution.riskgate import RiskGate
from oms.execution.settings import ExecutionSettings
from oms.planning.securities import SecurityMaster
from oms.planning.settings import PlanningSettings
from oms.ports import Broker, MarketData, ReferenceData
from oms.risk.limits import RiskLimits, load_limits
from oms.store import Ledger

MODES = ("manual", "paper", "live")
# A fill as a person types it: client order id, quantity, price, time, the broker's execution id when known.
TypedFill = tuple[str, Decimal, Decimal, datetime, str | None]


@dataclass
class Wiring:
    """Everything a command needs to execute: settings, the ledger, the broker and the engine."""

    settings: Settings
    planning: PlanningSettings
    master: SecurityMaster
    ledger: Ledger
    broker: Broker
    engine: ExecutionEngine
    execution: ExecutionSettings
    limits: RiskLimits


def broker_names() -> list[str]:
    from adapters.registry import broker_names as names

    return names()


def make_broker(name: str, settings: Settings, *, mode: str, opening: Portfolio | None = None) -> Broker:
    """Build the adapter for `name`; the simulator opens a new venue holding `opening` when given."""
    from adapters.registry import make_broker as build

    options: dict[str, Any] = {}
    if name == "sim":
        table = settings.section("sim")
        if opening is None and table.get("opening_positions"):
            opening = _opening_positions(Path(str(table["opening_positions"])))
        if opening is not None:
            options["opening"] = opening
        if not table.get("securities_file"):  # the venue prices what planning knows, overlays included
            options["securities"] = list(SecurityMaster.load(PlanningSettings.from_settings(settings).securities))
    if name in ("alpaca", "ibkr"):
        options["mode"] = mode
    return build(name, settings, data_dir=settings.data_path, **options)


def _opening_positions(path: Path) -> Portfolio:
    """The holdings a new simulated venue opens with (`[sim] opening_positions`), relative to the project folder."""
    from oms.config import CONFIG_DIR
    from oms.planning.errors import IntakeError
    from oms.planning.positions import load_positions

    if not path.is_absolute():
        path = CONFIG_DIR.parent / path
    try:
        return load_positions(path)
    except IntakeError as exc:
        raise ConfigError(f"[sim] opening_positions: {exc.problems[0]}") from None


def import_manual_fills(
    broker: Broker, fills: Iterable[tuple[str, Decimal, Decimal, datetime, str | None, Decimal]]
) -> list[bool]:
    """Book typed fills (client order id, quantity, price, time, exec id, commission) in the manual book, all or
    nothing.

    Returns, per row, whether it was new; raises ValueError (one line) when a row is refused.
    """
    from adapters.manual import ManualFill, ManualTicketBroker

    if not isinstance(broker, ManualTicketBroker):
        raise ValueError(f"fills are typed in for the manual broker only, not {broker.name}")
    return broker.import_fills(ManualFill(*fill) for fill in fills)


def open_ledger(settings: Settings, *, existing: bool = False) -> Ledger:
    """Open (and migrate) the configured ledger; with `existing`, refuse to create one (reading commands)."""
    if existing:
        from oms.store.existing import require_existing

        require_existing(settings.database_url)
    return Ledger.open(
        settings.database_url,
        sqlite_synchronous=settings.database.sqlite_synchronous,
        busy_timeout_ms=settings.database.busy_timeout_ms,
    )


def wire(
    settings: Settings,
    *,
    broker_name: str,
    mode: str,
    actor: str,
    opening: Portfolio | None = None,
    ledger: Ledger | None = None,
    existing: bool = False,
    master: SecurityMaster | None = None,
) -> Wiring:
    """Build the engine for one broker account on the configured ledger; `master` overrides the security master
    file (e.g. one priced from the broker's reference data)."""
    if mode not in MODES:
        raise ConfigError(f"--mode: unknown mode {mode!r} (known: {', '.join(MODES)})")
    planning = PlanningSettings.from_settings(settings)
    master = master or SecurityMaster.load(planning.securities)
    limits = load_limits(settings)
    execution = settings.execution
    algos = settings.algos
    ledger = ledger or open_ledger(settings, existing=existing)
    broker = make_broker(broker_name, settings, mode=mode, opening=opening)
    account = _account_name(settings, broker_name)
    risk = RiskGate(ledger, broker, master, limits, market_buy_buffer_pct=execution.market_buy_buffer_pct)
    engine = ExecutionEngine(
        ledger,
        broker,
        market=broker_market(broker, master),
        risk=risk,
        settings=execution,
        account=account,
        actor=actor,
        algo_settings=algos,
        calendar=lambda: _calendar(limits),
    )
    return Wiring(settings, planning, master, ledger, broker, engine, execution, limits)


def broker_market(broker: Broker, master: MarketData) -> MarketData:
    """The broker's own quotes where it has them (the simulator's bid and ask), else the security master's."""
    own = getattr(broker, "market_data", None)
    return own(master) if callable(own) else master


def report_bars(settings: Settings, broker_name: str) -> Any:
    """The market's bars for the report's interval VWAP: the simulator's venue when its file exists, else None.

    Never creates a venue. Alpaca gives its minute bars; IB's are not wired here yet (use `oms report --prices`).
    """
    if broker_name == "alpaca":
        from adapters.alpaca.market_data import AlpacaMarketData
        from adapters.alpaca.settings import AlpacaConnection

        return AlpacaMarketData(
            AlpacaConnection.from_settings(settings, mode="live" if settings.live.enabled else "paper")
        )
    if broker_name != "sim":
        return None
    from adapters.sim import SimSettings

    sim = SimSettings(**settings.section("sim"))
    path = Path(sim.path) if sim.path else settings.data_path / "sim-venue.db"
    if not path.exists():
        return None
    broker: Any = make_broker("sim", settings, mode="paper")
    return broker.venue


def _calendar(limits: RiskLimits) -> Any:
    from oms.risk.calendar import TradingCalendar

    return TradingCalendar(limits.exchange)


def _account_name(settings: Settings, broker_name: str) -> str:
    if broker_name == "ibkr":
        from adapters.ibkr.settings import IbkrSettings

        return settings.adapter("ibkr", IbkrSettings).account or "ibkr"
    if broker_name == "alpaca":
        return settings.live.account if settings.live.enabled else "paper"
    return broker_name


def data_dir(settings: Settings) -> Path:
    path = settings.data_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_reference(broker: Broker, settings: Settings) -> ReferenceData | None:
    """The reference data of a built broker (sim, alpaca, ibkr), or None (manual)."""
    from adapters.registry import make_reference as build

    return build(broker, settings)
