"""Settings: `config/default.toml`, overlaid by the user's file (`--config FILE`), then `OMS_*` variables, then flags.

The tree and its loader are in `oms.config.tree`; this package's front door names them without importing them
until they are asked for. Every package's settings model is a table of the tree, and those models raise
`ConfigError` and read `CONFIG_DIR` themselves: importing `oms.config.errors` or `oms.config.files` must not pull
in every package's settings (an import circle, broken by whichever module happened to be imported first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oms.config.errors import ConfigError
from oms.config.files import CONFIG_DIR, DEFAULT_CONFIG, merge, read_toml
from oms.config.tables import DatabaseSettings, LiveSettings, LoggingSettings, redacted_url

if TYPE_CHECKING:
    from oms.config.tree import Settings, load_settings, overlay_environment, validate_table

_TREE = frozenset({"Settings", "load_settings", "overlay_environment", "validate_table"})

__all__ = [
    "CONFIG_DIR",
    "DEFAULT_CONFIG",
    "ConfigError",
    "DatabaseSettings",
    "LiveSettings",
    "LoggingSettings",
    "Settings",
    "load_settings",
    "merge",
    "overlay_environment",
    "read_toml",
    "redacted_url",
    "validate_table",
]


def __getattr__(name: str) -> Any:
    if name in _TREE:
        from oms.config import tree

        return getattr(tree, name)
    raise AttributeError(f"module 'oms.config' has no attribute {name!r}")
