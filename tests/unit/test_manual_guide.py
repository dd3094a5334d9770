"""The manual execution guide shows what the code does: its sample ticket and its VWAP table are the real ones."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.execution.algos.volume_profile import U_SHAPED_PERCENTS
from oms.reporting.tickets import Ticket, render_rich

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "MANUAL_EXECUTION_GUIDE.md"


def test_the_sample_ticket_is_what_the_terminal_prints() -> None:
    """Every line of the guide's sample ticket appears verbatim in the rendering of the same ticket."""
    ticket = Ticket(
        number=2,
        batch_id="ba54f47f750a",
        wave=1,
        symbol="SOXL",
        side=Side.SELL,
        quantity=Decimal(800),
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.DAY,
        client_order_id="ba54f47f750a-0002",
        algorithm="One limit order for 800 shares",
        limit_price=Decimal("28.49"),
        reference_price=Decimal("28.50"),
        expected_cost_bps=Decimal("4.29"),
    )
    console = Console(record=True, width=100, color_system=None)
    console.print(render_rich([ticket], "ba54f47f750a"))
    rendered = console.export_text()
    guide = GUIDE.read_text(encoding="utf-8")
    sample = [line for line in guide.splitlines() if line[:1] in "╭│╰"]
    assert len(sample) >= 12
    for line in sample:
        assert line in rendered, line


def test_the_vwap_table_matches_the_default_profile() -> None:
    """The half-hour percentages in the guide are the shipped U-shaped profile, in order."""
    guide = GUIDE.read_text(encoding="utf-8")
    pairs = re.findall(r"\| (\d\d:\d\d) \| ([\d.]+)% (?=\|)", guide)
    by_time = dict(pairs)
    assert len(by_time) == len(U_SHAPED_PERCENTS)
    assert [by_time[time] for time in sorted(by_time)] == list(U_SHAPED_PERCENTS)
