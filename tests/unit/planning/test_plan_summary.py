"""A plan of thousands of orders prints a summary, not a table of every row; --json still lists them all."""

from __future__ import annotations

import io
import json

from rich.console import Console

from oms.cli.commands_planning import write_plan_json
from oms.cli.planning_view import MAX_ROWS, SHOWN_PER_WAVE, render_plan
from oms.domain.enums import Side
from oms.planning.plan import Plan, build_plan
from oms.planning.settings import PlanningSettings

from .factories import master, recommendation, security


def big_plan(count: int) -> Plan:
    symbols = [f"S{i:04d}" for i in range(count)]
    recommendations = [
        recommendation(symbol, Side.SELL if i % 2 else Side.BUY, "3", reason=f"row {i}")
        for i, symbol in enumerate(symbols)
    ]
    return build_plan(recommendations, None, master(*(security(s) for s in symbols)), PlanningSettings())


def test_beyond_max_rows_the_plain_output_summarises() -> None:
    """Each wave shows its first rows and a count of the rest; check findings are counted over every order."""
    plan = big_plan(MAX_ROWS * 3)
    console = Console(record=True, width=160, color_system=None)
    checks = {order.priority: ("warn BUY_CONCENTRATION" if order.side is Side.BUY else "pass") for order in plan.orders}
    render_plan(plan, console, checks=checks)
    text = console.export_text()
    lines = text.splitlines()
    assert len(lines) < 120
    assert f"{len(plan.orders):,} orders: showing the first {SHOWN_PER_WAVE} of each wave" in text
    assert f"… and {len(plan.waves[1]) - SHOWN_PER_WAVE:,} more orders in wave 1" in text
    assert "checks: 450 pass; 450 warn BUY_CONCENTRATION" in text
    assert "more buys" in text


def test_a_small_plan_is_printed_in_full() -> None:
    """At MAX_ROWS orders or fewer every order has its row."""
    plan = big_plan(40)
    console = Console(record=True, width=160, color_system=None)
    render_plan(plan, console)
    text = console.export_text()
    assert all(f"row {i}" in text for i in range(40))
    assert "more orders" not in text


def test_streamed_json_is_the_same_document_byte_for_byte() -> None:
    """The streamed --json output equals json.dumps(plan.to_json(), indent=2)."""
    plan = big_plan(25)
    out = io.StringIO()
    write_plan_json(plan, out)
    assert out.getvalue() == json.dumps(plan.to_json(), indent=2) + "\n"
