"""Where the shipped configuration lives, and reading a TOML file into plain tables with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from oms.config.errors import ConfigError

# A checkout has config/ beside oms/; an installed wheel carries a copy inside the package (see setup.py).
_PACKAGED_CONFIG = Path(__file__).resolve().parents[1] / "_project" / "config"
_CHECKOUT_CONFIG = Path(__file__).resolve().parents[2] / "config"
CONFIG_DIR = _PACKAGED_CONFIG if (_PACKAGED_CONFIG / "default.toml").is_file() else _CHECKOUT_CONFIG
DEFAULT_CONFIG = CONFIG_DIR / "default.toml"


def read_toml(path: Path) -> dict[str, Any]:
    """The tables of a TOML file; anything unreadable is a ConfigError naming the file (never its content)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror or 'unreadable'}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not a text file: byte {exc.start + 1} is not UTF-8 (a configuration file is TOML text)"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two tables: `over` wins key by key, tables merge recursively."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
