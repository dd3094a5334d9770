"""The settings a batch was planned and checked with, kept in the ledger so later commands on it use the same.

The snapshot is `Settings.redacted()` (every table, every secret replaced), less where the ledger is and where this
process logs: a later command rebuilds the settings as defaults < its user file < snapshot < its own environment <
its flags, unless it is given `--config` (then that file is the truth). Secrets are never stored, so a later
command takes them from its own file and environment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from oms.config import Settings, merge
from oms.config.schema import Path_, Schema
from oms.config.sources import environment_layers, layered

SNAPSHOT = "settings"
LEFT_OUT = ("data_dir", "database", "logging")  # where the ledger is, and where this process logs: not the batch's


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


def take(settings: Settings) -> str:
    """The snapshot of the settings this batch is planned with, secrets replaced, as JSON text."""
    tables = {k: v for k, v in settings.redacted().items() if k not in LEFT_OUT}
    return json.dumps(tables, sort_keys=True)


def overrides_for(details: dict[str, str], settings: Settings) -> dict[str, Any]:
    """The settings a batch recorded, with this process's environment on top (it was told that now).

    Secrets (recorded redacted) and keys this version does not know are left out: `settings`, loaded by this
    process, supplies them.
    """
    schema = Schema(type(settings), {name: type(table) for name, table in settings._adapters.items()})
    recorded = _kept(json.loads(details.get(SNAPSHOT) or "{}"), (), schema)
    here, _ = layered(environment_layers(os.environ, schema))
    return merge(recorded, {k: v for k, v in here.items() if k not in LEFT_OUT})


def _kept(table: dict[str, Any], path: Path_, schema: Schema) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in table.items():
        where = (*path, key)
        if (key in LEFT_OUT and not path) or schema.secret(where):
            continue
        kept[key] = _kept(value, where, schema) if isinstance(value, dict) else value
    return kept
