"""Rich rendering of plans and rebalances for `oms plan` and `oms rebalance`.

`render_plan` takes optional per-order check results (`checks`, keyed by the order's priority) so the risk
helper's pre-trade results can appear next to each order without this module knowing their shape beyond
"one short text per order".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal

from rich.console import Console

from oms.cli.tables import Column, FittedTable
from oms.domain.enums import Side
from oms.planning.plan import Plan
from oms.planning.rebalance import Rebalance

# Beyond this many orders the plain output summarises (a table of 100,000 rows helps nobody and takes minutes):
# the first rows of each wave, counts of the rest and of the check findings; `--json` always lists every order.
MAX_ROWS = 300
SHOWN_PER_WAVE = 10


def render_plan(
    plan: Plan, console: Console, *, checks: Mapping[int, str] | None = None, explain: bool = False
) -> None:
    """Print a summary line, each wave as a table, then the funding links and the plan's notes."""
    console.print(summary(plan), highlight=False)
    summarise = len(plan.orders) > MAX_ROWS
    if summarise:
        console.print(
            f"{len(plan.orders):,} orders: showing the first {SHOWN_PER_WAVE} of each wave; "
            "`oms plan --json` lists every order",
            highlight=False,
        )
        if checks is not None:
            console.print(f"checks: {_finding_counts(checks)}", highlight=False)
    for wave, all_orders in plan.waves.items():
        orders = all_orders[:SHOWN_PER_WAVE] if summarise else all_orders
        sides = {order.side.value for order in orders}
        title = f"Wave {wave}: {' and '.join(sorted(sides))}s ({len(all_orders):,} orders)"
        columns = [
            Column("#", "right"),
            Column("Symbol"),
            Column("Side"),
            Column("Qty", "right"),
            Column("Type"),
            Column("Limit", "right"),
            Column("TIF"),
            Column("Algo"),
            Column("Cost bps", "right"),
            Column("Reason", wide=True),
        ]
        if checks is not None:
            columns.append(Column("Checks", wide=True))
        table = FittedTable(columns, title=title)
        for order in orders:
            cells = [
                str(order.priority),
                order.symbol,
                order.side.value,
                _number(order.quantity),
                order.order_type.value,
                _number(order.limit_price),
                order.time_in_force.value,
                order.algo.value,
                _number(order.expected_cost_bps),
                order.reason,
            ]
            if checks is not None:
                cells.append(checks.get(order.priority, ""))
            table.add_row(*cells)
        console.print(table)
        if len(all_orders) > len(orders):
            console.print(f"  … and {len(all_orders) - len(orders):,} more orders in wave {wave}", highlight=False)
        if explain:
            for order in orders:
                console.print(f"  #{order.priority} {order.symbol}: {order.guidance_reason}", highlight=False)
                console.print(f"  #{order.priority} {order.symbol}: {order.algo_reason}", highlight=False)
    render_funding(plan, console)


def summary(plan: Plan) -> str:
    """Return one line: order count, sell and buy value, and the value-weighted expected cost."""
    sells = sum((o.value for o in plan.orders if o.side is Side.SELL), Decimal(0))
    buys = sum((o.value for o in plan.orders if o.side is Side.BUY), Decimal(0))
    costed = [o for o in plan.orders if o.expected_cost_bps is not None]
    weight = sum((o.value for o in costed), Decimal(0))
    cost = sum((o.value * o.expected_cost_bps for o in costed if o.expected_cost_bps is not None), Decimal(0))
    average = f"{cost / weight:.2f} bps (${cost / 10_000:,.2f})" if weight else "unknown"
    return (
        f"Plan: {len(plan.orders):,} orders in {len(plan.waves)} waves; sells ${sells:,.2f}, buys ${buys:,.2f}; "
        f"expected cost {average}"
    )


def render_funding(plan: Plan, console: Console) -> None:
    """Print which sells fund which buys, and the notes."""
    funding = plan.funding
    if funding.links:
        cash = "unknown (no positions given)" if funding.cash is None else f"${funding.cash:,.2f}"
        console.print(f"Funding (cash {cash}, floor ${funding.cash_floor:,.2f}):", highlight=False)
        links = funding.links if len(funding.links) <= MAX_ROWS else funding.links[:SHOWN_PER_WAVE]
        for link in links:
            sources = ", ".join(f"{s.source} ${s.amount:,.2f}" for s in link.sources) or "nothing planned"
            short = f"; short ${link.shortfall:,.2f}" if link.shortfall > 0 else ""
            console.print(f"  buy {link.symbol} ${link.cost:,.2f} <- {sources}{short}", highlight=False)
        if len(funding.links) > len(links):
            shortfalls = sum(1 for link in funding.links if link.shortfall > 0)
            console.print(
                f"  … and {len(funding.links) - len(links):,} more buys ({shortfalls:,} of all buys short)",
                highlight=False,
            )
    for note in plan.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)


def render_rebalance(result: Rebalance, console: Console) -> None:
    """Print the portfolio value, the target changes and the skipped trades."""
    console.print(f"Portfolio value ${result.portfolio_value:,.2f}", highlight=False)
    for sentence in result.adjustments:
        console.print(f"[yellow]adjusted:[/] {sentence}", highlight=False)
    for sentence in result.skipped:
        console.print(f"[dim]skipped:[/] {sentence}", highlight=False)


def _finding_counts(checks: Mapping[int, str]) -> str:
    counts = Counter(finding for text in checks.values() for finding in text.split("; ") if finding)
    return "; ".join(f"{count:,} {finding}" for finding, count in counts.most_common())


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"
