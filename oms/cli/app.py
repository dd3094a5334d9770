"""The Typer application, shared options and the one-line error handling every command uses."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from oms.config import ConfigError, Settings, load_settings
from oms.logging import configure, log_file_for


def _hide_flag_types() -> None:
    """Show no `<bool>` beside on/off flags (--help, --json, --supervised/--auto): a flag takes no value."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()

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
    try:
        configure(settings.logging.level, log_file_for(settings), console=console_logs and settings.logging.console)
    except ValueError as exc:
        fail(str(exc))
    return settings


def main() -> None:
    """Run the command; whatever escapes it becomes one line and the README's exit code (see oms/cli/errors.py)."""
    # Everything the OMS writes (data folder, ledger, venue, ticket files, log) is the user's alone: 700 and 600.
    os.umask(0o077)
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted; the ledger holds everything done so far, run the same command to resume")
        sys.exit(130)
    except Exception as exc:
        from oms.cli.errors import describe
        from oms.logging import log_exception

        failure = describe(exc)
        log_exception("cli.failed", exc, exit_code=failure.code)
        err_console.print("[bold red]error:[/] ", end="", highlight=False)
        err_console.print(failure.line, markup=False, highlight=False, soft_wrap=True)
        sys.exit(failure.code)
