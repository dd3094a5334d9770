"""`oms positions`: the broker account's holdings and cash, priced with the time each price was observed."""

from __future__ import annotations

import json

import typer

from oms.cli.app import ConfigOption, JsonOption, app, console, fail, settings_for
from oms.cli.portfolio_inputs import SourceBrokerOption, gather
from oms.cli.price_view import positions_document, render_positions
from oms.config import ConfigError
from oms.planning.settings import PlanningSettings


@app.command("positions")
def positions_command(
    broker: SourceBrokerOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Show the account's positions and cash with prices, where each price came from, its age and weights."""
    settings = settings_for(config)
    try:
        planning = PlanningSettings.from_settings(settings)
    except ConfigError as exc:
        fail(str(exc))
    name = broker or "sim"
    gathered = gather(settings, planning, symbols=(), from_broker=True, broker_name=name)
    assert gathered.portfolio is not None  # from_broker reads the account
    if json_output:
        typer.echo(json.dumps(positions_document(gathered.master, gathered.portfolio, gathered.where), indent=2))
        return
    render_positions(gathered.master, gathered.portfolio, gathered.where, console)
