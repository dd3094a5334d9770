"""IB warnings are never an order's outcome, and an orderRef IB has shown is never placed a second time."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.domain.enums import Side
from oms.ports import BrokerUnavailable, ReportStatus
from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.integration.ibkr.conftest import limit


def place_orders(venue: IbkrVenueHarness) -> list[list[str]]:
    return [m for m in venue.gateway.received if m[0] == "3"]


async def test_warning_399_while_ib_holds_the_order_is_not_a_reject(venue: IbkrVenueHarness) -> None:
    """399 arrives, the order is held by a precaution and listed nowhere: the outcome is unknown, not rejected, and
    once IB shows the order, sending the same id again returns it instead of placing a second one."""
    venue.gateway.hold_next_order(399)
    with pytest.raises(BrokerUnavailable, match="may be live"):
        await venue.broker.submit(limit("w1-0001"))
    venue.gateway.release_held()
    found = await venue.broker.find_order("w1-0001")
    assert found.status is ReportStatus.WORKING
    again = await venue.broker.submit(limit("w1-0001"))
    assert again.broker_order_id == found.broker_order_id
    assert len(venue.gateway.orders) == 1
    assert len(place_orders(venue)) == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (399, "Order Message: Warning: your order will not be placed at the exchange until 09:30:00"),
        (10349, "Order TIF was set to DAY based on order preset."),
        (2109, "Order Event Warning: Attribute 'Outside Regular Trading Hours' is ignored."),
        (404, "Order held while securities are located."),
    ],
    ids=["399", "10349", "2109", "404"],
)
async def test_warnings_before_the_acknowledgement_leave_the_order_working(
    venue: IbkrVenueHarness, code: int, message: str
) -> None:
    venue.gateway.warn_next_order(code, message)
    report = await venue.broker.submit(limit("w2-0001"))
    assert report.status is ReportStatus.WORKING
    assert (await venue.broker.find_order("w2-0001")).status is ReportStatus.WORKING


async def test_rejected_after_acknowledgement_keeps_ibs_reason_and_is_never_placed_again(
    venue: IbkrVenueHarness,
) -> None:
    """201 after IB showed the order: rejected with IB's own words; the same id sent again places nothing."""
    venue.gateway.reject_next_after_acknowledgement(201, "Order rejected - reason:Short sale not allowed")
    await venue.broker.submit(limit("w3-0001"))  # acknowledged first: the answer is IB's permId
    found = await venue.broker.find_order("w3-0001")
    assert found.status is ReportStatus.REJECTED
    assert found.reason is not None
    assert "Short sale not allowed" in found.reason
    again = await venue.broker.submit(limit("w3-0001"))
    assert again.status is ReportStatus.REJECTED
    assert len(place_orders(venue)) == 1


async def test_inactive_while_ib_locates_shares_is_not_final(venue: IbkrVenueHarness) -> None:
    """Inactive with whyHeld=locate: IB looks for shares to borrow; the order lives and may still fill."""
    venue.gateway.reject_next_after_acknowledgement(404, "Order held while securities are located.", why_held="locate")
    await venue.broker.submit(limit("w4-0001", side=Side.SELL))
    report = await venue.broker.find_order("w4-0001")
    assert not report.status.is_final
    order = venue.gateway.order_by_ref("w4-0001")
    venue.gateway.release_locate(order)
    await venue.execute("w4-0001", Decimal(100))
    assert (await venue.broker.find_order("w4-0001")).status is ReportStatus.FILLED


async def test_an_order_placed_under_another_client_id_is_not_placed_again(venue: IbkrVenueHarness) -> None:
    """Restarted under a new client id, the adapter still sees the order the old one placed (all open orders)."""
    first = await venue.broker.submit(limit("w5-0001"))
    venue.client_id = 18
    broker = await venue.restart_adapter()
    again = await broker.submit(limit("w5-0001"))
    assert again.broker_order_id == first.broker_order_id
    assert len(venue.gateway.orders) == 1
