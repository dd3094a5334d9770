"""The adapter applies the live guards it can check itself: endpoint against mode, account against the gateway."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from adapters.ibkr import IbkrBroker
from adapters.ibkr.settings import IbkrSettings
from oms.ports import BrokerRejected
from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.fakes.ib_gateway import FakeIbGateway
from tests.integration.ibkr.conftest import limit


async def test_paper_port_in_live_mode_is_refused_before_connecting() -> None:
    """A live adapter pointed at the Gateway paper port refuses to connect at all."""
    broker = IbkrBroker(IbkrSettings(port=4002, account="U1234567"), live=True)
    with pytest.raises(BrokerRejected) as refused:
        await broker.connect()
    assert refused.value.code == "PAPER_ENDPOINT_IN_LIVE_MODE"


async def test_live_port_in_paper_mode_is_refused_before_connecting() -> None:
    """A paper adapter pointed at the TWS live port refuses to connect at all."""
    broker = IbkrBroker(IbkrSettings(port=7496, account="DU1234567"), live=False)
    with pytest.raises(BrokerRejected) as refused:
        await broker.connect()
    assert refused.value.code == "LIVE_ENDPOINT_IN_PAPER_MODE"


async def test_a_gateway_logged_in_to_another_account_is_refused() -> None:
    """When the gateway manages another account than the configured one, connect fails and nothing trades."""
    gateway = FakeIbGateway(account="DU7777777")
    await gateway.start()
    broker = IbkrBroker(IbkrSettings(port=gateway.port, account="DU1234567", timeout_seconds=2.0))
    try:
        with pytest.raises(BrokerRejected) as refused:
            await broker.connect()
        assert refused.value.code == "ACCOUNT_MISMATCH"
        assert "DU7777777" in refused.value.reason
    finally:
        await broker.close()
        await gateway.stop()


async def test_every_submission_is_logged_with_its_account(venue: IbkrVenueHarness) -> None:
    """Each submission logs the account it goes to (and whether it is live) before it is sent."""
    with capture_logs() as logs:
        await venue.broker.submit(limit("g1-0001"))
    [event] = [e for e in logs if e["event"] == "ibkr.order.submitting"]
    assert (event["account"], event["client_order_id"], event["live"]) == ("DU1234567", "g1-0001", False)


async def test_client_id_in_use_is_one_clear_error_naming_the_client_id(venue: IbkrVenueHarness) -> None:
    """326: another client holds the id. One BrokerRejected naming the id, at once; no retry loop."""
    second = IbkrBroker(IbkrSettings(port=venue.gateway.port, client_id=17, account="DU1234567", timeout_seconds=2.0))
    try:
        with pytest.raises(BrokerRejected) as refused:
            await asyncio.wait_for(second.connect(), 1.5)
        assert refused.value.code == "IB_CLIENT_ID_IN_USE"
        assert "client id 17" in refused.value.reason
    finally:
        await second.close()
    starts = [m for m in venue.gateway.received if m[0] == "71"]
    await asyncio.sleep(0.3)
    assert len([m for m in venue.gateway.received if m[0] == "71"]) == len(starts)  # nobody tries again


async def test_tws_cut_off_from_ib_holds_submissions_until_restored(venue: IbkrVenueHarness) -> None:
    """2110 (TWS to IB's servers broken): nothing is sent until 1102 says the link is back."""
    venue.gateway.send_error(2110, "Connectivity between Trader Workstation and server is broken.")
    await asyncio.sleep(0.05)
    pending = asyncio.create_task(venue.broker.submit(limit("g2-0001")))
    await asyncio.sleep(0.2)
    assert venue.gateway.orders == {}
    venue.gateway.send_error(
        1102, "Connectivity between IB and Trader Workstation has been restored - data maintained."
    )
    report = await asyncio.wait_for(pending, 3)
    assert report.status.value == "working"
