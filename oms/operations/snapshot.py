"""The settings a batch was planned and checked with, kept in the ledger so later commands on it use the same.

The snapshot is what the person changed (their config file and `OMS_*` variables), never the defaults, and never a
secret or the database URL (which may carry a password): a later command rebuilds the settings as defaults <
snapshot < its own environment < its flags, unless it is given `--config` (then that file is the truth).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from oms.config import environment_tables, merge, read_toml

SNAPSHOT = "settings"
SECRET_WORDS = ("secret", "key_id", "password", "token", "api_key", "passphrase")
LEFT_OUT_TABLES = ("database", "logging")  # where the ledger is, and where this process logs: not the batch's


def user_config_file(explicit: Path | None) -> Path | None:
    """The user's config file: --config, else $OMS_CONFIG, else $XDG_CONFIG_HOME/oms/config.toml when it exists."""
    if explicit is not None:
        return explicit
    named = os.environ.get("OMS_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    found = Path(base) / "oms" / "config.toml"
    return found if found.is_file() else None


def take(user_file: Path | None) -> str:
    """The snapshot of what this process was told (file and environment), secrets left out, as JSON text."""
    told = merge(read_toml(user_file) if user_file is not None else {}, environment_tables())
    return json.dumps(_without_secrets({k: v for k, v in told.items() if k not in LEFT_OUT_TABLES}), sort_keys=True)


def overrides_for(details: dict[str, str]) -> dict[str, Any]:
    """The settings a batch recorded, with this process's environment on top (it was told that now)."""
    recorded = json.loads(details.get(SNAPSHOT) or "{}")
    here = {k: v for k, v in environment_tables().items() if k not in LEFT_OUT_TABLES}
    return merge(recorded, here)


def _without_secrets(table: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in table.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            continue
        kept[key] = _without_secrets(value) if isinstance(value, dict) else value
    return kept
