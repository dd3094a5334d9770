"""Tables at 80 columns as at 160: no line too long, headers whole, numbers whole, wide text under the row."""

from __future__ import annotations

import pytest
from rich.console import Console

from oms.cli.planning_view import render_plan
from oms.cli.tables import Column, FittedTable
from oms.cli.views import batch_lines, batch_summary
from oms.domain.enums import Side
from oms.planning.plan import build_plan
from oms.planning.settings import PlanningSettings
from tests.unit.planning.factories import master, recommendation, security

LONG_REASON = "Trim from 30.75% to target 16.77% (asked 20.00%; lowered for the leveraged limit and the cash floor)"
HEADERS = ["#", "Symbol", "Side", "Qty", "Type", "Limit", "TIF", "Algo", "Cost bps"]


def rendered(renderable: object, width: int) -> list[str]:
    console = Console(record=True, width=width, color_system=None)
    console.print(renderable)
    return console.export_text().splitlines()


def plan_lines(width: int) -> list[str]:
    plan = build_plan(
        [
            recommendation("AAA", Side.SELL, "123456.789", reason=LONG_REASON),
            recommendation("BBB", Side.BUY, "5", reason="add"),
        ],
        None,
        master(security("AAA", fractional=True), security("BBB")),
        PlanningSettings(),
    )
    console = Console(record=True, width=width, color_system=None)
    render_plan(plan, console, checks={1: "warn BUY_CONCENTRATION; warn ORDER_VALUE_HIGH", 2: "pass"})
    return console.export_text().splitlines()


@pytest.mark.parametrize("width", [80, 160])
def test_a_plan_reads_at_80_and_160_columns(width: int) -> None:
    """No line overflows; every header and number is whole; the long reason is there in full."""
    lines = plan_lines(width)
    assert all(len(line.rstrip()) <= width for line in lines)
    text = "\n".join(lines)
    header_line = next(line for line in lines if "Symbol" in line)
    for header in HEADERS:
        assert header in header_line
    assert "…" not in text
    assert "123456.789" in text
    flattened = " ".join(" ".join(line.replace("│", " ").split()) for line in lines)
    assert " ".join(LONG_REASON.split()[:6]) in flattened


def test_below_100_columns_the_reason_goes_under_its_row() -> None:
    """At 80 columns each order is one row of short columns with `Reason:` and `Checks:` lines under it."""
    lines = plan_lines(80)
    row = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1 ") and "AAA" in line)
    assert lines[row + 1].lstrip().startswith("Reason: Trim from 30.75%")
    assert any(line.lstrip().startswith("Checks: warn BUY_CONCENTRATION") for line in lines[row + 1 : row + 5])


def test_when_even_the_short_columns_do_not_fit_rows_print_vertically() -> None:
    """At 27 columns every cell is a `header: value` line, numbers whole."""
    table = FittedTable([Column("quantity", "right"), Column("price", "right"), Column("why", wide=True)])
    table.add_row("123456789.123456", "98765.4321", "because")
    lines = [line.rstrip() for line in rendered(table, 27)]
    assert "quantity: 123456789.123456" in lines
    assert "price: 98765.4321" in lines
    assert "why: because" in lines


def status_document() -> dict[str, object]:
    orders = [
        {
            "id": f"o{i}",
            "client_order_id": f"B20261203-0001-{i:03d}",
            "symbol": "SPY",
            "side": "buy",
            "quantity": "1234.5678",
            "status": "validated",
            "filled_quantity": "0",
            "average_fill_price": None,
            "wave": 2,
            "parent_id": None,
            "reason": "waiting for the cash its wave's sells raise: the engine releases a buy only when filled cash "
            "covers it",
        }
        for i in range(3)
    ]
    batch = {
        "id": "B20261203-0001",
        "status": "executing",
        "mode": "paper",
        "broker": "sim",
        "source": "/home/someone/portfolios/2026/december/rebalance-with-a-long-name.csv",
        "created_at": "2026-12-03T14:30:00+00:00",
        "orders": orders,
    }
    return {"batches": [batch, {**batch, "id": "B20261203-0002"}]}


@pytest.mark.parametrize("width", [80, 160])
def test_status_without_a_batch_is_one_line_per_batch(width: int) -> None:
    """`oms status` lists each batch on one line: header plus one line each, nothing wrapped."""
    lines = [line for line in rendered(batch_lines(status_document()), width) if line.strip()]
    body = [line for line in lines if "B20261203-000" in line]
    assert len(body) == 2
    assert all("3" in line and "sim (paper)" in line for line in body)
    assert all(len(line.rstrip()) <= width for line in lines)


@pytest.mark.parametrize("width", [80, 160])
def test_a_batch_summary_keeps_quantities_whole_and_the_why(width: int) -> None:
    """The batch table never cuts 1234.5678 nor shrinks headers; the waiting reason is readable."""
    document = status_document()["batches"][0]  # type: ignore[index]
    lines = rendered(batch_summary(None, "B20261203-0001", document=document), width)
    text = "\n".join(lines)
    assert all(len(line.rstrip()) <= width for line in lines)
    assert text.count("1234.5678") == 3
    assert "avg price" in text
    assert "quantity" in text
    flattened = " ".join(" ".join(line.replace("│", " ").split()) for line in lines)
    assert "waiting for the cash its wave's sells raise" in flattened
