"""Restart, dropped connections and IB connectivity loss: every order and fill recovered once, nothing duplicated."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from oms.domain.enums import Side
from oms.ports import BrokerUnavailable, ReportStatus
from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.fakes.ib_gateway import SERVER_VERSIONS
from tests.integration.ibkr.conftest import limit


async def test_restart_recovers_orders_and_fills_by_perm_id_and_order_ref(venue: IbkrVenueHarness) -> None:
    """Kill the adapter with orders working; after a restart every order and fill is back, once, none resent."""
    first = await venue.broker.submit(limit("r1-0001", 100))
    await venue.broker.submit(limit("r1-0002", 50, side=Side.SELL))
    await venue.broker.submit(limit("r1-0003", 10))
    await venue.execute("r1-0001", Decimal(30), Decimal("189.95"))
    await venue.execute("r1-0003", Decimal(10), Decimal("190.00"))
    await venue.broker.cancel("r1-0002")
    await venue.broker.find_order("r1-0002")
    await venue._ibkr.close()
    # While the OMS is down the market keeps going.
    venue.gateway.execute(venue.gateway.order_by_ref("r1-0001"), Decimal(20), Decimal("190.05"))

    broker = await venue.restart_adapter()
    reports = {r.client_order_id: r for r in await broker.order_reports(open_only=False)}
    assert {k: (r.status, r.filled_quantity) for k, r in reports.items()} == {
        "r1-0001": (ReportStatus.PARTIALLY_FILLED, Decimal(50)),
        "r1-0002": (ReportStatus.CANCELLED, Decimal(0)),
        "r1-0003": (ReportStatus.FILLED, Decimal(10)),
    }
    assert reports["r1-0001"].broker_order_id == first.broker_order_id
    fills = await broker.fill_reports()
    assert sorted((f.client_order_id, f.quantity) for f in fills) == [
        ("r1-0001", 20),
        ("r1-0001", 30),
        ("r1-0003", 10),
    ]
    assert len({f.exec_id for f in fills}) == 3
    again = await broker.submit(limit("r1-0001", 100))  # the engine resending after a crash
    assert again.broker_order_id == first.broker_order_id
    assert len(venue.gateway.orders) == 3
    await broker.cancel("r1-0001")  # an order from the previous session can still be cancelled
    assert (await broker.find_order("r1-0001")).status is ReportStatus.CANCELLED


async def test_disconnect_in_the_middle_of_fills_books_every_fill_once(venue: IbkrVenueHarness) -> None:
    """Fills before, during and after a dropped socket: after reconnecting each execution is reported once."""
    await venue.broker.submit(limit("d1-0001", 100))
    await venue.execute("d1-0001", Decimal(10))
    await venue.execute("d1-0001", Decimal(15))
    await venue.gateway.drop_connections()
    order = venue.gateway.order_by_ref("d1-0001")
    venue.gateway.execute(order, Decimal(20), Decimal("190.00"))  # nobody is connected to hear it
    venue.gateway.execute(order, Decimal(25), Decimal("190.00"))
    fills = await venue.broker.fill_reports()  # waits for the reconnect and its reconciliation
    await venue.execute("d1-0001", Decimal(30))
    fills = await venue.broker.fill_reports()
    assert sorted(f.quantity for f in fills) == [10, 15, 20, 25, 30]
    assert len({f.exec_id for f in fills}) == 5
    report = await venue.broker.find_order("d1-0001")
    assert (report.status, report.filled_quantity) == (ReportStatus.FILLED, Decimal(100))


async def test_submission_while_disconnected_waits_for_the_reconnect(venue: IbkrVenueHarness) -> None:
    """An order sent while the socket is down goes out after the reconnect, once; it does not vanish."""
    await venue.gateway.drop_connections()
    report = await venue.broker.submit(limit("d2-0001"))
    assert report.status is ReportStatus.WORKING
    assert [o.order_ref for o in venue.gateway.orders.values()] == ["d2-0001"]


@pytest.mark.parametrize("server_version", SERVER_VERSIONS)
async def test_submission_fails_clearly_when_the_gateway_stays_away(server_version: int) -> None:
    """With the gateway gone past the timeout, submit raises BrokerUnavailable and nothing is sent."""
    venue = await IbkrVenueHarness.start(server_version, request_timeout=0.3)
    await venue.gateway.stop()
    with pytest.raises(BrokerUnavailable, match="not connected"):
        await venue.broker.submit(limit("d3-0001"))
    await venue.close()
    assert venue.gateway.orders == {}


@pytest.mark.parametrize(
    "restored",
    [
        (1102, "Connectivity between IB and Trader Workstation has been restored - data maintained."),
        (1101, "Connectivity between IB and Trader Workstation has been restored - data lost."),
    ],
    ids=["1102", "1101"],
)
async def test_connectivity_loss_holds_submissions_until_restored(
    venue: IbkrVenueHarness, restored: tuple[int, str]
) -> None:
    """After 1100 a submission waits; after 1102 (or 1101) the adapter reconciles and the order goes out."""
    venue.gateway.send_error(1100, "Connectivity between IB and Trader Workstation has been lost.")
    await asyncio.sleep(0.05)
    pending = asyncio.create_task(venue.broker.submit(limit("c1-0001")))
    await asyncio.sleep(0.2)
    assert venue.gateway.orders == {}
    assert not pending.done()
    subscriptions = sum(1 for m in venue.gateway.received if m[0] == "6")  # reqAccountUpdates
    venue.gateway.send_error(*restored)
    report = await asyncio.wait_for(pending, 3)
    assert report.status is ReportStatus.WORKING
    resubscribed = sum(1 for m in venue.gateway.received if m[0] == "6") > subscriptions
    assert resubscribed is (restored[0] == 1101)  # data lost: the account updates are asked for again


async def test_lost_acknowledgement_then_restart_does_not_duplicate(venue: IbkrVenueHarness) -> None:
    """An order whose acknowledgement was lost is found after a restart and not placed a second time."""
    await venue.lose_next_acknowledgement()
    with pytest.raises(BrokerUnavailable):
        await venue.broker.submit(limit("r2-0001"))
    broker = await venue.restart_adapter()
    report = await broker.submit(limit("r2-0001"))
    assert report.status is ReportStatus.WORKING
    assert len(venue.gateway.orders) == 1


async def test_socket_dropped_while_awaiting_the_acknowledgement_is_an_unknown_outcome(
    venue: IbkrVenueHarness,
) -> None:
    """The gateway takes the order, the socket drops before any reply: BrokerUnavailable, then found by orderRef."""
    venue.gateway.drop_after_next_order()
    with pytest.raises(BrokerUnavailable, match="may be live"):
        await venue.broker.submit(limit("d4-0001"))
    found = await venue.broker.find_order("d4-0001")
    assert found.status is ReportStatus.WORKING
    assert found.broker_order_id == str(venue.gateway.order_by_ref("d4-0001").perm_id)
    assert len(venue.gateway.orders) == 1
