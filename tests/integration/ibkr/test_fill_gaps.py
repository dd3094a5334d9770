"""Fills IB no longer lists (reqExecutions covers today only) are booked from the order's filled quantity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from oms.domain import OrderStatus
from oms.execution.fill_gaps import DERIVED_PREFIX
from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.integration.gap_rig import GapRig, gap_rig, send_tracked
from tests.integration.ibkr.conftest import limit


@pytest.fixture
async def ib(tmp_path: Path) -> AsyncIterator[tuple[IbkrVenueHarness, GapRig]]:
    venue = await IbkrVenueHarness.start()
    gap = gap_rig(tmp_path, venue.broker)
    try:
        yield venue, gap
    finally:
        gap.close()
        await venue.close()


async def test_executions_from_before_midnight_are_booked_from_the_order(ib: tuple[IbkrVenueHarness, GapRig]) -> None:
    """The OMS was down across midnight: yesterday's 40 shares are gone from reqExecutions, yet the order says 40
    filled. After the grace period and a fresh read the 40 are booked, flagged derived; today's fills book as usual."""
    venue, gap = ib
    await send_tracked(gap, limit("g5-0001", 100))
    await venue.execute("g5-0001", Decimal(15), Decimal("189.00"))
    await venue.execute("g5-0001", Decimal(25), Decimal("190.00"))
    venue.gateway.age_executions(days=1)
    gap.engine.broker = await venue.restart_adapter()  # a new day, a new process: the live fills are forgotten

    await gap.cycles(3, every=5.0)  # seen, read afresh, derived
    order = gap.order("g5-0001")
    assert order.filled_quantity == 40
    [derived] = order.fills
    assert derived.exec_id.startswith(DERIVED_PREFIX)
    assert derived.price == Decimal("189.625")  # from IB's average price: (15 x 189 + 25 x 190) / 40

    await venue.execute("g5-0001", Decimal(60), Decimal("190.00"))
    await gap.cycles(2, every=1.0)
    order = gap.order("g5-0001")
    assert (order.status, order.filled_quantity) == (OrderStatus.FILLED, Decimal(100))
    assert len(order.fills) == 2


async def test_a_gap_that_closes_by_itself_books_nothing_derived(ib: tuple[IbkrVenueHarness, GapRig]) -> None:
    venue, gap = ib
    await send_tracked(gap, limit("g5-0002", 100))
    await venue.execute("g5-0002", Decimal(100), Decimal("190.00"))
    await gap.cycles(4, every=5.0)
    order = gap.order("g5-0002")
    assert order.status is OrderStatus.FILLED
    assert not any(f.exec_id.startswith(DERIVED_PREFIX) for f in order.fills)
