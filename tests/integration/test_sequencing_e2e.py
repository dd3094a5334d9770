"""Sequencing end to end: a sell that is rejected or fills half funds less, so the buys shrink or wait, never the floor.

The real engine runs against the simulated venue (its own SQLite file, its clock moved by the test). The account
opens with cash just above the 10% floor, so the buys of wave 2 can only be paid by the sells of wave 1. After every
engine cycle the venue's cash is checked against `min_cash_pct` of the account's value at the venue's prices.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from oms.domain import Batch, Order, OrderStatus, Side
from oms.domain.events import EventKind
from tests.integration.engine_rig import Rig, build_rig

CASH = Decimal(12_000)  # SPY 100 and QQQ 90 are worth about 106,000: the floor is about 11,800
HOLDINGS = [("SPY", Decimal(100)), ("QQQ", Decimal(90))]
BUYS = "AGG,BUY,200,\nXLV,BUY,140,\n"  # about 40,500 at reference prices: both sells' proceeds are needed


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    # The session starts ten simulated minutes before the close; one real second of the test's clock is a minute.
    rig = build_rig(tmp_path, cash=CASH, holdings=HOLDINGS, sim={"start_time": "15:50"})
    yield rig
    rig.close()


async def run_to_end(rig: Rig, batch: Batch, *, before_each: object = None, cycles: int = 40) -> list[Decimal]:
    """Cycle the engine a simulated minute at a time until the batch is done; check the floor after every cycle."""
    margins = []
    for _ in range(cycles):
        await rig.cycle(advance=1.0)
        cash, floor = rig.cash_and_floor()
        margins.append(cash - floor)
        assert cash >= floor, f"cash {cash} fell below the floor {floor}"
        if callable(before_each):
            step = before_each()
            if inspect.isawaitable(step):
                await step
        if all(o.is_terminal for o in rig.engine.batch_orders(batch.id)):
            return margins
    pytest.fail(
        f"batch not done after {cycles} cycles: {[(o.symbol, o.status.value) for o in rig.orders(batch).values()]}"
    )


def reasons(order: Order) -> list[str]:
    """The reasons an order's audit trail gives for shrinking, cancelling or refusing it."""
    return [
        str(e.details.get("reason"))
        for e in order.events
        if e.kind in (EventKind.AMENDED, EventKind.CANCELLED, EventKind.REJECTED) and e.details.get("reason")
    ]


def assert_buys_fit_the_proceeds(rig: Rig, batch: Batch, planned: dict[str, Decimal]) -> None:
    """Every buy either went out whole, or was shrunk or cancelled with its reason on the record; none overspent."""
    buys = [o for o in rig.orders(batch).values() if o.side is Side.BUY]
    stopped = (OrderStatus.CANCELLED, OrderStatus.REJECTED)
    changed = [o for o in buys if o.quantity < planned[o.symbol] or o.status in stopped]
    assert changed, "the proceeds were short, yet every buy went out as planned"
    for order in changed:
        assert reasons(order), f"{order.symbol} changed without a reason in its events"
        assert any(word in " ".join(reasons(order)) for word in ("shrunk", "not funded", "CASH_FLOOR"))
    for order in buys:
        assert order.filled_quantity <= order.quantity <= planned[order.symbol]


async def test_a_rejected_sell_shrinks_or_cancels_the_buys_it_funded(rig: Rig) -> None:
    """The venue rejects a sell: the buys are resized or cancelled with the reason; cash never dips below the floor."""
    batch = await rig.start_batch("symbol,action,shares,reason\nSPY,SELL,40,\nQQQ,SELL,40,\n" + BUYS)
    planned = {o.symbol: o.quantity for o in rig.orders(batch).values()}
    rig.venue.reject_next_submission("simulated: account restricted for this symbol")

    await run_to_end(rig, batch)

    orders = rig.orders(batch)
    sells = [orders["SPY"], orders["QQQ"]]
    assert sorted(o.status for o in sells) == sorted([OrderStatus.REJECTED, OrderStatus.FILLED])
    assert_buys_fit_the_proceeds(rig, batch, planned)


async def test_a_half_filled_sell_funds_only_half_its_buys(rig: Rig) -> None:
    """A limit sell fills half and the rest is cancelled: the buys shrink to what came in; cash stays above the floor.

    (Left to expire at the close instead, the unsent buys would expire with the day: nothing goes out after it.)
    """
    batch = await rig.start_batch(
        "symbol,action,shares,order_type,limit_price\nSPY,SELL,40,limit,640.00\nQQQ,SELL,40,market,\n"
        + BUYS.replace(",\n", ",market,\n")
    )
    planned = {o.symbol: o.quantity for o in rig.orders(batch).values()}
    spy = rig.orders(batch)["SPY"]
    steps: list[str] = []

    async def fill_half_then_cancel_the_rest() -> None:
        # The limit sits above the market, so the venue never reaches it; a counterparty takes half at the limit,
        # then the trader gives up on the rest.
        if not steps and rig.venue.find_order(spy.client_order_id or "").broker_order_id.startswith("sim-"):
            rig.venue.force_fill(spy.client_order_id or "", Decimal(20))
            steps.append("half filled")
        elif steps == ["half filled"] and rig.orders(batch)["SPY"].filled_quantity == Decimal(20):
            await rig.engine.cancel_order(spy.id, actor="test", reason="the rest will not trade today")
            steps.append("cancelled")

    await run_to_end(rig, batch, before_each=fill_half_then_cancel_the_rest)
    orders = rig.orders(batch)
    assert orders["SPY"].status is OrderStatus.CANCELLED
    assert orders["SPY"].filled_quantity == Decimal(20)
    assert orders["QQQ"].status is OrderStatus.FILLED
    assert_buys_fit_the_proceeds(rig, batch, planned)


async def test_a_sell_of_more_than_held_is_refused_and_its_buys_shrink(rig: Rig) -> None:
    """A sell of 150 SPY with 100 held is refused before the venue: its buys are refused or shrunk, above the floor."""
    batch = await rig.start_batch("symbol,action,shares,reason\nSPY,SELL,150,\nQQQ,SELL,40,\n" + BUYS)
    planned = {o.symbol: o.quantity for o in rig.orders(batch).values()}

    await run_to_end(rig, batch)

    orders = rig.orders(batch)
    assert orders["SPY"].status is OrderStatus.REJECTED
    assert "SHARES_AVAILABLE" in " ".join(reasons(orders["SPY"]))
    assert rig.venue.submissions().get(orders["SPY"].client_order_id or "", 0) == 0
    assert orders["QQQ"].status is OrderStatus.FILLED
    assert_buys_fit_the_proceeds(rig, batch, planned)
