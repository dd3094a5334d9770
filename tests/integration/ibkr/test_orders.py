"""IbkrBroker on the real ib_async client against the fake gateway: orders, fills, cancels, rejects, contracts."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from oms.ports import BrokerRejected, BrokerUnavailable, OrderNotFound, ReportStatus
from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.fakes.ib_gateway import SERVER_VERSIONS
from tests.fakes.ib_wire import Listing
from tests.integration.ibkr.conftest import limit, market


async def test_submit_is_acknowledged_with_the_perm_id_and_our_order_ref(venue: IbkrVenueHarness) -> None:
    """A limit order comes back working, identified by IB's permId, with our client order id as orderRef."""
    report = await venue.broker.submit(limit("b1-0001"))
    at_gateway = venue.gateway.order_by_ref("b1-0001")
    assert report.status is ReportStatus.WORKING
    assert report.broker_order_id == str(at_gateway.perm_id)
    assert (at_gateway.action, at_gateway.quantity, at_gateway.limit_price) == ("BUY", 100, Decimal("190.00"))
    assert at_gateway.account == "DU1234567"


async def test_partial_fills_are_reported_with_commissions(venue: IbkrVenueHarness) -> None:
    """Two partial executions make a partially filled order, then a filled one; each fill carries its commission."""
    await venue.broker.submit(limit("b1-0002", 100))
    await venue.execute("b1-0002", Decimal(40), Decimal("189.90"))
    [report] = await venue.broker.order_reports()
    assert (report.status, report.filled_quantity) == (ReportStatus.PARTIALLY_FILLED, Decimal(40))
    await venue.execute("b1-0002", Decimal(60), Decimal("190.00"))
    found = await venue.broker.find_order("b1-0002")
    assert found.status is ReportStatus.FILLED
    assert found.average_fill_price == (40 * Decimal("189.90") + 60 * Decimal("190.00")) / 100
    fills = await venue.broker.fill_reports()
    assert [f.quantity for f in fills] == [40, 60]
    assert all(f.commission == Decimal("1.00") and f.client_order_id == "b1-0002" for f in fills)


async def test_market_order_filled_by_executions_alone_is_filled(venue: IbkrVenueHarness) -> None:
    """A market order that only ever produces execDetails (no orderStatus) is still reported filled."""
    await venue.broker.submit(market("b1-0003", 50))
    venue.gateway.execute(venue.gateway.order_by_ref("b1-0003"), Decimal(50), Decimal("190.10"), send_status=False)
    report = await venue.broker.find_order("b1-0003")
    assert (report.status, report.filled_quantity) == (ReportStatus.FILLED, Decimal(50))


async def test_cancel_is_reported_cancelled(venue: IbkrVenueHarness) -> None:
    """A cancel of a working order ends it cancelled, keeping what had filled."""
    await venue.broker.submit(limit("b1-0004", 100))
    await venue.execute("b1-0004", Decimal(10))
    await venue.broker.cancel("b1-0004")
    report = await venue.broker.find_order("b1-0004")
    assert (report.status, report.filled_quantity) == (ReportStatus.CANCELLED, Decimal(10))


async def test_cancel_that_loses_the_race_ends_filled(venue: IbkrVenueHarness) -> None:
    """10148 then Filled: ib_async marks the trade Cancelled on the error, the adapter never reports it cancelled."""
    await venue.broker.submit(limit("b1-0005", 100))
    venue.gateway.lose_next_cancel_race()
    await venue.broker.cancel("b1-0005")
    report = await venue.broker.find_order("b1-0005")
    assert (report.status, report.filled_quantity) == (ReportStatus.FILLED, Decimal(100))
    assert report.reason is not None
    assert "10148" in report.reason
    with pytest.raises(BrokerRejected) as too_late:
        await venue.broker.cancel("b1-0005")
    assert too_late.value.code == "TOO_LATE"


async def test_error_on_a_live_order_is_confirmed_before_a_cancel_is_booked(venue: IbkrVenueHarness) -> None:
    """An order error (10349) makes ib_async mark the trade Cancelled; the gateway still lists it, so it works on."""
    await venue.broker.submit(limit("b1-0006"))
    order = venue.gateway.order_by_ref("b1-0006")
    venue.gateway.send_error(10349, "Order TIF was set to DAY based on order preset.", req_id=order.order_id)
    report = await venue.broker.find_order("b1-0006")
    assert report.status is ReportStatus.WORKING


async def test_venue_cancel_is_booked_once_confirmed(venue: IbkrVenueHarness) -> None:
    """When the venue really cancels an order (error 202 with Cancelled), the report says cancelled."""
    await venue.broker.submit(limit("b1-0007"))
    venue.gateway.cancel_at_venue(venue.gateway.order_by_ref("b1-0007"), 202, "Order Canceled - reason: margin")
    assert (await venue.broker.find_order("b1-0007")).status is ReportStatus.CANCELLED


async def test_reject_is_definite_and_findable(venue: IbkrVenueHarness) -> None:
    """Error 201 on a new order raises BrokerRejected with the reason; find_order then reports it rejected."""
    await venue.reject_next_submission("insufficient buying power")
    with pytest.raises(BrokerRejected) as rejected:
        await venue.broker.submit(limit("b1-0008"))
    assert rejected.value.code == "IB_201"
    assert "insufficient buying power" in rejected.value.reason
    assert (await venue.broker.find_order("b1-0008")).status is ReportStatus.REJECTED
    assert venue.gateway.orders == {}


async def test_duplicate_order_id_is_retried_once_with_a_new_id(venue: IbkrVenueHarness) -> None:
    """Error 103 means the order was not placed; the adapter sends it again with a fresh id, and only once."""
    venue.gateway.fail_next_order(103, "Duplicate order id")
    report = await venue.broker.submit(limit("b1-0009"))
    assert report.status is ReportStatus.WORKING
    assert [o.order_ref for o in venue.gateway.orders.values()] == ["b1-0009"]


async def test_pacing_error_is_a_definite_reject(venue: IbkrVenueHarness) -> None:
    """Error 100 (pacing) drops the request at IB: a definite reject, nothing held at the gateway."""
    venue.gateway.fail_next_order(100, "Max rate of messages per second has been exceeded")
    with pytest.raises(BrokerRejected) as rejected:
        await venue.broker.submit(limit("b1-0010"))
    assert rejected.value.code == "IB_100"


async def test_lost_acknowledgement_is_unknown_then_resolved_by_find_order(venue: IbkrVenueHarness) -> None:
    """No reply within the ack timeout is BrokerUnavailable; find_order then finds the live order by orderRef."""
    await venue.lose_next_acknowledgement()
    with pytest.raises(BrokerUnavailable):
        await venue.broker.submit(limit("b1-0011"))
    report = await venue.broker.find_order("b1-0011")
    assert report.status is ReportStatus.WORKING
    assert report.broker_order_id == str(venue.gateway.order_by_ref("b1-0011").perm_id)


async def test_submitting_a_known_order_again_does_not_duplicate_it(venue: IbkrVenueHarness) -> None:
    """A second submit with the same client order id returns the existing order; the gateway holds one."""
    first = await venue.broker.submit(limit("b1-0012"))
    again = await venue.broker.submit(limit("b1-0012"))
    assert again.broker_order_id == first.broker_order_id
    assert len(venue.gateway.orders) == 1


async def test_unknown_symbol_is_rejected_with_a_clear_reason(venue: IbkrVenueHarness) -> None:
    """A symbol IB has no contract for is a definite reject naming the symbol; nothing is sent."""
    with pytest.raises(BrokerRejected) as rejected:
        await venue.broker.submit(replace(limit("b1-0013"), symbol="NOPE"))
    assert rejected.value.code == "IB_UNKNOWN_SYMBOL"
    assert "NOPE" in rejected.value.reason
    assert venue.gateway.orders == {}


async def test_ambiguous_symbol_is_rejected_with_its_listings(venue: IbkrVenueHarness) -> None:
    """A symbol with two stock listings on SMART/USD is rejected, naming both venues."""
    venue.gateway.add_listing(Listing("DUAL", 1001, "NYSE"))
    venue.gateway.add_listing(Listing("DUAL", 1002, "NASDAQ"))
    with pytest.raises(BrokerRejected) as rejected:
        await venue.broker.submit(replace(limit("b1-0014"), symbol="DUAL"))
    assert rejected.value.code == "IB_AMBIGUOUS_SYMBOL"
    assert "NASDAQ" in rejected.value.reason
    assert "NYSE" in rejected.value.reason


async def test_contract_is_qualified_once(venue: IbkrVenueHarness) -> None:
    """Orders in one symbol, sent one after another or all at once, ask the gateway for contract details once."""
    await asyncio.gather(*(venue.broker.submit(limit(f"b1-q{n}")) for n in range(5)))
    await venue.broker.submit(limit("b1-0016"))
    details_requests = [m for m in venue.gateway.received if m[0] == "9" and m[4] == "AAPL"]
    assert len(details_requests) == 1


async def test_cancel_of_an_unknown_order_is_not_found(venue: IbkrVenueHarness) -> None:
    """Cancelling an order IB never had raises OrderNotFound; find_order too."""
    with pytest.raises(OrderNotFound):
        await venue.broker.cancel("never-sent")
    with pytest.raises(OrderNotFound):
        await venue.broker.find_order("never-sent")


async def test_positions_and_account_come_from_the_gateway(venue: IbkrVenueHarness) -> None:
    """Positions follow the executions; the account is the configured one, its cash updated by the fill."""
    await venue.broker.submit(limit("b1-0017", 25))
    await venue.execute("b1-0017", Decimal(25), Decimal("190.00"))
    positions = await venue.broker.positions()
    assert [(p.symbol, p.quantity, p.average_cost) for p in positions] == [("AAPL", 25, Decimal("190"))]
    await venue.broker.fill_reports()  # a round trip: the account values pushed after the fill have arrived
    account = await venue.broker.account()
    assert account.account_id == "DU1234567"
    assert account.cash == venue.gateway.cash - 25 * Decimal("190.00")
    assert not account.live


async def test_duplicated_executions_are_booked_once(venue: IbkrVenueHarness) -> None:
    """With every execution sent twice, each execId appears once in the fills."""
    await venue.duplicate_reports()
    await venue.broker.submit(limit("b1-0018", 30))
    await venue.execute("b1-0018", Decimal(10))
    await venue.execute("b1-0018", Decimal(20))
    fills = await venue.broker.fill_reports()
    assert sorted(f.quantity for f in fills) == [10, 20]
    assert (await venue.broker.find_order("b1-0018")).filled_quantity == 30


@pytest.mark.parametrize("server_version", SERVER_VERSIONS)
async def test_pacing_stays_under_fifty_messages_a_second(server_version: int) -> None:
    """A burst of 60 submissions leaves the client at no more than 50 messages in any one second."""
    venue = await IbkrVenueHarness.start(server_version, ack_timeout=5.0)
    loop = asyncio.get_running_loop()
    arrivals: list[float] = []

    await venue.broker.submit(limit("warm-up"))
    # Stamped as the client writes each message: what the adapter controls. (Stamped on arrival, a test machine's
    # stalled event loop, which runs the fake gateway too, bunches messages the client had spaced out.)
    client = venue.broker._session.ib.client
    write = client.conn.sendMsg

    def stamped(data):  # type: ignore[no-untyped-def]
        arrivals.append(loop.time())
        write(data)

    client.conn.sendMsg = stamped
    arrivals.clear()
    await asyncio.gather(*(venue.broker.submit(limit(f"b2-{i:04d}", 1)) for i in range(60)))
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    await venue.close()
    assert len(venue.gateway.orders) == 61
    assert busiest <= 50


async def test_an_execution_correction_is_the_same_fill_with_the_corrected_price(venue: IbkrVenueHarness) -> None:
    """IB corrects an execution by re-sending it as `...01.02`: one fill, under its first id, at the new price."""
    await venue.broker.submit(limit("b1-0030", 10))
    await venue.execute("b1-0030", Decimal(10), Decimal("190.00"))
    [first] = await venue.broker.fill_reports()
    venue.gateway.correct_execution(venue.gateway.executions[-1], Decimal("189.98"))
    fills = await venue.broker.fill_reports()
    assert [(f.exec_id, f.quantity, f.price) for f in fills] == [(first.exec_id, Decimal(10), Decimal("189.98"))]
    restarted = await venue.restart_adapter()  # reqExecutions now lists only the correction
    assert [(f.exec_id, f.price) for f in await restarted.fill_reports()] == [(first.exec_id, Decimal("189.98"))]
