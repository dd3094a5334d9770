"""The Typer application, shared options and the one-line error handling every command uses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from oms.config import ConfigError, Settings, load_settings
from oms.logging import configure

app = typer.Typer(
    name="oms",
    help="Order management: plan a rebalance, check it, and execute it through a broker, safely.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

# Exit codes, documented in README.md.
EXIT_OK = 0
EXIT_FAILURE = 1  # the job ran but did not reach its goal (orders left working, differences found, ...)
EXIT_USAGE = 2  # bad input: a file, a value, an option; nothing was written
EXIT_HALTED = 3  # the kill switch is on
EXIT_CONFLICT = 4  # another process holds the account's scheduler lease
EXIT_PENDING = 5  # the batch waits for a person: `oms approve BATCH`
EXIT_UNAVAILABLE = 6  # the broker could not be asked; nothing was concluded (`oms reconcile`)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="A TOML file overriding config/default.toml (default: $OMS_CONFIG, or $XDG_CONFIG_HOME/oms/config.toml).",
    ),
]
DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: SQLite in the data directory).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 2, nothing written."""


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err_console.print("[bold red]error:[/] ", end="", highlight=False)
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_for(config: Path | None, db: str | None = None, *, console_logs: bool = False) -> Settings:
    """Load settings and set up logging; a bad config file is one clear line and exit 2."""
    overrides: dict[str, Any] = {}
    if db:
        overrides["database"] = {"url": db}
    from oms.operations.snapshot import user_config_file

    try:
        settings = load_settings(user_config_file(config), **overrides)
    except ConfigError as exc:
        fail(str(exc))
    configure(settings.logging.level, settings.log_file, console=console_logs and settings.logging.console)
    return settings


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted; the ledger holds everything done so far, run the same command to resume")
        sys.exit(130)
