"""Commands about the OMS itself: version and where things live."""

from __future__ import annotations

from importlib.metadata import version

import typer

from oms.cli.app import ConfigOption, DbOption, app, console, settings_for
from oms.config import redacted_url
from oms.logging import log_file_for


@app.command("version")
def version_command() -> None:
    """Print the OMS version."""
    console.print(version("oms"))


@app.command("paths")
def paths_command(config: ConfigOption = None, db: DbOption = None) -> None:
    """Print where the ledger, the data directory and the log file are."""
    settings = settings_for(config, db)
    console.print(f"database: {redacted_url(settings.database_url)}", highlight=False)
    console.print(f"data dir: {settings.data_path}", highlight=False)
    console.print(f"log file: {log_file_for(settings)}", highlight=False)
    from oms.operations.snapshot import user_config_file

    own = user_config_file(config)
    console.print(f"config file: {own if own is not None else '(none: the defaults)'}", highlight=False)
    raise typer.Exit(0)
