"""The `oms` command. Each command group lives in its own module and registers itself on `app`."""

from __future__ import annotations

from oms.cli import (
    commands_core,  # noqa: F401  (registers commands)
    commands_daemon,  # noqa: F401  (registers commands)
    commands_fills,  # noqa: F401  (registers commands)
    commands_orders,  # noqa: F401  (registers commands)
    commands_planning,  # noqa: F401  (registers commands)
    commands_positions,  # noqa: F401  (registers commands)
    commands_report,  # noqa: F401  (registers commands)
    commands_risk,  # noqa: F401  (registers commands)
    commands_run,  # noqa: F401  (registers commands)
    commands_serve,  # noqa: F401  (registers commands)
)
from oms.cli.app import app, main

__all__ = ["app", "main"]
