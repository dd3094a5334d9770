"""Planning commands: `oms plan` (a dry run of a trade list) and `oms rebalance` (targets -> trades -> plan)."""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, NoReturn, TextIO, TypeVar

import typer

from oms.cli.app import EXIT_USAGE, ConfigOption, JsonOption, app, console, err_console, fail, settings_for
from oms.cli.planning_view import render_plan, render_rebalance
from oms.cli.portfolio_inputs import FromBrokerOption, PricesOption, SourceBrokerOption, gather
from oms.cli.price_view import price_sources, render_prices
from oms.config import ConfigError, Settings
from oms.domain.market import Portfolio
from oms.files import write_atomically
from oms.planning.drift import Bands
from oms.planning.errors import IntakeError
from oms.planning.intake import TradeRecommendation, load_recommendations
from oms.planning.plan import Plan, build_plan
from oms.planning.positions import load_positions
from oms.planning.rebalance import rebalance
from oms.planning.securities import SecurityMaster
from oms.planning.settings import PlanningSettings
from oms.planning.sources import trade_symbols
from oms.planning.targets import load_targets

T = TypeVar("T")
PositionsOption = Annotated[
    Path | None,
    typer.Option("--positions", help="CSV of symbol, quantity[, average_cost, price, at]; a CASH row holds cash."),
]
ExplainOption = Annotated[bool, typer.Option("--explain", help="Show why each order type, limit and algo.")]


@app.command("plan")
def plan_command(
    file: Annotated[Path, typer.Argument(help="Trade recommendations, CSV or JSON.")],
    positions: PositionsOption = None,
    from_broker: FromBrokerOption = False,
    broker: SourceBrokerOption = None,
    prices: PricesOption = None,
    json_output: JsonOption = False,
    explain: ExplainOption = False,
    config: ConfigOption = None,
) -> None:
    """Plan a trade list without trading: waves, order types, limits, algorithms, costs and funding."""
    settings = settings_for(config)
    planning = _planning(settings)

    def trade_problems(master: SecurityMaster) -> list[str]:
        found: list[str] = []
        _attempt(lambda: load_recommendations(file, master), found)
        return found

    gathered = gather(
        settings,
        planning,
        symbols=trade_symbols(file),
        positions=positions,
        from_broker=from_broker,
        broker_name=broker,
        prices=prices,
        more_problems=trade_problems,
    )
    master, portfolio = gathered.master, gathered.portfolio
    problems: list[str] = []
    step = planning.rebalance.fractional_step
    recommendations = _attempt(lambda: load_recommendations(file, master, step=step), problems)
    if problems or recommendations is None:
        _fail_problems(problems)
    try:
        plan = build_plan(recommendations, portfolio, master, planning)
    except IntakeError as exc:
        _fail_problems(exc.problems)
    if json_output:
        _show(plan, json_output=True, explain=explain)
        return
    render_plan(plan, console, checks=_risk_column(plan, portfolio, master, config), explain=explain)


def _risk_column(
    plan: Plan, portfolio: Portfolio | None, master: SecurityMaster, config: Path | None
) -> dict[int, str]:
    """Each order's pre-trade check findings, as `oms check` would report them, for the plan's Checks column."""
    from oms.cli.commands_risk import iter_plan_checks
    from oms.domain.values import utcnow
    from oms.planning.bulk import collector_paused
    from oms.risk.limits import load_limits

    column = {}
    try:
        limits = load_limits(settings_for(config))
        # One order's results at a time: only the short findings are kept (100,000 orders' full results are GBs).
        with collector_paused():
            checks = iter_plan_checks(plan, portfolio, master, limits, utcnow())
            for planned, result in zip(plan.orders, checks, strict=True):
                findings = [f"{r.outcome.value} {r.code.value}" for r in result.problems()]
                column[planned.priority] = "; ".join(findings) if findings else "pass"
    except ConfigError as exc:
        fail(str(exc))
    return column


@app.command("rebalance")
def rebalance_command(
    targets: Annotated[Path, typer.Option("--targets", help="Target weights, TOML [targets] or CSV symbol,weight.")],
    positions: Annotated[
        Path | None,
        typer.Option("--positions", help="CSV of symbol, quantity[, average_cost, price, at]; a CASH row holds cash."),
    ] = None,
    from_broker: FromBrokerOption = False,
    broker: SourceBrokerOption = None,
    prices: PricesOption = None,
    cash_only: Annotated[
        bool, typer.Option("--cash-only", help="Invest new cash (or raise --withdraw) without selling anything else.")
    ] = False,
    withdraw: Annotated[
        str | None, typer.Option("--withdraw", help="Take this many dollars out: sells raise it, the floor holds.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Also write the trades as a CSV that `oms plan` reads.")
    ] = None,
    json_output: JsonOption = False,
    explain: ExplainOption = False,
    config: ConfigOption = None,
) -> None:
    """Turn target weights and positions into trades within the allocation limits, and plan them."""
    settings = settings_for(config)
    planning = _planning(settings)
    if positions is None and not from_broker:
        fail("--positions: give a positions file, or --from-broker to read the account")
    amount = _amount(withdraw, "--withdraw") if withdraw is not None else Decimal(0)
    problems: list[str] = []
    weights = _attempt(lambda: load_targets(targets), problems)
    if problems or weights is None:
        held: list[str] = []  # report a bad positions file too, before the targets' problems, as always
        if positions is not None:
            _attempt(lambda: load_positions(positions), held)
        _fail_problems(held + problems)
    gathered = gather(
        settings,
        planning,
        symbols=set(weights) - {"CASH"},
        positions=positions,
        from_broker=from_broker,
        broker_name=broker,
        prices=prices,
    )
    portfolio, master = gathered.portfolio, gathered.master
    assert portfolio is not None  # --positions or --from-broker, checked above
    try:
        holdings_place = str(positions) if positions is not None else gathered.where
        places = dict.fromkeys(portfolio.positions, holdings_place) | {symbol: str(targets) for symbol in weights}
        result = rebalance(
            weights, portfolio, master, planning.rebalance, places=places, cash_only=cash_only, withdraw=amount
        )
        plan = build_plan(result.recommendations, portfolio, master, planning)
    except IntakeError as exc:
        _fail_problems(exc.problems)
    if output is not None:
        write_atomically(output, recommendations_csv(result.recommendations))
    bands = Bands(planning.rebalance.band_absolute, planning.rebalance.band_relative)
    if json_output:
        document = plan.to_json()
        document["adjustments"] = result.adjustments
        document["skipped"] = result.skipped
        document["holdings"] = price_sources(master, portfolio, weights, bands)
        typer.echo(json.dumps(document, indent=2))
        return
    render_prices(master, portfolio, weights, console, bands)
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


def _amount(text: str, option: str) -> Decimal:
    try:
        amount = Decimal(text.strip().replace("$", ""))
    except InvalidOperation:
        fail(f"{option}: not an amount of dollars: {text!r}")
    if not amount.is_finite() or amount <= 0:
        fail(f"{option}: must be a positive amount of dollars, not {text!r}")
    return amount


def _attempt(load: Callable[[], T], problems: list[str]) -> T | None:
    """Run one file reader; on IntakeError add its problems to `problems` so every bad file is reported."""
    try:
        return load()
    except IntakeError as exc:
        problems += exc.problems
        return None


def _planning(settings: Settings) -> PlanningSettings:
    try:
        return PlanningSettings.from_settings(settings)
    except ConfigError as exc:
        fail(str(exc))


def _show(plan: Plan, *, json_output: bool, explain: bool) -> None:
    if json_output:
        write_plan_json(plan, sys.stdout)
        return
    render_plan(plan, console, explain=explain)


def write_plan_json(plan: Plan, out: TextIO) -> None:
    """Write `plan.to_json()` as `json.dumps(..., indent=2)` would, one order at a time.

    A 100,000-order plan as one document is a few hundred MB of dicts and one 33 MB string; streamed, each order
    is built, written and freed in turn.
    """
    if not plan.orders:
        out.write(json.dumps(plan.to_json(), indent=2) + "\n")
        return
    out.write('{\n  "orders": [\n')
    last = len(plan.orders) - 1
    for index, order in enumerate(plan.orders):
        out.write(_order_json(order.to_json()) + (",\n" if index < last else "\n"))
    out.write("  ]\n}\n")
    out.flush()


_ENCODE = json.JSONEncoder().encode


def _order_json(document: dict[str, object]) -> str:
    # An order is a flat object: writing its lines directly is several times faster than json.dumps(indent=2),
    # whose pure-Python encoder builds a new closure set per call; the text is the same, byte for byte.
    if any(isinstance(value, dict | list) for value in document.values()):
        return textwrap.indent(json.dumps(document, indent=2), "    ")
    members = ",\n".join(f"      {_ENCODE(key)}: {_ENCODE(value)}" for key, value in document.items())
    return "    {\n" + members + "\n    }"


def _fail_problems(problems: list[str]) -> NoReturn:
    for problem in problems:
        err_console.print("[bold red]error:[/] ", end="", highlight=False)
        err_console.print(problem, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)
