"""DAY orders end with the session: working ones expire at the venue, unsent ones in the ledger."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from oms.domain import BatchStatus, OrderStatus, OrderType
from tests.integration.engine.support import opening, plan_from_csv, run_until, start, wiring_for


async def test_unsent_day_orders_expire_at_the_close(tmp_path: Path) -> None:
    """A sell that cannot fill holds the buy it funds; at the close both expire and the batch finishes."""
    wiring = wiring_for(tmp_path, holdings=opening("1000", SPY="100"), sim={"speed": 600.0, "start_time": "15:57"})
    high = (wiring.master.quote("SPY").price * Decimal("1.08")).quantize(Decimal("0.01"))  # type: ignore[union-attr]
    plan = plan_from_csv(wiring, tmp_path, "SPY,SELL,100\nAGG,BUY,100\n")
    plan.orders = [
        dataclasses.replace(o, order_type=OrderType.LIMIT, limit_price=high) if o.symbol == "SPY" else o
        for o in plan.orders
    ]
    batch_id = await start(wiring, plan)
    orders = await run_until(wiring, batch_id, cycles=5000)
    by_symbol = {o.symbol: o for o in orders}
    assert by_symbol["SPY"].status is OrderStatus.EXPIRED  # at the venue, a DAY order left at the close
    assert by_symbol["AGG"].status is OrderStatus.EXPIRED  # never sent: its funding never came
    assert by_symbol["AGG"].filled_quantity == 0
    assert wiring.engine.find_batch(batch_id).status is BatchStatus.FINISHED
    await wiring.broker.close()
