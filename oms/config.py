"""Settings: `config/default.toml`, overlaid by the user's file (`--config FILE`) and then `OMS_*` variables.

Nested keys come from the environment with a double underscore: `OMS_RISK__MAX_ORDER_VALUE=50000`.
Secrets are `SecretStr`: they print as '**********' and never reach a log, a file or the database.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

# A checkout has config/ beside oms/; an installed wheel carries a copy inside the package (see setup.py).
_PACKAGED_CONFIG = Path(__file__).resolve().parent / "_project" / "config"
_CHECKOUT_CONFIG = Path(__file__).resolve().parents[1] / "config"
CONFIG_DIR = _PACKAGED_CONFIG if (_PACKAGED_CONFIG / "default.toml").is_file() else _CHECKOUT_CONFIG
DEFAULT_CONFIG = CONFIG_DIR / "default.toml"


class ConfigError(Exception):
    """A configuration file or value a person must fix; the message names the place."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(_Section):
    url: str = ""  # empty: an SQLite file in the user's data directory
    sqlite_synchronous: str = "normal"
    busy_timeout_ms: int = 10_000


class LoggingSettings(_Section):
    level: str = "info"
    file: str = ""  # empty: oms.jsonl in the user's log directory
    console: bool = True


class LiveSettings(_Section):
    enabled: bool = False
    account: str = ""


class AlpacaSettings(_Section):
    key_id: SecretStr = SecretStr("")
    secret_key: SecretStr = SecretStr("")
    base_url: str = "https://paper-api.alpaca.markets"
    stream_url: str = ""
    data_url: str = ""
    timeout_seconds: float = 10.0


class IbkrSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 4002
    client_id: int = 17
    account: str = ""
    timeout_seconds: float = 10.0


class Settings(BaseSettings):
    """All settings. Sections not modelled yet are kept as plain tables so later features can read them."""

    model_config = SettingsConfigDict(env_prefix="OMS_", env_nested_delimiter="__", extra="allow")

    database: DatabaseSettings = DatabaseSettings()
    logging: LoggingSettings = LoggingSettings()
    live: LiveSettings = LiveSettings()
    alpaca: AlpacaSettings = AlpacaSettings()
    ibkr: IbkrSettings = IbkrSettings()
    data_dir: str = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment outranks the files, which arrive as init values.
        return (env_settings, init_settings)

    def section(self, name: str) -> dict[str, Any]:
        """A table this class does not model (yet), as a plain dict."""
        extra = self.model_extra or {}
        value = extra.get(name, {})
        return dict(value) if isinstance(value, dict) else {}

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


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two tables: `over` wins key by key, tables merge recursively."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def environment_tables() -> dict[str, Any]:
    """`OMS_<TABLE>__<KEY>=value` for every table, modelled here or read by a feature (`[risk]`, `[sim]`, ...).

    Values are parsed as TOML when they can be (numbers, booleans, arrays) and taken as text otherwise.
    """
    tables: dict[str, Any] = {}
    for name, raw in os.environ.items():
        if not name.startswith("OMS_") or "__" not in name:
            continue
        path = [part.lower() for part in name[4:].split("__")]
        if not all(path):
            continue
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        node = tables
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return tables


def load_settings(user_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings: defaults < the user's file < OMS_* environment < explicit overrides (CLI flags)."""
    values = read_toml(DEFAULT_CONFIG)
    if user_file is not None:
        values = merge(values, read_toml(user_file))
    values = merge(values, environment_tables())
    if os.environ.get("OMS_DATABASE_URL"):  # the conventional short name, beside OMS_DATABASE__URL
        values = merge(values, {"database": {"url": os.environ["OMS_DATABASE_URL"]}})
    try:
        settings = Settings(**values)
        if overrides:
            settings = Settings.model_validate(merge(settings.model_dump(), overrides))
    except ValueError as exc:
        where = user_file or DEFAULT_CONFIG
        first = str(exc).splitlines()
        raise ConfigError(f"{where}: invalid setting: {' '.join(first[:3])}") from None
    return settings
