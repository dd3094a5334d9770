"""The simulated venue's market: latency, partial fills, slippage, limit crossing, expiry and determinism."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Position
from oms.ports import OrderRequest, ReportStatus
from tests.integration.venues.conftest import SETTINGS, FakeWall, MakeBroker


def order(
    coid: str,
    symbol: str = "AAA",
    side: Side = Side.BUY,
    quantity: int = 100,
    limit: str | None = None,
    tif: TimeInForce = TimeInForce.DAY,
) -> OrderRequest:
    return OrderRequest(
        client_order_id=coid,
        symbol=symbol,
        side=side,
        quantity=Decimal(quantity),
        order_type=OrderType.LIMIT if limit else OrderType.MARKET,
        time_in_force=tif,
        limit_price=Decimal(limit) if limit else None,
    )


async def test_acknowledgement_and_fills_arrive_after_their_latency(make_broker: MakeBroker, wall: FakeWall) -> None:
    """A new order is pending, working after the acknowledgement latency, and fills only on a later step."""
    broker = make_broker()
    first = await broker.submit(order("m1"))
    assert first.status is ReportStatus.PENDING
    wall.advance(0.5)  # 30 simulated seconds: acknowledged, but the minute's bar has not closed yet
    assert (await broker.find_order("m1")).status is ReportStatus.WORKING
    assert await broker.fill_reports() == []
    wall.advance(1.0)
    filled = await broker.find_order("m1")
    assert filled.status is ReportStatus.FILLED
    assert filled.updated_at is not None
    assert first.updated_at is not None
    assert filled.updated_at > first.updated_at


async def test_a_large_order_fills_in_parts_capped_by_participation(make_broker: MakeBroker, wall: FakeWall) -> None:
    """Each step fills at most the participation share of that step's volume, so a big order fills in parts."""
    broker = make_broker()
    await broker.submit(order("big", quantity=5_000))
    wall.advance(1.0)
    fills = await broker.fill_reports()
    # ADV 1,000,000 over 390 one-minute bars, 10% participation, at most 1.8x the average at the open.
    assert len(fills) == 1
    assert 0 < fills[0].quantity <= Decimal(1_000_000 / 390 * 0.10 * 1.8)
    assert (await broker.find_order("big")).status is ReportStatus.PARTIALLY_FILLED
    wall.advance(60.0)
    fills = await broker.fill_reports()
    assert sum(fill.quantity for fill in fills) == 5_000
    assert len({fill.exec_id for fill in fills}) == len(fills) > 2
    report = await broker.find_order("big")
    assert report.status is ReportStatus.FILLED
    average = sum(f.quantity * f.price for f in fills) / 5_000
    assert report.average_fill_price == average.quantize(Decimal("0.000001"))


async def test_market_orders_pay_the_half_spread(make_broker: MakeBroker, wall: FakeWall) -> None:
    """With a flat price, a market buy fills at the ask and a market sell at the bid."""
    broker = make_broker(positions=(Position("FLAT", Decimal(100), Decimal(90)),))
    await broker.submit(order("b", symbol="FLAT", quantity=10))
    await broker.submit(order("s", symbol="FLAT", side=Side.SELL, quantity=10))
    wall.advance(2.0)
    prices = {fill.client_order_id: fill.price for fill in await broker.fill_reports()}
    assert prices == {"b": Decimal("100.02"), "s": Decimal("99.98")}  # 4 bps spread around 100


async def test_limit_orders_fill_only_when_the_market_crosses(make_broker: MakeBroker, wall: FakeWall) -> None:
    """A buy limit below the ask rests; one above it fills at the ask, never worse than its limit."""
    broker = make_broker()
    await broker.submit(order("rest", symbol="FLAT", limit="100.01"))
    await broker.submit(order("cross", symbol="FLAT", limit="100.50"))
    wall.advance(30.0)
    assert (await broker.find_order("rest")).status is ReportStatus.WORKING
    crossed = await broker.find_order("cross")
    assert (crossed.status, crossed.average_fill_price) == (ReportStatus.FILLED, Decimal("100.02"))


async def test_ioc_and_fok_leave_nothing_working(make_broker: MakeBroker, wall: FakeWall) -> None:
    """IOC fills what it can on its first step and cancels the rest; FOK too large for a step is cancelled unfilled."""
    broker = make_broker()
    await broker.submit(order("ioc", quantity=50_000, tif=TimeInForce.IOC))
    await broker.submit(order("fok", symbol="BBB", quantity=50_000, tif=TimeInForce.FOK))
    wall.advance(2.0)
    ioc, fok = await broker.find_order("ioc"), await broker.find_order("fok")
    assert ioc.status is ReportStatus.CANCELLED
    assert 0 < ioc.filled_quantity < 50_000
    assert (fok.status, fok.filled_quantity) == (ReportStatus.CANCELLED, Decimal(0))


async def test_day_orders_expire_at_the_close_gtc_orders_carry_over(make_broker: MakeBroker, wall: FakeWall) -> None:
    """At 16:00 New York a resting DAY order expires; a GTC order keeps working into the next session."""
    broker = make_broker(SETTINGS.model_copy(update={"start_time": "15:58"}))
    await broker.submit(order("day", symbol="FLAT", limit="50.00"))
    await broker.submit(order("gtc", symbol="FLAT", limit="50.00", tif=TimeInForce.GTC))
    wall.advance(1.0)
    assert {r.client_order_id for r in await broker.order_reports()} == {"day", "gtc"}
    wall.advance(2.0)
    day = await broker.find_order("day")
    assert day.status is ReportStatus.EXPIRED
    assert day.updated_at == datetime(2026, 3, 2, 16, 0, tzinfo=ZoneInfo("America/New_York"))
    assert [r.client_order_id for r in await broker.order_reports()] == ["gtc"]
    clock = await broker.clock()
    assert clock.at.astimezone(ZoneInfo("America/New_York")).date().isoformat() == "2026-03-03"


async def test_the_same_seed_and_call_times_give_the_same_executions(make_broker: MakeBroker, wall: FakeWall) -> None:
    """Two venues with one seed, driven at the same times, produce identical fills; another seed does not."""

    async def run(name: str, seed: int) -> list[tuple[str, Decimal, Decimal]]:
        broker = make_broker(SETTINGS.model_copy(update={"seed": seed}), name=name)
        start = wall.now
        await broker.submit(order("x", quantity=3_000))
        await broker.submit(order("y", symbol="BBB", quantity=2_000))
        for _ in range(20):
            wall.advance(1.0)
            await broker.order_reports()
        wall.now = start
        return [(f.exec_id, f.quantity, f.price) for f in await broker.fill_reports()]

    first, again, other = await run("a.db", 3), await run("b.db", 3), await run("c.db", 4)
    assert first == again
    assert first != other
    assert len(first) > 2
