"""`oms check`: the pre-trade risk checks over a trade list, as a dry run (nothing is sent, nothing is stored)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from oms.cli.app import (
    EXIT_FAILURE,
    EXIT_USAGE,
    ConfigOption,
    JsonOption,
    app,
    console,
    err_console,
    fail,
    settings_for,
)
from oms.cli.portfolio_inputs import FromBrokerOption, PricesOption, SourceBrokerOption, gather
from oms.config import ConfigError
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Portfolio
from oms.domain.values import utcnow
from oms.planning.errors import IntakeError
from oms.planning.intake import load_recommendations
from oms.planning.plan import Plan, PlannedOrder, build_plan
from oms.planning.settings import PlanningSettings
from oms.planning.sources import trade_symbols
from oms.ports import MarketData
from oms.risk import OrderChecks, Outcome, RiskContext, RiskLimits, load_limits, run_checks
from oms.risk.runner import iter_checks
from oms.text import quantity as quantity_text

PositionsOption = Annotated[
    Path | None,
    typer.Option("--positions", help="CSV of symbol, quantity[, average_cost]; without it no holdings checks run."),
]
AtOption = Annotated[
    datetime | None,
    typer.Option(
        "--at",
        formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z"],
        help="Check as if at this time, with its UTC offset (e.g. 2026-11-27T10:00-05:00). Default: now.",
    ),
]


@dataclass(frozen=True, slots=True)
class _PlanOrder:
    """A planned order as the checks read it: the plan's fields plus an id (its place in the plan)."""

    id: str
    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType
    limit_price: Decimal | None
    time_in_force: TimeInForce
    decision_price: Decimal | None
    extended_hours: bool = False

    @classmethod
    def of(cls, index: int, planned: PlannedOrder) -> _PlanOrder:
        return cls(
            id=f"plan-{index}",
            symbol=planned.symbol,
            side=planned.side,
            quantity=planned.quantity,
            order_type=planned.order_type,
            limit_price=planned.limit_price,
            time_in_force=planned.time_in_force,
            decision_price=planned.decision_price,
            extended_hours=bool(getattr(planned, "extended_hours", False)),
        )


@app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(help="Trade recommendations, CSV or JSON (as `oms plan` reads them).")],
    positions: PositionsOption = None,
    from_broker: FromBrokerOption = False,
    broker: SourceBrokerOption = None,
    prices: PricesOption = None,
    json_output: JsonOption = False,
    at: AtOption = None,
    config: ConfigOption = None,
) -> None:
    """Run every pre-trade risk check on a trade list and show each order's results (exit 1 if any is blocked)."""
    settings = settings_for(config)
    try:
        limits = load_limits(settings)
        planning = PlanningSettings.from_settings(settings)
    except ConfigError as exc:
        fail(str(exc))
    gathered = gather(
        settings,
        planning,
        symbols=trade_symbols(file),
        positions=positions,
        from_broker=from_broker,
        broker_name=broker,
        prices=prices,
    )
    master, portfolio = gathered.master, gathered.portfolio
    try:
        # Planned without the holdings: an oversized sell is for SHARES_AVAILABLE to report, not a planning error.
        trades = load_recommendations(file, master, step=planning.rebalance.fractional_step)
        plan = build_plan(trades, None, master, planning)
    except IntakeError as exc:
        _fail_problems(exc.problems)
    try:
        checks = check_plan(plan, portfolio, master, limits, at or utcnow())
    except ConfigError as exc:  # an unknown exchange is found when the calendar is first needed
        fail(str(exc))
    if json_output:
        typer.echo(json.dumps(_document(checks), indent=2))
    else:
        _render(checks, console, positions_given=portfolio is not None)
    if any(order_checks.blocked for order_checks in checks):
        raise typer.Exit(EXIT_FAILURE)


def check_plan(
    plan: Plan, portfolio: Portfolio | None, market: MarketData, limits: RiskLimits, now: datetime
) -> list[OrderChecks]:
    """Run every risk check over a plan's orders, in plan order (for `oms check`, and for `oms plan` to show)."""
    orders = [_PlanOrder.of(index, planned) for index, planned in enumerate(plan.orders, start=1)]
    return run_checks(orders, RiskContext(portfolio=portfolio, market=market, limits=limits, now=now))


def iter_plan_checks(
    plan: Plan, portfolio: Portfolio | None, market: MarketData, limits: RiskLimits, now: datetime
) -> Iterator[OrderChecks]:
    """`check_plan` one order at a time (for `oms plan`, which keeps only each order's short findings)."""
    orders = [_PlanOrder.of(index, planned) for index, planned in enumerate(plan.orders, start=1)]
    return iter_checks(orders, RiskContext(portfolio=portfolio, market=market, limits=limits, now=now))


def _document(checks: list[OrderChecks]) -> dict[str, Any]:
    return {
        "orders": [
            {
                "symbol": c.order.symbol,
                "side": c.order.side.value,
                "quantity": f"{c.order.quantity:f}",
                "results": [result.as_dict() for result in c.results],
            }
            for c in checks
        ]
    }


_STYLE = {Outcome.PASS: "green", Outcome.WARN: "yellow", Outcome.BLOCK: "bold red"}


def _render(checks: list[OrderChecks], out: Any, *, positions_given: bool) -> None:
    table = Table(title="Pre-trade risk checks", show_lines=False)
    for heading in ("#", "Side", "Qty", "Symbol", "Outcome", "Findings"):
        table.add_column(heading, overflow="fold")
    for index, order_checks in enumerate(checks, start=1):
        order, worst = order_checks.order, order_checks.worst
        findings = "\n".join(f"{r.code.value} ({r.outcome.value}): {r.message}" for r in order_checks.problems())
        table.add_row(
            str(index),
            order.side.value,
            quantity_text(order.quantity),
            order.symbol,
            f"[{_STYLE[worst]}]{worst.value}[/]",
            findings or "all checks pass",
        )
    out.print(table)
    counts = {outcome: sum(c.worst is outcome for c in checks) for outcome in Outcome}
    out.print(
        f"{len(checks)} orders: {counts[Outcome.PASS]} pass, {counts[Outcome.WARN]} warn, "
        f"{counts[Outcome.BLOCK]} blocked",
        highlight=False,
    )
    if not positions_given:
        out.print("no --positions given: position, exposure, cash and share checks were not run", highlight=False)


def _fail_problems(problems: list[str]) -> NoReturn:
    for problem in problems:
        err_console.print(f"[bold red]error:[/] {escape(problem)}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)
