"""The composition root for brokers: the one place that names the concrete adapters.

`make_broker("sim", settings, data_dir=...)` builds the adapter a command asked for. Adapters built on a broker SDK
are imported only when chosen, so the CLI starts fast and runs without SDKs it does not use.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from adapters.alpaca.settings import AlpacaSettings
from adapters.ibkr.settings import IbkrSettings
from adapters.manual_settings import ManualSettings
from adapters.sim.settings import SimSettings
from oms.config import CONFIG_DIR, ConfigError, Settings, validate_table
from oms.domain.market import Portfolio, Security
from oms.ports import Broker, ReferenceData

# Each adapter's table of the configuration and the model that checks it when the settings load.
SETTINGS_MODELS: dict[str, type[BaseModel]] = {
    "alpaca": AlpacaSettings,
    "ibkr": IbkrSettings,
    "manual": ManualSettings,
    "sim": SimSettings,
}

DEFAULT_SECURITIES = CONFIG_DIR / "securities.csv"

Factory = Callable[[Settings, Path, dict[str, Any]], Broker]


class UnknownBroker(ConfigError):
    """The broker name is not one this build knows."""


def _sim(settings: Settings, data_dir: Path, options: dict[str, Any]) -> Broker:
    from adapters.sim import SimulatedBroker

    sim_settings = settings.adapter("sim", SimSettings)
    overrides = {key: options.pop(key) for key in list(options) if key in SimSettings.model_fields}
    if overrides:
        sim_settings = validate_table("sim", SimSettings, sim_settings.model_dump() | overrides)
    # `[sim] opening_positions` is read by the composition root (oms.bootstrap), which passes it as `opening`.
    opening: Portfolio | None = options.pop("opening", None)
    if opening is not None:
        # Only a venue file created now takes these; an existing venue keeps its own cash and holdings.
        sim_settings = sim_settings.model_copy(update={"starting_cash": opening.cash})
        options.setdefault("initial_positions", list(opening.positions.values()))
    securities = options.pop("securities", None)
    if securities is None:
        securities = _security_master(sim_settings)
    path = Path(sim_settings.path) if sim_settings.path else data_dir / "sim-venue.db"
    return SimulatedBroker(path, securities, sim_settings, **options)


def _security_master(sim_settings: SimSettings) -> Iterable[Security]:
    """The securities the venue prices when the caller gave none: `[sim] securities_file`, else the default file."""
    return read_securities(Path(sim_settings.securities_file) if sim_settings.securities_file else None)


def _manual(settings: Settings, data_dir: Path, options: dict[str, Any]) -> Broker:
    from adapters.manual import ManualTicketBroker

    table = settings.adapter("manual", ManualSettings)
    path = Path(table.path) if table.path else data_dir / "manual-book.db"
    return ManualTicketBroker(path, **options)


def _ibkr(settings: Settings, data_dir: Path, options: dict[str, Any]) -> Broker:
    from adapters.ibkr import create_broker

    return create_broker(settings, mode=options.pop("mode", "paper"))


def _alpaca(settings: Settings, data_dir: Path, options: dict[str, Any]) -> Broker:
    from adapters.alpaca import AlpacaBroker

    return AlpacaBroker.from_settings(settings, mode=options.pop("mode", "paper"))


BROKERS: dict[str, Factory] = {
    "sim": _sim,
    "manual": _manual,
    "ibkr": _ibkr,
    "alpaca": _alpaca,
}


def broker_names() -> list[str]:
    return sorted(BROKERS)


def make_broker(name: str, settings: Settings, *, data_dir: Path, **options: Any) -> Broker:
    """Build the broker adapter called `name`; options go to its constructor.

    sim: `securities=` (default: the security master), `opening=` a Portfolio whose cash and holdings a new
    venue starts with, any `[sim]` setting (e.g. `speed=600`), `wall=`. manual: `announce=` a callable taking
    the one-line acknowledgement of each ticket. ibkr and alpaca: `mode=` "paper" (default) or
    "live" (the live guards apply).
    """
    factory = BROKERS.get(name)
    if factory is None:
        raise UnknownBroker(f"--broker: unknown broker {name!r} (known: {', '.join(broker_names())})")
    return factory(settings, data_dir, dict(options))


def read_securities(path: Path | None = None) -> list[Security]:
    """Read a security master CSV (symbol, name, asset_class, sector, last_price, adv, spread_bps, daily_volatility).

    The simulator's own reader, for when no securities are passed in (`oms.bootstrap` passes planning's security
    master, overlays included); errors name FILE:LINE.
    """
    path = path or DEFAULT_SECURITIES
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return [_security(path, line, row) for line, row in enumerate(csv.DictReader(handle), start=2)]
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such security master file") from None


def _security(path: Path, line: int, row: Mapping[str, str | None]) -> Security:
    def number(field: str, default: str | None = None) -> Decimal:
        text = (row.get(field) or default or "").strip()
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ConfigError(f"{path}:{line}: {field}: not a number: {text!r}") from None

    symbol = (row.get("symbol") or "").strip().upper()
    if not symbol:
        raise ConfigError(f"{path}:{line}: symbol: missing")
    return Security(
        symbol=symbol,
        name=(row.get("name") or symbol).strip(),
        asset_class=(row.get("asset_class") or "").strip(),
        sector=(row.get("sector") or "").strip(),
        last_price=number("last_price"),
        adv=number("adv"),
        spread_bps=number("spread_bps", "5"),
        daily_volatility=number("daily_volatility", "0.02"),
        leveraged=_flag(row.get("leveraged")),
        leverage_factor=number("leverage_factor", "1"),
        fractional=_flag(row.get("fractional")),
    )


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "y"}


def make_reference(broker: Broker, settings: Settings) -> ReferenceData | None:
    """The reference data (listings, quotes, daily bars) that goes with a built broker, or None when it has none."""
    if broker.name == "sim":
        from adapters.sim import SimulatedBroker
        from adapters.sim.reference import SimReference

        return SimReference(broker.venue) if isinstance(broker, SimulatedBroker) else None
    if broker.name == "alpaca":
        from adapters.alpaca.reference import AlpacaReference

        return AlpacaReference.for_broker(broker, settings)
    if broker.name == "ibkr":
        from adapters.ibkr.reference import IbkrReference

        return IbkrReference.for_broker(broker)
    return None
