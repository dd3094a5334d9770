"""TWAP, VWAP and IS parents worked through child orders on the simulated venue."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from oms.domain import Algo, OrderStatus, OrderType
from oms.execution.algos.children import NOTE_REPRICE
from oms.store.ledger import FILLS
from tests.integration.engine.support import plan_from_csv, run_until, start, wiring_for


@pytest.mark.parametrize("algo", [Algo.TWAP, Algo.VWAP, Algo.IS])
async def test_a_parent_is_filled_by_its_children(tmp_path: Path, algo: Algo) -> None:
    """The parent never reaches the venue; its children do, and their executions become the parent's fills."""
    wiring = wiring_for(tmp_path)
    plan = plan_from_csv(wiring, tmp_path, "SPY,BUY,200\n", algo=algo, order_type=OrderType.MARKET, limit_price=None)
    batch_id = await start(wiring, plan)
    orders = await run_until(wiring, batch_id)
    (parent,) = [o for o in orders if o.parent_id is None]
    children = [o for o in orders if o.parent_id == parent.id]
    assert parent.status is OrderStatus.FILLED
    assert parent.is_parent
    assert len(children) > 1
    assert sum(c.quantity for c in children) == Decimal(200)
    assert all(c.status is OrderStatus.FILLED for c in children)
    assert parent.filled_quantity == sum(c.filled_quantity for c in children)
    child_notional = sum(f.quantity * f.price for c in children for f in c.fills)
    assert parent.average_fill_price == child_notional / Decimal(200)
    venue_coids = set(wiring.broker.venue.submissions())
    assert parent.client_order_id not in venue_coids
    assert {c.client_order_id for c in children} <= venue_coids
    with wiring.ledger.reading() as uow:
        executions = uow.orders.fills_since(parent.created_at.replace(year=2000))
    assert sum(row.quantity for row in executions) == Decimal(200)  # allocations are never counted twice
    await wiring.broker.close()


async def test_children_go_one_at_a_time_in_venue_time(tmp_path: Path) -> None:
    """No child is sent before its slice's time on the venue's clock, and never two live children at once."""
    wiring = wiring_for(tmp_path, sim={"speed": 600.0})
    plan = plan_from_csv(
        wiring, tmp_path, "SPY,BUY,300\n", algo=Algo.TWAP, order_type=OrderType.MARKET, limit_price=None
    )
    batch_id = await start(wiring, plan)
    max_live = 0

    def observe(orders: list) -> bool:  # type: ignore[type-arg]
        nonlocal max_live
        max_live = max(max_live, sum(1 for o in orders if o.parent_id and o.status.is_at_broker))
        return all(o.is_terminal for o in orders)

    await run_until(wiring, batch_id, observe, cycles=20_000)
    assert max_live <= 1
    await wiring.broker.close()


async def test_an_unfilled_limit_child_is_repriced_by_cancel_then_new(tmp_path: Path) -> None:
    """A limit child below the market waits out its patience, is cancelled, and a replacement goes at a new limit."""
    wiring = wiring_for(tmp_path, algos={"reprice_patience_seconds": {"low": 60, "normal": 60, "high": 60}})
    reference = wiring.master.quote("SPY").price  # type: ignore[union-attr]
    low = (reference * Decimal("0.995")).quantize(Decimal("0.01"))
    plan = plan_from_csv(wiring, tmp_path, "SPY,BUY,100\n", algo=Algo.TWAP, order_type=OrderType.LIMIT, limit_price=low)
    batch_id = await start(wiring, plan)
    orders = await run_until(
        wiring, batch_id, lambda os: any("r1" in (o.client_order_id or "") for o in os), cycles=20_000
    )
    (parent,) = [o for o in orders if o.parent_id is None]
    first = next(o for o in orders if (o.client_order_id or "").endswith("-1"))
    replacement = next(o for o in orders if (o.client_order_id or "").endswith("-1r1"))
    assert first.status in (OrderStatus.CANCELLED, OrderStatus.FILLED)
    assert replacement.limit_price is not None
    assert replacement.limit_price > low
    assert replacement.quantity == first.quantity - first.filled_quantity
    assert any(e.details.get("note") == NOTE_REPRICE for e in parent.events)
    live = [o for o in orders if o.parent_id and o.status.is_at_broker]
    assert len(live) <= 1
    with wiring.ledger.reading() as uow:
        allocated = list(uow.connection.execute(select(FILLS).where(FILLS.c.allocation.is_(True))))
    assert all(row.order_id == parent.id for row in allocated)
    await wiring.broker.close()


async def test_cancelling_a_parent_cancels_its_children(tmp_path: Path) -> None:
    """A cancelled parent stops sending children; it settles cancelled once its live child is done."""
    wiring = wiring_for(tmp_path, sim={"speed": 60.0})
    plan = plan_from_csv(
        wiring, tmp_path, "SPY,BUY,400\n", algo=Algo.TWAP, order_type=OrderType.MARKET, limit_price=None
    )
    batch_id = await start(wiring, plan)
    orders = await run_until(wiring, batch_id, lambda os: any(o.parent_id for o in os), cycles=200)
    parent = next(o for o in orders if o.parent_id is None)
    await wiring.engine.cancel_order(parent.id, actor="test", reason="changed my mind")
    orders = await run_until(wiring, batch_id)
    parent = next(o for o in orders if o.parent_id is None)
    children = [o for o in orders if o.parent_id == parent.id]
    assert parent.status in (OrderStatus.CANCELLED, OrderStatus.FILLED)
    assert parent.filled_quantity == sum(c.filled_quantity for c in children)
    assert any(c.status is OrderStatus.CANCELLED for c in children)
    await wiring.broker.close()


async def test_a_split_parent_is_measured_once_in_the_execution_report(tmp_path: Path) -> None:
    """TCA counts a parent's executions once: its allocations, not its allocations plus its children's fills."""
    from oms.reporting.tca_batch import build_report

    wiring = wiring_for(tmp_path)
    plan = plan_from_csv(
        wiring, tmp_path, "SPY,BUY,200\n", algo=Algo.TWAP, order_type=OrderType.MARKET, limit_price=None
    )
    batch_id = await start(wiring, plan)
    orders = await run_until(wiring, batch_id)
    report = build_report(orders)
    (parent_row,) = [row for row in report.orders if row.symbol == "SPY"]
    assert parent_row.filled_quantity == Decimal(200)
    await wiring.broker.close()


async def test_max_slices_from_the_algos_table_bounds_the_children(tmp_path: Path) -> None:
    """`[algos] max_slices = 2` reaches the engine through the wiring: a TWAP parent gets at most 2 children."""
    wiring = wiring_for(tmp_path, algos={"max_slices": 2, "slice_interval_minutes": 1})
    plan = plan_from_csv(
        wiring, tmp_path, "SPY,BUY,300\n", algo=Algo.TWAP, order_type=OrderType.MARKET, limit_price=None
    )
    batch_id = await start(wiring, plan)
    orders = await run_until(wiring, batch_id, cycles=20_000)
    (parent,) = [o for o in orders if o.parent_id is None]
    children = [o for o in orders if o.parent_id == parent.id]
    assert parent.status is OrderStatus.FILLED
    assert 1 <= len(children) <= 2
    await wiring.broker.close()
