"""The composition root: the one place in `oms` that names concrete adapters and wires the engine together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oms.config import ConfigError, Settings
from oms.domain.market import Portfolio
from oms.execution.engine import ExecutionEngine
from oms.execution.riskgate import RiskGate
from oms.execution.settings import ExecutionSettings, load_execution_settings
from oms.planning.securities import SecurityMaster
from oms.planning.settings import PlanningSettings
from oms.ports import Broker, ReferenceData
from oms.risk.limits import RiskLimits, load_limits
from oms.store import Ledger

MODES = ("manual", "paper", "live")


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
    if name == "sim" and opening is not None:
        options["opening"] = opening
    if name in ("alpaca", "ibkr"):
        options["mode"] = mode
    return build(name, settings, data_dir=settings.data_path, **options)


def open_ledger(settings: Settings) -> Ledger:
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
    master: SecurityMaster | None = None,
) -> Wiring:
    """Build the engine for one broker account on the configured ledger; `master` overrides the security master
    file (e.g. one priced from the broker's reference data)."""
    if mode not in MODES:
        raise ConfigError(f"--mode: unknown mode {mode!r} (known: {', '.join(MODES)})")
    planning = PlanningSettings.from_settings(settings)
    master = master or SecurityMaster.load(planning.securities)
    limits = load_limits(settings)
    execution = load_execution_settings(settings)
    ledger = ledger or open_ledger(settings)
    broker = make_broker(broker_name, settings, mode=mode, opening=opening)
    account = _account_name(settings, broker_name)
    risk = RiskGate(ledger, broker, master, limits, market_buy_buffer_pct=execution.market_buy_buffer_pct)
    engine = ExecutionEngine(ledger, broker, market=master, risk=risk, settings=execution, account=account, actor=actor)
    return Wiring(settings, planning, master, ledger, broker, engine, execution, limits)


def _calendar(limits: RiskLimits) -> Any:
    from oms.risk.calendar import TradingCalendar

    return TradingCalendar(limits.exchange)


def _account_name(settings: Settings, broker_name: str) -> str:
    if broker_name == "ibkr":
        from adapters.ibkr.settings import settings_from_env

        return settings_from_env(settings.ibkr).account or "ibkr"
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
