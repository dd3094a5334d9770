"""The simulated venue as a broker: rejects, cancels, fault switches, persistence and sharing between processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.sim import SimVenue
from oms.domain.enums import Side, TimeInForce
from oms.domain.market import Position
from oms.ports import BrokerRejected, BrokerUnavailable, OrderNotFound, ReportStatus
from tests.integration.venues.conftest import SECURITIES, SETTINGS, FakeWall, MakeBroker
from tests.integration.venues.test_sim_matching import order


async def test_definite_rejects_carry_a_reason_code(make_broker: MakeBroker) -> None:
    """Unknown symbols, short sales, unaffordable buys and reused client order ids are refused, and kept nowhere."""
    broker = make_broker(positions=(Position("BBB", Decimal(100), Decimal(45)),))
    await broker.submit(order("sell-60", symbol="BBB", side=Side.SELL, quantity=60))
    cases = {
        "UNKNOWN_SYMBOL": order("u", symbol="NOPE"),
        "INSUFFICIENT_QUANTITY": order("s", symbol="BBB", side=Side.SELL, quantity=41),  # 60 of 100 promised
        "INSUFFICIENT_BUYING_POWER": order("b", quantity=200_000),
        "DUPLICATE_CLIENT_ORDER_ID": order("sell-60", symbol="BBB", side=Side.SELL, quantity=1),
    }
    for code, request in cases.items():
        with pytest.raises(BrokerRejected) as refused:
            await broker.submit(request)
        assert refused.value.code == code
    for coid in ("u", "s", "b"):
        with pytest.raises(OrderNotFound):
            await broker.find_order(coid)
    assert broker.venue.submissions() == {"sell-60": 2, "u": 1, "s": 1, "b": 1}
    assert (await broker.submit(order("s40", symbol="BBB", side=Side.SELL, quantity=40))).status is ReportStatus.PENDING


async def test_a_reused_client_order_id_is_refused_even_after_a_cancel(make_broker: MakeBroker) -> None:
    """As at Alpaca, a client order id stays taken after its order was cancelled."""
    broker = make_broker()
    await broker.submit(order("once", limit="50.00"))
    await broker.cancel("once")
    with pytest.raises(BrokerRejected, match="unique"):
        await broker.submit(order("once", limit="50.00"))


async def test_cancel_races(make_broker: MakeBroker, wall: FakeWall) -> None:
    """A cancel after the fill is rejected "too late: filled"; an unknown order is definitely not found."""
    broker = make_broker()
    await broker.submit(order("quick", quantity=10))
    wall.advance(2.0)
    with pytest.raises(BrokerRejected, match="too late: filled") as late:
        await broker.cancel("quick")
    assert late.value.code == "CANCEL_TOO_LATE"
    assert (await broker.find_order("quick")).status is ReportStatus.FILLED
    with pytest.raises(OrderNotFound):
        await broker.cancel("never")


async def test_a_pending_order_can_be_cancelled_before_it_is_acknowledged(make_broker: MakeBroker) -> None:
    """Cancelling an order the venue has not acknowledged yet ends it cancelled with nothing filled."""
    broker = make_broker()
    await broker.submit(order("p"))
    await broker.cancel("p")
    report = await broker.find_order("p")
    assert (report.status, report.filled_quantity) == (ReportStatus.CANCELLED, Decimal(0))


async def test_fault_switches_set_by_another_instance_reach_the_adapter(
    make_broker: MakeBroker, wall: FakeWall, tmp_path: Path
) -> None:
    """Switches live in the venue file: a second instance sets them and the adapter under test obeys."""
    broker = make_broker()
    control = SimVenue(tmp_path / "venue.db", SECURITIES, SETTINGS, wall=wall)

    control.time_out_next_submission(accepted=False)
    with pytest.raises(BrokerUnavailable):
        await broker.submit(order("lost"))
    with pytest.raises(OrderNotFound):
        await broker.find_order("lost")

    control.time_out_next_submission(accepted=True)
    with pytest.raises(BrokerUnavailable):
        await broker.submit(order("kept", limit="50.00"))
    assert (await broker.find_order("kept")).quantity == 100

    control.fail_report_queries(times=2)
    with pytest.raises(BrokerUnavailable):
        await broker.order_reports()
    with pytest.raises(BrokerUnavailable):
        await broker.fill_reports()
    assert [r.client_order_id for r in await broker.order_reports()] == ["kept"]

    control.reject_next_submission("halted")
    with pytest.raises(BrokerRejected, match="halted"):
        await broker.submit(order("refused"))

    control.duplicate_fills(True)
    control.force_fill("kept", Decimal(30))
    fills = await broker.fill_reports()
    assert [f.exec_id for f in fills] == ["sim-1-1", "sim-1-1"]
    control.duplicate_fills(False)
    assert len(await broker.fill_reports()) == 1
    control.close()


async def test_state_survives_a_restart_and_a_speed_change_keeps_time_continuous(
    make_broker: MakeBroker, wall: FakeWall
) -> None:
    """A new adapter on the same file sees the orders, fills, positions and cash; a new speed does not jump time."""
    broker = make_broker()
    await broker.submit(order("keep", quantity=10))
    await broker.submit(order("rest", limit="50.00", tif=TimeInForce.GTC))
    wall.advance(2.0)
    before_clock = (await broker.clock()).at
    before = (await broker.account(), await broker.positions(), await broker.fill_reports())
    await broker.close()

    again = make_broker(SETTINGS.model_copy(update={"speed": 600.0}))
    assert (await again.clock()).at == before_clock
    assert (await again.account(), await again.positions(), await again.fill_reports()) == before
    assert [r.client_order_id for r in await again.order_reports()] == ["rest"]
    wall.advance(1.0)
    assert ((await again.clock()).at - before_clock).total_seconds() == pytest.approx(600.0)


async def test_account_and_positions_follow_the_fills(make_broker: MakeBroker, wall: FakeWall) -> None:
    """Cash falls by what buys cost and positions hold what they bought, at their average price."""
    broker = make_broker()
    await broker.submit(order("buy", symbol="FLAT", quantity=10))
    wall.advance(2.0)
    account = await broker.account()
    assert account.cash == Decimal(10_000_000) - Decimal("1000.20")
    assert await broker.positions() == [Position("FLAT", Decimal(10), Decimal("100.02"))]
    assert account.equity == account.cash + Decimal("1000.00")  # valued at the mid


async def test_reports_since_a_wall_clock_time_return_only_what_changed(
    make_broker: MakeBroker, wall: FakeWall
) -> None:
    """`since` is wall-clock time, mapped onto the venue's faster clock: it keeps what changed at or after it."""
    broker = make_broker()
    start = datetime.fromtimestamp(wall.now, UTC)
    await broker.submit(order("early", quantity=10))
    wall.advance(2.0)
    (early_fill,) = await broker.fill_reports()
    wall.advance(10.0)
    cut = datetime.fromtimestamp(wall.now, UTC)
    await broker.submit(order("late", quantity=10))
    wall.advance(2.0)
    assert early_fill.at > cut  # the venue's own times run ahead of the wall clock
    assert [f.client_order_id for f in await broker.fill_reports(since=cut)] == ["late"]
    assert [f.client_order_id for f in await broker.fill_reports(since=start)] == ["early", "late"]
    changed = await broker.order_reports(open_only=False, since=cut)
    assert [r.client_order_id for r in changed] == ["late"]


def test_processes_sharing_the_venue_file_never_collide(tmp_path: Path) -> None:
    """Three processes submitting and polling one venue file at once keep every order, each under its own id."""
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from decimal import Decimal
        from pathlib import Path
        from adapters.sim import SimulatedBroker
        from tests.integration.venues.conftest import SECURITIES, SETTINGS
        from tests.integration.venues.test_sim_matching import order

        async def main(worker):
            settings = SETTINGS.model_copy(update={{"speed": 3600.0}})
            broker = SimulatedBroker(Path({str(tmp_path / "shared.db")!r}), SECURITIES, settings)
            for n in range(25):
                await broker.submit(order(f"w{{worker}}-{{n}}", quantity=10))
                await broker.order_reports()
                await broker.fill_reports()
            await broker.close()

        asyncio.run(main(sys.argv[1]))
        """
    )
    workers = [subprocess.Popen([sys.executable, "-c", script, str(n)]) for n in range(3)]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0, 0]

    venue = SimVenue(tmp_path / "shared.db", SECURITIES, SETTINGS)
    reports = venue.order_reports(open_only=False)
    assert len(reports) == 75
    assert len({r.client_order_id for r in reports}) == len({r.broker_order_id for r in reports}) == 75
    fills = venue.fill_reports()
    assert len({f.exec_id for f in fills}) == len(fills)
    venue.close()


async def test_calls_from_many_tasks_at_once_are_serialised(make_broker: MakeBroker) -> None:
    """Concurrent calls on one adapter (the engine's jobs overlap) each see a consistent venue."""
    broker = make_broker()
    await asyncio.gather(*(broker.submit(order(f"t{n}", limit="50.00")) for n in range(20)), broker.order_reports())
    assert len(await broker.order_reports()) == 20
