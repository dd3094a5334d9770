"""Rendering a plan: waves as tables, funding lines, and the seam for per-order check results."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console

from oms.cli.planning_view import render_plan
from oms.domain.enums import Side
from oms.planning.plan import build_plan
from oms.planning.settings import PlanningSettings

from .factories import master, recommendation, security


def test_render_plan_shows_waves_funding_and_optional_checks() -> None:
    """Each wave gets a titled table; check text keyed by priority appears in a Checks column; funding is listed."""
    plan = build_plan(
        [recommendation("AAA", Side.SELL, "10", reason="trim"), recommendation("BBB", Side.BUY, "5", reason="add")],
        None,
        master(security("AAA"), security("BBB")),
        PlanningSettings(),
    )
    console = Console(record=True, width=200)
    render_plan(plan, console, checks={2: "warn: BUY_CONCENTRATION"})
    text = console.export_text()
    assert "Wave 1: sells (1 orders)" in text
    assert "Wave 2: buys (1 orders)" in text
    assert "Checks" in text
    assert "warn: BUY_CONCENTRATION" in text
    assert "buy BBB $500.00 <- AAA $500.00" in text


def test_render_plan_without_checks_has_no_checks_column() -> None:
    """Without check results the table has no empty Checks column; --explain adds the reasons."""
    plan = build_plan([recommendation("AAA")], None, master(security("AAA", spread_bps=Decimal(2))), PlanningSettings())
    console = Console(record=True, width=200)
    render_plan(plan, console, explain=True)
    text = console.export_text()
    assert "Checks" not in text
    assert "market: liquid (spread 2 bps, 1.00% a day)" in text
    assert "one market order" in text
