"""The faults a flaky network brings, against the emulator: no second order, no lost or doubled fill."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from adapters.alpaca import AlpacaBroker
from oms.ports import BrokerRejected, BrokerUnavailable, ReportStatus
from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.integration.alpaca.conftest import BrokerFactory, order


def orders_at_venue(emulator: AlpacaEmulator, coid: str) -> int:
    return sum(1 for o in emulator.venue.orders.values() if o.client_order_id == coid)


async def test_a_504_after_acceptance_yields_exactly_one_order(broker: AlpacaBroker, emulator: AlpacaEmulator) -> None:
    """The venue takes the order and answers 504: the adapter finds it by client order id and never resends."""
    emulator.gateway_timeouts_after_accept = 1
    report = await broker.submit(order("gw-1"))
    assert report.client_order_id == "gw-1"
    assert report.broker_order_id
    assert emulator.calls["POST /v2/orders"] == 1  # the SDK's own retry on 504 is disarmed
    assert emulator.calls["GET /v2/orders:by_client_order_id"] == 1
    assert orders_at_venue(emulator, "gw-1") == 1


async def test_a_reply_lost_after_acceptance_is_resolved_not_resent(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """The connection dies after the venue accepted: one POST, one order, and the report of that order."""
    emulator.drop_replies_after_accept = 1
    report = await broker.submit(order("drop-1"))
    assert report.status is ReportStatus.WORKING
    assert emulator.calls["POST /v2/orders"] == 1
    assert orders_at_venue(emulator, "drop-1") == 1


async def test_a_timeout_before_the_order_lands_is_unknown_then_found(
    make_broker: BrokerFactory, emulator: AlpacaEmulator
) -> None:
    """A POST slower than the timeout is an unknown outcome (not a reject); the order is found once it lands."""
    broker = await make_broker(timeout_seconds=0.2)
    emulator.post_latency = 0.8
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable):
        await broker.submit(order("slow-1"))
    assert time.monotonic() - started < 0.75  # our timeout fired; the SDK alone would have waited
    emulator.post_latency = 0.0
    await asyncio.sleep(0.8)
    assert (await broker.find_order("slow-1")).client_order_id == "slow-1"
    assert emulator.calls["POST /v2/orders"] == 1
    assert orders_at_venue(emulator, "slow-1") == 1


async def test_a_duplicate_client_order_id_resolves_to_the_existing_order(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """Sending the same id twice (e.g. after a crash) answers 422 40010001; we report the order that exists."""
    first = await broker.submit(order("dup-1"))
    again = await broker.submit(order("dup-1"))
    assert again.broker_order_id == first.broker_order_id
    assert orders_at_venue(emulator, "dup-1") == 1


async def test_a_client_order_id_taken_by_a_different_order_is_a_definite_reject(broker: AlpacaBroker) -> None:
    """A duplicate id whose existing order is not this one is refused, not mistaken for our order."""
    await broker.submit(order("dup-2", 10))
    with pytest.raises(BrokerRejected) as caught:
        await broker.submit(order("dup-2", 20))
    assert caught.value.code == "DUPLICATE_CLIENT_ORDER_ID"
    assert "buy 10 AAPL" in caught.value.reason


async def test_a_429_storm_backs_off_and_loses_nothing(broker: AlpacaBroker, emulator: AlpacaEmulator) -> None:
    """Eight 429s in a row across three concurrent submits: all three orders exist once, after backing off."""
    emulator.rate_limit_remaining_errors = 8
    started = time.monotonic()
    reports = await asyncio.gather(
        *(broker.submit(order(f"storm-{n}", 1, symbol=s)) for n, s in enumerate(["AAPL", "MSFT", "AAPL"]))
    )
    elapsed = time.monotonic() - started
    assert sorted(r.client_order_id for r in reports) == ["storm-0", "storm-1", "storm-2"]
    assert all(orders_at_venue(emulator, f"storm-{n}") == 1 for n in range(3))
    assert broker.rest.rate_limited == 8
    assert broker.rest.budget.waited > 0
    assert elapsed >= 0.02  # at least the first backoff, shared by every caller


async def test_a_stream_drop_in_the_middle_of_fills_loses_none_and_books_none_twice(
    broker: AlpacaBroker, emulator: AlpacaEmulator, make_broker: BrokerFactory
) -> None:
    """Fills before, during and after a dropped stream come back once each; a restarted adapter agrees."""
    placed = await broker.submit(order("fill-1", 100, limit="191.00"))
    venue = emulator.venue
    venue.execute("fill-1", Decimal(30), Decimal("190.00"))
    await _until(lambda: len(broker._fills) == 1)
    emulator.drop_stream()
    await _until(lambda: not broker.streaming)
    venue.execute("fill-1", Decimal(20), Decimal("190.10"))  # while disconnected: Alpaca will not replay it
    await _until(lambda: broker.streaming)
    emulator.wait_for_stream_clients(1)
    venue.execute("fill-1", Decimal(50), Decimal("190.20"))
    await _until(lambda: len(broker._fills) == 3)
    fills = await broker.fill_reports()
    assert [(f.quantity, f.price) for f in fills] == [
        (Decimal(30), Decimal("190.00")),
        (Decimal(20), Decimal("190.10")),
        (Decimal(50), Decimal("190.20")),
    ]
    assert len({f.exec_id for f in fills}) == 3
    assert all(f.client_order_id == "fill-1" and f.broker_order_id == placed.broker_order_id for f in fills)
    restarted = await make_broker(stream=False)
    assert [f.exec_id for f in await restarted.fill_reports()] == [f.exec_id for f in fills]


async def test_reported_twice_is_booked_once(broker: AlpacaBroker, emulator: AlpacaEmulator) -> None:
    """When the venue sends every execution twice (stream and activities), each fill is reported once."""
    emulator.venue.duplicate_reports = True
    await broker.submit(order("twice-1", 10, limit="191.00"))
    emulator.venue.execute("twice-1", Decimal(4))
    emulator.venue.execute("twice-1", Decimal(6))
    await _until(lambda: len(broker._fills) == 2)
    emulator.drop_stream()  # force the REST path too
    await _until(lambda: not broker.streaming)
    fills = await broker.fill_reports()
    assert [f.quantity for f in fills] == [Decimal(4), Decimal(6)]


async def test_polling_alone_works_when_the_stream_is_unavailable(
    make_broker: BrokerFactory, emulator: AlpacaEmulator
) -> None:
    """With no stream at all, fills come from REST activities with the same keys the stream would give."""
    broker = await make_broker(stream=False)
    assert not broker.streaming
    await broker.submit(order("poll-1", 10, limit="191.00"))
    emulator.venue.execute("poll-1", Decimal(3))
    emulator.venue.execute("poll-1", Decimal(7))
    fills = await broker.fill_reports()
    assert [f.quantity for f in fills] == [Decimal(3), Decimal(7)]
    assert [f.exec_id.rsplit("@", 1)[1] for f in fills] == ["3", "10"]
    assert all(f.client_order_id == "poll-1" for f in fills)


async def test_twelve_hundred_open_orders_are_read_in_three_list_calls(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """Pages of 500 with overlapping windows read 1,200 open orders in 3 calls, each order once."""
    emulator.venue.seed_open_orders(1200)
    before = emulator.calls["GET /v2/orders"]
    reports = await broker.order_reports(open_only=True)
    assert emulator.calls["GET /v2/orders"] - before == 3
    assert len(reports) == 1200
    assert len({r.broker_order_id for r in reports}) == 1200


async def _until(condition: object, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_polling_reads_only_the_fill_activities_it_has_not_seen(
    make_broker: BrokerFactory, emulator: AlpacaEmulator
) -> None:
    """250 executions take 3 activity pages once; the next poll reads one page from the newest fill on."""
    broker = await make_broker(stream=False)
    await broker.submit(order("many-1", 250, limit="191.00"))
    for _ in range(250):
        emulator.venue.execute("many-1", Decimal(1))
    first = await broker.fill_reports()
    assert emulator.calls["GET /v2/account/activities/FILL"] == 3
    second = await broker.fill_reports()
    assert emulator.calls["GET /v2/account/activities/FILL"] == 4
    assert len(first) == len(second) == 250
    assert sum(f.quantity for f in second) == Decimal(250)


async def test_the_price_walk_fills_market_orders_partially_and_completely(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """With paper's random partial fills switched on, walking prices fill a market order; fills add up once."""
    emulator.venue.partial_fill_chance = 0.5
    placed = await broker.submit(order("walk-1", 40, limit=None))
    with emulator.walking(0.01):
        await _until(lambda: sum(f.quantity for f in broker._fills.values()) == 40)
    fills = await broker.fill_reports()
    assert sum(f.quantity for f in fills) == Decimal(40)
    assert {f.broker_order_id for f in fills} == {placed.broker_order_id}
    assert (await broker.find_order("walk-1")).status is ReportStatus.FILLED
