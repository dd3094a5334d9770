"""DAY orders end with the session: working ones expire at the venue, unsent ones in the ledger."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.domain import BatchStatus, OrderStatus, OrderType
from tests.integration.engine.support import opening, plan_from_csv, run_until, start, wiring_for

NEW_YORK = ZoneInfo("America/New_York")


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


@pytest.mark.parametrize(
    ("day", "close_et"),
    [("2026-03-02", time(16, 0)), ("2026-11-27", time(13, 0))],  # a full day, and the day after Thanksgiving
)
async def test_an_unsent_manual_day_order_expires_at_the_exchange_close(
    tmp_path: Path, day: str, close_et: time
) -> None:
    """Without a venue clock (manual, IBKR) the XNYS calendar ends the day: an unsent DAY buy expires at its close."""
    wiring = wiring_for(tmp_path, broker="manual")
    session_day = date.fromisoformat(day)
    now = [datetime.combine(session_day, close_et, NEW_YORK) - timedelta(hours=1)]
    wiring.engine.clock = lambda: now[0].astimezone(UTC)
    plan = plan_from_csv(wiring, tmp_path, "SPY,SELL,10\nAGG,BUY,10\n")
    batch, _ = wiring.engine.create_batch(
        plan, source="test", content_hash=day, mode="manual", supervised=False, portfolio=opening("20000", SPY="100")
    )
    batch_id = (await wiring.engine.validate_batch(batch.id)).id
    for _ in range(3):
        await wiring.engine.cycle()
    by_symbol = {o.symbol: o for o in wiring.engine.batch_orders(batch_id)}
    assert by_symbol["SPY"].status is OrderStatus.SUBMITTED  # a ticket at the person's broker
    assert by_symbol["AGG"].status is OrderStatus.VALIDATED  # the next wave waits for the sell's cash
    now[0] = datetime.combine(session_day, close_et, NEW_YORK) - timedelta(minutes=1)
    await wiring.engine.cycle()
    assert {o.symbol: o for o in wiring.engine.batch_orders(batch_id)}["AGG"].status is OrderStatus.VALIDATED
    now[0] = datetime.combine(session_day, close_et, NEW_YORK) + timedelta(minutes=1)
    await wiring.engine.cycle()
    assert {o.symbol: o for o in wiring.engine.batch_orders(batch_id)}["AGG"].status is OrderStatus.EXPIRED
    await wiring.broker.close()
