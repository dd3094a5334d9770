"""Fill-gap decisions: when to read afresh, when to derive, at what price, and what a derived fill covers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms.domain import OrderStatus
from oms.domain.enums import Side
from oms.execution import fill_gaps
from oms.ports import FillReport, OrderReport, ReportStatus
from tests.unit.builders import T0, order_in


def report(filled: str, average: str | None) -> OrderReport:
    return OrderReport(
        "coid-1",
        "B1",
        "AAPL",
        Side.BUY,
        Decimal(10),
        ReportStatus.PARTIALLY_FILLED,
        Decimal(filled),
        Decimal(average) if average else None,
    )


def fill(exec_id: str, quantity: str) -> FillReport:
    return FillReport(exec_id, "coid-1", "B1", "AAPL", Side.BUY, Decimal(quantity), Decimal(150), T0)


def test_a_gap_is_read_afresh_after_the_grace_then_derived_after_twice_that() -> None:
    order = order_in(OrderStatus.SUBMITTED)
    gaps = fill_gaps.track({"coid-1": order}, [report("4", "150")], {}, T0)
    grace = timedelta(seconds=30)
    assert fill_gaps.needing_fresh_read(gaps, T0 + timedelta(seconds=29), grace) == []
    assert fill_gaps.needing_fresh_read(gaps, T0 + grace, grace) == ["coid-1"]
    read = {"coid-1": fill_gaps.Gap("coid-1", T0, fresh_read=True)}
    assert fill_gaps.needing_derived_fill(read, T0 + grace, grace) == []
    assert fill_gaps.needing_derived_fill(read, T0 + 2 * grace, grace) == ["coid-1"]


def test_the_derived_price_makes_the_average_the_brokers() -> None:
    order = order_in(OrderStatus.SUBMITTED)
    order.fill("x1", "2", "149.00", T0)
    derived = fill_gaps.derive(order, report("6", "150"), T0)
    assert derived is not None
    assert (derived.quantity, derived.price) == (Decimal(4), Decimal("150.5"))  # (6 x 150 - 2 x 149) / 4
    assert derived.exec_id == "derived:coid-1@6"


def test_no_average_price_no_derived_fill() -> None:
    assert fill_gaps.derive(order_in(OrderStatus.SUBMITTED), report("6", None), T0) is None


def test_a_closed_gap_is_forgotten() -> None:
    order = order_in(OrderStatus.SUBMITTED)
    order.fill("x1", "4", "150", T0)
    assert fill_gaps.track({"coid-1": order}, [report("4", "150")], {"coid-1": fill_gaps.Gap("coid-1", T0)}, T0) == {}


def test_executions_a_derived_fill_stands_for_are_not_booked_again() -> None:
    order = order_in(OrderStatus.SUBMITTED)
    order.fill("derived:coid-1@6", "6", "150", T0)
    keep, covered = fill_gaps.covered_by_derived(
        {"coid-1": order}, [fill("e1", "2"), fill("e2", "4"), fill("e3", "1")], [report("7", "150")]
    )
    # The broker says 7 filled, 6 are booked (derived): only what fits in the one share left is booked.
    assert [f.exec_id for f in keep] == ["e3"]
    assert [f.exec_id for f in covered] == ["e1", "e2"]
