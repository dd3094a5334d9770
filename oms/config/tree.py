"""The settings tree: `config/default.toml`, overlaid by the user's file (`--config FILE`), `OMS_*` variables, flags.

One `Settings` tree holds every table; one loader builds it and checks every table at load time, the adapters'
tables (`[sim]`, `[ibkr]`, `[alpaca]`, `[manual]`) with the adapters' own models, which the composition root names.
A problem is one line, `PLACE: table.key: reason`, where PLACE is the file, the variable or the command line.
Nested keys come from the environment with a double underscore: `OMS_RISK__MAX_ORDER_VALUE=50000`.
Secrets are `SecretStr`: they print as '**********', and no value of a secret-shaped key or of a table that holds
secrets is ever quoted in an error, a log, a file or the database.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from oms.config.errors import ConfigError, dotted, reason, shown
from oms.config.files import DEFAULT_CONFIG, read_toml
from oms.config.schema import Path_, Schema, problems
from oms.config.sources import Layer, environment_layers, layered, origin_of, suggested_variable
from oms.config.tables import (
    DatabaseSettings,
    LiveSettings,
    LoggingSettings,
    NotifyTable,
    ServeTable,
    redacted_url,
)
from oms.execution.algos.settings import AlgoSettings
from oms.execution.settings import ExecutionSettings
from oms.planning.settings import (
    GuidanceSettings,
    PlanningTable,
    RebalanceSettings,
    ReferenceSettings,
    ScheduleSettings,
)
from oms.reporting.settings import TcaSettings
from oms.risk.limits import RiskLimits

T = TypeVar("T", bound=BaseModel)
REDACTED = "[redacted]"
COMMAND_LINE = "command line"


class Settings(BaseModel):
    """All settings, one typed table per package; adapters' tables are reached with `adapter(name, Model)`."""

    model_config = ConfigDict(extra="forbid")

    data_dir: str = ""
    database: DatabaseSettings = DatabaseSettings()
    logging: LoggingSettings = LoggingSettings()
    live: LiveSettings = LiveSettings()
    planning: PlanningTable = PlanningTable()
    guidance: GuidanceSettings = GuidanceSettings()
    rebalance: RebalanceSettings = RebalanceSettings()
    risk: RiskLimits = RiskLimits()
    execution: ExecutionSettings = ExecutionSettings()
    algos: AlgoSettings = AlgoSettings()
    tca: TcaSettings = TcaSettings()
    reference: ReferenceSettings = ReferenceSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    serve: ServeTable = ServeTable()
    notify: NotifyTable = NotifyTable()
    _adapters: dict[str, BaseModel] = PrivateAttr(default_factory=dict)

    def adapter(self, name: str, model: type[T]) -> T:
        """The `[name]` table as the adapter's own model, validated when the settings were loaded."""
        table = self._adapters.get(name)
        if table is None:
            return model()  # settings built by hand, not by the loader: the model's defaults
        if not isinstance(table, model):
            raise TypeError(f"[{name}] was loaded as {type(table).__name__}, not {model.__name__}")
        return table

    def section(self, name: str) -> dict[str, Any]:
        """A loaded table as a plain dict, for code not yet reading the typed tables (prefer `settings.risk`)."""
        table = getattr(self, name, None) if name in type(self).model_fields else self._adapters.get(name)
        return table.model_dump() if isinstance(table, BaseModel) else {}

    def redacted(self) -> dict[str, Any]:
        """Every table as plain JSON values with every secret replaced: safe to print, log or store."""
        tables: dict[str, Any] = self.model_dump(mode="json")
        for name, table in self._adapters.items():
            tables[name] = table.model_dump(mode="json")
        tables["database"]["url"] = redacted_url(self.database.url)
        schema = Schema(type(self), {name: type(table) for name, table in self._adapters.items()})
        return _without_secrets(tables, (), schema)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else Path(platformdirs.user_data_dir("oms", appauthor=False))

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{self.data_path / 'oms.db'}"

    @property
    def log_file(self) -> Path:
        if self.logging.file:
            return Path(self.logging.file)
        return Path(platformdirs.user_log_dir("oms", appauthor=False)) / "oms.jsonl"


def _without_secrets(value: Any, path: Path_, schema: Schema) -> Any:
    if isinstance(value, dict):
        return {key: _without_secrets(inner, (*path, str(key)), schema) for key, inner in value.items()}
    if path and schema.secret(path) and path != ("database", "url"):
        return REDACTED
    return value


def load_settings(user_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings: defaults < the user's file < OMS_* environment < explicit overrides (CLI flags).

    Every table is checked here, once: an unknown table or key, a value out of range or of the wrong kind is a
    ConfigError of one line naming the place (file, variable or command line), the key, and the reason.
    """
    schema = Schema(Settings, _adapter_models())
    layers: list[Layer] = [(str(DEFAULT_CONFIG), read_toml(DEFAULT_CONFIG))]
    if user_file is not None:
        layers.append((str(user_file), read_toml(user_file)))
    layers += environment_layers(os.environ, schema)
    if overrides:
        layers.append((COMMAND_LINE, dict(overrides)))
    values, origins = layered(layers)
    fallback = str(user_file or DEFAULT_CONFIG)
    for path, advice in problems(values, schema):
        where = origin_of(path, origins, fallback)
        raise ConfigError(f"{where}: {dotted(path)}: {suggested_variable(where, path, advice)}")
    core = {key: value for key, value in values.items() if key not in schema.adapters}
    try:
        settings = Settings.model_validate(core)
        tables = {name: model.model_validate(values.get(name, {})) for name, model in schema.adapters.items()}
    except ValidationError as exc:
        raise _one_line(exc, values, origins, schema, fallback) from None
    settings._adapters = tables
    return settings


def validate_table(name: str, model: type[T], values: Mapping[str, Any], where: str = COMMAND_LINE) -> T:
    """Validate one table outside the loader (a test's or a script's overrides) with the loader's error format."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        schema = Schema(Settings, {name: model})
        raise _one_line(exc, {name: dict(values)}, {}, schema, where) from None


def overlay_environment(name: str, table: T, environ: Mapping[str, str]) -> T:
    """Overlay the variables of `environ` that set `[name]` keys on a loaded table, with the loader's rules."""
    model = type(table)
    schema = Schema(Settings, {name: model})
    layers = [layer for layer in environment_layers(environ, schema) if name in layer[1]]
    values, origins = layered([("settings", {name: table.model_dump()}), *layers])
    for path, advice in problems({name: values[name]}, schema):
        where = origin_of(path, origins, name)
        raise ConfigError(f"{where}: {dotted(path)}: {suggested_variable(where, path, advice)}")
    try:
        return model.model_validate(values[name])
    except ValidationError as exc:
        raise _one_line(exc, values, origins, schema, "settings") from None


def _one_line(
    exc: ValidationError, values: dict[str, Any], origins: dict[Path_, str], schema: Schema, fallback: str
) -> ConfigError:
    error = exc.errors()[0]
    title = exc.title
    loc = tuple(str(part) for part in error["loc"] if not str(part).startswith("["))
    path = loc if title == "Settings" else (_table_named(title, schema), *loc)
    path = tuple(part for part in path if part)
    where = origin_of(path, origins, fallback)
    value = "" if schema.secret(path) or not path else shown(error.get("input"))
    key = dotted(path) or "settings"
    return ConfigError(f"{where}: {key}: {reason(dict(error))}{value}")


def _table_named(title: str, schema: Schema) -> str:
    for name, model in schema.adapters.items():
        if model.__name__ == title:
            return name
    return ""


@functools.cache
def _adapter_models() -> dict[str, type[BaseModel]]:
    """The adapters' table models, checked by this loader like every other table.

    The core never names an adapter: the installed package declares them as plugins (the `oms.adapters` entry
    point `settings_tables` in pyproject.toml, which points at `adapters.registry.SETTINGS_MODELS`).
    """
    from importlib.metadata import entry_points

    models: dict[str, type[BaseModel]] = {}
    for entry in entry_points(group="oms.adapters", name="settings_tables"):
        models.update(entry.load())
    return models
