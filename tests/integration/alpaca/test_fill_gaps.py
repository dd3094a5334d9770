"""A fill the stream never sends, with the activities endpoint down: the batch does not wait for ever."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from adapters.alpaca import AlpacaBroker
from oms.domain import OrderStatus
from oms.execution.fill_gaps import DERIVED_PREFIX
from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.integration.alpaca.conftest import BrokerFactory, order
from tests.integration.gap_rig import GapRig, gap_rig, send_tracked


async def _rig(broker: AlpacaBroker, path: Path) -> GapRig:
    return gap_rig(path, broker, fill_gap_seconds=5.0)


@pytest.mark.parametrize("failure", [404, 500], ids=["activities-404", "activities-500"])
async def test_a_fill_missing_from_the_stream_is_read_afresh_then_derived(
    broker: AlpacaBroker, emulator: AlpacaEmulator, tmp_path: Path, failure: int
) -> None:
    gap = await _rig(broker, tmp_path)
    try:
        await send_tracked(gap, order("gap-1", 100, limit="191.00"))
        emulator.venue.silent_fills = 1
        emulator.activities_failure = failure
        emulator.venue.execute("gap-1", Decimal(100), Decimal("190.50"))  # the socket stays up, says nothing
        reports = [await gap.engine.cycle()]
        gap.advance(5.0)
        reports.append(await gap.engine.cycle())  # fresh read asked: the endpoint fails
        assert emulator.calls["GET /v2/account/activities/FILL"] >= 1
        gap.advance(5.0)
        reports.append(await gap.engine.cycle())  # derived from the order: 100 at 190.50
        order_now = gap.order("gap-1")
        assert (order_now.status, order_now.filled_quantity) == (OrderStatus.FILLED, Decimal(100))
        [fill] = order_now.fills
        assert fill.exec_id.startswith(DERIVED_PREFIX)
        assert fill.price == Decimal("190.5")
    finally:
        gap.close()


async def test_the_real_fill_arriving_after_the_derived_one_is_not_booked_twice(
    make_broker: BrokerFactory, emulator: AlpacaEmulator, tmp_path: Path
) -> None:
    broker = await make_broker()
    gap = await _rig(broker, tmp_path)
    try:
        await send_tracked(gap, order("gap-2", 100, limit="191.00"))
        emulator.venue.silent_fills = 1
        emulator.activities_failure = 404
        emulator.venue.execute("gap-2", Decimal(100), Decimal("190.50"))
        await gap.cycles(3, every=5.0)
        emulator.activities_failure = None
        gap.engine.broker = await make_broker(stream=False)  # a restart: REST now lists the real execution
        await gap.cycles(2, every=1.0)
        order_now = gap.order("gap-2")
        assert order_now.filled_quantity == 100
        assert len(order_now.fills) == 1
    finally:
        gap.close()
