"""Each step of the cycle on its own, with plain inputs: a ledger, a FakeBroker, a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.domain import BatchStatus, OrderStatus
from oms.execution.cycle import closing, polling
from oms.ports import MarketClock
from oms.risk.calendar import TradingCalendar
from tests.fakes.fake_broker import FakeBroker
from tests.unit.execution.steps import steps, validated

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York, a Monday
NEW_YORK = ZoneInfo("America/New_York")


async def test_the_fake_broker_is_strict() -> None:
    """A repeated client order id is refused, an unknown one is not found, an ended order cannot be cancelled."""
    from oms.domain import OrderType, Side, TimeInForce
    from oms.ports import BrokerRejected, OrderNotFound, OrderRequest

    broker = FakeBroker(now=NOW)
    request = OrderRequest("c-1", "AAPL", Side.BUY, Decimal(5), OrderType.MARKET, TimeInForce.DAY)
    await broker.submit(request)
    with pytest.raises(BrokerRejected, match="already used"):
        await broker.submit(request)
    with pytest.raises(OrderNotFound):
        await broker.find_order("c-2")
    broker.fill("c-1", "5", "150")
    with pytest.raises(BrokerRejected, match="already"):
        await broker.cancel("c-1")


async def test_send_commits_submitted_before_the_broker_is_called(tmp_path: Path) -> None:
    """Write-ahead: when the broker sees the request, the ledger already says `submitted` under that id."""
    rig = steps(tmp_path, NOW)
    order = validated()
    rig.store(order)
    seen: list[OrderStatus] = []
    rig.broker.on_submit.append(lambda request: seen.append(rig.load(order).status))
    _, report, sender = rig.cycle()
    await sender.send(order)
    assert seen == [OrderStatus.SUBMITTED]
    stored = rig.load(order)
    assert (stored.status, stored.broker_order_id, report.submitted) == (OrderStatus.SUBMITTED, "F1", 1)


async def test_a_definite_reject_rejects_and_an_unknown_outcome_stays_submitted(tmp_path: Path) -> None:
    """BrokerRejected ends the order; a timeout leaves it submitted, to be looked up by client order id."""
    rig = steps(tmp_path, NOW)
    refused, lost = validated(number=1), validated(number=2)
    rig.store(refused, lost)
    rig.broker.reject_next_submit("insufficient buying power")
    _, report, sender = rig.cycle()
    await sender.send(refused)
    rig.broker.lose_next_submit()
    await sender.send(lost)
    assert rig.load(refused).status is OrderStatus.REJECTED
    assert report.rejected == 1
    assert (rig.load(lost).status, rig.load(lost).broker_order_id) == (OrderStatus.SUBMITTED, None)


async def test_poll_books_each_execution_once(tmp_path: Path) -> None:
    """Two polls over the same fill report book it once and count the repeat."""
    rig = steps(tmp_path, NOW)
    order = validated(quantity="10")
    rig.store(order)
    _, _, sender = rig.cycle()
    await sender.send(order)
    rig.broker.fill("b1-0001", "4", "150.10")
    rig.broker.fill("b1-0001", "6", "150.20")
    first_ctx, first, _ = rig.cycle()
    await polling.poll(first_ctx, first)
    again_ctx, again, _ = rig.cycle()
    await polling.poll(again_ctx, again)
    stored = rig.load(order)
    assert (stored.status, stored.filled_quantity) == (OrderStatus.FILLED, Decimal(10))
    assert (first.fills_booked, again.fills_booked, again.duplicate_fills) == (2, 0, 2)
    assert rig.broker.calls.count("order_reports") == 2  # one batched call per poll, whatever the orders


async def test_a_lost_submit_is_looked_up_then_resent_under_the_same_id(tmp_path: Path) -> None:
    """Not found `lookup_attempts` times: sent again with the same client order id, and it then works."""
    from oms.execution.settings import ExecutionSettings

    rig = steps(tmp_path, NOW, settings=ExecutionSettings(in_flight_seconds=0, lookup_attempts=2))
    order = validated()
    rig.store(order)
    _, _, sender = rig.cycle()
    rig.broker.lose_next_submit()
    await sender.send(order)
    for _ in range(2):
        ctx, report, sender = rig.cycle()
        await polling.check_in_flight(ctx, report, sender)
    stored = rig.load(order)
    assert rig.broker.calls.count("find_order") == 2
    assert list(rig.broker.orders) == ["b1-0001"]
    assert (stored.status, stored.broker_order_id) == (OrderStatus.SUBMITTED, "F1")


@pytest.mark.parametrize(("day", "close"), [("2026-03-02", (16, 0)), ("2026-11-27", (13, 0))])
async def test_without_a_venue_clock_unsent_day_orders_expire_at_the_calendar_close(
    tmp_path: Path, day: str, close: tuple[int, int]
) -> None:
    """The XNYS calendar gives the close (13:00 on the day after Thanksgiving); before it nothing expires."""
    closes = datetime.fromisoformat(day).replace(hour=close[0], minute=close[1], tzinfo=NEW_YORK)
    rig = steps(tmp_path, closes - timedelta(hours=2), calendar=TradingCalendar("XNYS"))
    order = validated()
    batch = rig.store(order)
    ctx, _, _ = rig.cycle()
    await closing.expire_unsent(ctx)  # stores the session's close on the batch
    with rig.ledger.reading() as uow:
        stored_batch = uow.batches.get(batch.id)
    assert stored_batch is not None
    assert datetime.fromisoformat(stored_batch.details["day_ends"]) == closes
    rig.now = closes - timedelta(seconds=1)
    await closing.expire_unsent(rig.cycle()[0])
    assert rig.load(order).status is OrderStatus.VALIDATED
    rig.now = closes + timedelta(seconds=1)
    await closing.expire_unsent(rig.cycle()[0])
    assert rig.load(order).status is OrderStatus.EXPIRED


async def test_a_venue_clock_is_the_authority_when_the_broker_has_one(tmp_path: Path) -> None:
    """With a venue clock, its next close is the day's end, whatever the calendar would say."""
    rig = steps(tmp_path, NOW, calendar=TradingCalendar("XNYS"))
    venue_close = NOW + timedelta(minutes=30)
    rig.broker.venue_clock = MarketClock(at=NOW, is_open=True, next_close=venue_close)
    order = validated()
    rig.store(order)
    await closing.expire_unsent(rig.cycle()[0])
    rig.broker.venue_clock = MarketClock(at=venue_close + timedelta(seconds=1), is_open=False)
    await closing.expire_unsent(rig.cycle()[0])
    assert rig.load(order).status is OrderStatus.EXPIRED


async def test_finish_closes_batches_with_nothing_open(tmp_path: Path) -> None:
    """A batch whose orders are all terminal is finished; one with an open order, or still planned, is not."""
    rig = steps(tmp_path, NOW)
    done, working = validated(number=1), validated(number=2)
    done.cancel("test", at=NOW)
    finished = rig.store(done)
    still_open = rig.store(working)
    planned = rig.store(status=BatchStatus.PLANNED)
    ctx, report, _ = rig.cycle()
    closing.finish_batches(ctx, report)
    assert report.finished_batches == [finished.id]
    with rig.ledger.reading() as uow:
        statuses = {b.id: b.status for b in uow.batches.open_for_broker(rig.broker.name)}
    assert statuses == {still_open.id: BatchStatus.EXECUTING, planned.id: BatchStatus.PLANNED}


async def test_cancel_before_the_broker_saw_it_is_local_and_after_is_a_request(tmp_path: Path) -> None:
    """An unsent order is cancelled here; a working one is cancelled at the broker (pending, then confirmed)."""
    rig = steps(tmp_path, NOW)
    unsent, working = validated(number=1), validated(number=2)
    rig.store(unsent, working)
    _, _, sender = rig.cycle()
    await sender.send(working)
    assert (await sender.cancel(unsent, actor="ann")).status is OrderStatus.CANCELLED
    assert "cancel" not in rig.broker.calls
    assert (await sender.cancel(working, actor="ann")).status is OrderStatus.PENDING_CANCEL
    ctx, report, _ = rig.cycle()
    await polling.poll(ctx, report)
    assert rig.load(working).status is OrderStatus.CANCELLED
