"""Planning commands: `oms plan` (a dry run of a trade list) and `oms rebalance` (targets -> trades -> plan)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from oms.cli.app import EXIT_USAGE, ConfigOption, JsonOption, app, console, err_console, fail, settings_for
from oms.cli.planning_view import render_plan, render_rebalance
from oms.config import ConfigError
from oms.domain.market import Portfolio
from oms.planning.errors import IntakeError
from oms.planning.intake import TradeRecommendation, load_recommendations
from oms.planning.plan import Plan, build_plan
from oms.planning.positions import load_positions
from oms.planning.rebalance import rebalance
from oms.planning.securities import SecurityMaster
from oms.planning.settings import PlanningSettings
from oms.planning.targets import load_targets

PositionsOption = Annotated[
    Path | None, typer.Option("--positions", help="CSV of symbol, quantity[, average_cost]; a CASH row holds cash.")
]
ExplainOption = Annotated[bool, typer.Option("--explain", help="Show why each order type, limit and algo.")]


@app.command("plan")
def plan_command(
    file: Annotated[Path, typer.Argument(help="Trade recommendations, CSV or JSON.")],
    positions: PositionsOption = None,
    json_output: JsonOption = False,
    explain: ExplainOption = False,
    config: ConfigOption = None,
) -> None:
    """Plan a trade list without trading: waves, order types, limits, algorithms, costs and funding."""
    planning, master = _setup(config)
    try:
        portfolio = load_positions(positions) if positions is not None else None
        recommendations = load_recommendations(file, master)
        plan = build_plan(recommendations, portfolio, master, planning)
    except IntakeError as exc:
        _fail_problems(exc.problems)
    _show(plan, json_output=json_output, explain=explain)


@app.command("rebalance")
def rebalance_command(
    targets: Annotated[Path, typer.Option("--targets", help="Target weights, TOML [targets] or CSV symbol,weight.")],
    positions: Annotated[Path, typer.Option("--positions", help="CSV of symbol, quantity; a CASH row holds cash.")],
    output: Annotated[
        Path | None, typer.Option("--output", help="Also write the trades as a CSV that `oms plan` reads.")
    ] = None,
    json_output: JsonOption = False,
    explain: ExplainOption = False,
    config: ConfigOption = None,
) -> None:
    """Turn target weights and positions into trades within the allocation limits, and plan them."""
    planning, master = _setup(config)
    try:
        portfolio: Portfolio = load_positions(positions)
        weights = load_targets(targets)
        result = rebalance(weights, portfolio, master, planning.rebalance)
        plan = build_plan(result.recommendations, portfolio, master, planning)
    except IntakeError as exc:
        _fail_problems(exc.problems)
    if output is not None:
        _write_atomically(output, recommendations_csv(result.recommendations))
    if json_output:
        document = plan.to_json()
        document["adjustments"] = result.adjustments
        document["skipped"] = result.skipped
        typer.echo(json.dumps(document, indent=2))
        return
    render_rebalance(result, console)
    _show(plan, json_output=False, explain=explain)


def recommendations_csv(recommendations: list[TradeRecommendation]) -> str:
    """Return the recommendations as a CSV with the intake columns symbol, action, shares, reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["symbol", "action", "shares", "reason"])
    for recommendation in recommendations:
        writer.writerow(
            [
                recommendation.symbol,
                recommendation.side.value.upper(),
                f"{recommendation.shares:f}",
                recommendation.reason,
            ]
        )
    return buffer.getvalue()


def _setup(config: Path | None) -> tuple[PlanningSettings, SecurityMaster]:
    settings = settings_for(config)
    try:
        planning = PlanningSettings.from_settings(settings)
    except ConfigError as exc:
        fail(str(exc))
    try:
        master = SecurityMaster.load(planning.securities)
    except IntakeError as exc:
        _fail_problems(exc.problems)
    return planning, master


def _show(plan: Plan, *, json_output: bool, explain: bool) -> None:
    if json_output:
        typer.echo(json.dumps(plan.to_json(), indent=2))
        return
    render_plan(plan, console, explain=explain)


def _fail_problems(problems: list[str]) -> NoReturn:
    for problem in problems:
        err_console.print(f"[bold red]error:[/] {problem}", highlight=False, soft_wrap=True, markup=True)
    raise typer.Exit(EXIT_USAGE)


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and a rename so a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
