"""The adapter applies the live guards it can check itself: endpoint against mode, account against the gateway."""

from __future__ import annotations

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
