"""The adapter conformance suite: every venue harness must pass each of these, through the broker port alone."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest

from oms.ports import BrokerRejected, BrokerUnavailable, OrderNotFound, ReportStatus
from tests.acceptance.harness import VenueHarness
from tests.acceptance.support import booked_quantity, resting_buy, wait_for, wait_for_fills

ACKNOWLEDGED = {ReportStatus.WORKING, ReportStatus.PARTIALLY_FILLED, ReportStatus.FILLED}


async def test_submit_is_acknowledged_then_partially_filled_then_filled(venue: VenueHarness) -> None:
    """An order is acknowledged under our id, then a partial and the rest add up to one filled order."""
    request = resting_buy(venue, Decimal(10))
    report = await venue.broker.submit(request)
    assert report.client_order_id == request.client_order_id
    assert report.broker_order_id
    assert report.status in {ReportStatus.PENDING, ReportStatus.WORKING}
    await wait_for(venue, request.client_order_id, lambda r: r.status in ACKNOWLEDGED, "acknowledged")

    await venue.execute(request.client_order_id, Decimal(4))
    partial = await wait_for(venue, request.client_order_id, lambda r: r.filled_quantity == 4, "partially filled")
    assert partial.status is ReportStatus.PARTIALLY_FILLED
    assert booked_quantity(await wait_for_fills(venue, request.client_order_id, Decimal(4))) == 4

    await venue.execute(request.client_order_id, Decimal(6))
    filled = await wait_for(venue, request.client_order_id, lambda r: r.status.is_final, "finished")
    assert (filled.status, filled.filled_quantity) == (ReportStatus.FILLED, Decimal(10))
    assert filled.average_fill_price is not None
    assert filled.average_fill_price > 0
    fills = await wait_for_fills(venue, request.client_order_id, Decimal(10))
    assert booked_quantity(fills) == 10
    assert {fill.broker_order_id for fill in fills} == {report.broker_order_id}
    open_ids = {r.client_order_id for r in await venue.broker.order_reports(open_only=True)}
    assert request.client_order_id not in open_ids


async def test_cancel_of_a_working_order_cancels_its_remainder(venue: VenueHarness) -> None:
    """Cancelling a partially filled order ends it cancelled, keeping the quantity already filled."""
    request = resting_buy(venue, Decimal(10))
    await venue.broker.submit(request)
    await wait_for(venue, request.client_order_id, lambda r: r.status in ACKNOWLEDGED, "acknowledged")
    await venue.execute(request.client_order_id, Decimal(3))
    await wait_for(venue, request.client_order_id, lambda r: r.filled_quantity == 3, "partially filled")

    await venue.broker.cancel(request.client_order_id)
    final = await wait_for(venue, request.client_order_id, lambda r: r.status.is_final, "finished")
    assert (final.status, final.filled_quantity) == (ReportStatus.CANCELLED, Decimal(3))


async def test_cancel_that_loses_the_race_to_a_fill_leaves_the_order_filled(venue: VenueHarness) -> None:
    """A cancel arriving after the fill is refused (now or in the reports) and the order ends filled."""
    request = resting_buy(venue, Decimal(5))
    await venue.broker.submit(request)
    await wait_for(venue, request.client_order_id, lambda r: r.status in ACKNOWLEDGED, "acknowledged")
    await venue.execute(request.client_order_id, Decimal(5))
    await wait_for(venue, request.client_order_id, lambda r: r.status is ReportStatus.FILLED, "filled")

    with contextlib.suppress(BrokerRejected):
        await venue.broker.cancel(request.client_order_id)
    final = await wait_for(venue, request.client_order_id, lambda r: r.status.is_final, "finished")
    assert (final.status, final.filled_quantity) == (ReportStatus.FILLED, Decimal(5))


async def test_a_rejected_submission_is_definite_and_the_next_one_is_accepted(venue: VenueHarness) -> None:
    """A venue's refusal surfaces as BrokerRejected or a rejected report, never as an unknown outcome."""
    await venue.reject_next_submission("simulated refusal")
    refused = resting_buy(venue)
    refusal: BrokerRejected | None = None
    try:
        await venue.broker.submit(refused)
    except BrokerRejected as exc:
        refusal = exc
    if refusal is not None:
        assert refusal.reason
    else:
        final = await wait_for(venue, refused.client_order_id, lambda r: r.status.is_final, "finished")
        assert final.status is ReportStatus.REJECTED
        assert final.filled_quantity == 0

    accepted = resting_buy(venue)
    report = await venue.broker.submit(accepted)
    assert report.status in {ReportStatus.PENDING, ReportStatus.WORKING}


async def test_a_duplicated_fill_report_is_booked_once(venue: VenueHarness) -> None:
    """Fill reports may repeat an execution id; a consumer keyed by exec id books the right total."""
    await venue.duplicate_reports()
    request = resting_buy(venue, Decimal(8))
    await venue.broker.submit(request)
    await wait_for(venue, request.client_order_id, lambda r: r.status in ACKNOWLEDGED, "acknowledged")
    await venue.execute(request.client_order_id, Decimal(5))

    fills = await wait_for_fills(venue, request.client_order_id, Decimal(5))
    assert booked_quantity(fills) == 5
    assert len({fill.exec_id for fill in fills}) == 1
    report = await wait_for(venue, request.client_order_id, lambda r: r.filled_quantity == 5, "partially filled")
    assert report.status is ReportStatus.PARTIALLY_FILLED


async def test_a_restart_mid_order_keeps_the_order_and_its_fills(venue: VenueHarness) -> None:
    """After the adapter restarts, the venue still reports the half-filled order and its fill, and fills the rest."""
    request = resting_buy(venue, Decimal(10))
    first = await venue.broker.submit(request)
    await wait_for(venue, request.client_order_id, lambda r: r.status in ACKNOWLEDGED, "acknowledged")
    await venue.execute(request.client_order_id, Decimal(6))
    await wait_for(venue, request.client_order_id, lambda r: r.filled_quantity == 6, "partially filled")
    before = {fill.exec_id for fill in await wait_for_fills(venue, request.client_order_id, Decimal(6))}

    broker = await venue.restart_adapter()
    assert broker is venue.broker
    found = await broker.find_order(request.client_order_id)
    assert (found.broker_order_id, found.filled_quantity) == (first.broker_order_id, Decimal(6))
    assert request.client_order_id in {r.client_order_id for r in await broker.order_reports(open_only=True)}
    after = await wait_for_fills(venue, request.client_order_id, Decimal(6))
    assert {fill.exec_id for fill in after} == before

    await venue.execute(request.client_order_id, Decimal(4))
    final = await wait_for(venue, request.client_order_id, lambda r: r.status.is_final, "finished")
    assert (final.status, final.filled_quantity) == (ReportStatus.FILLED, Decimal(10))


async def test_an_unknown_outcome_is_resolved_by_client_order_id(venue: VenueHarness) -> None:
    """A submit whose reply is lost raises BrokerUnavailable; find_order then shows the venue kept the order."""
    await venue.lose_next_acknowledgement()
    request = resting_buy(venue, Decimal(7))
    with pytest.raises(BrokerUnavailable):
        await venue.broker.submit(request)

    found = await venue.broker.find_order(request.client_order_id)
    assert (found.client_order_id, found.symbol, found.quantity) == (request.client_order_id, venue.symbol, Decimal(7))
    assert found.status is not ReportStatus.REJECTED
    with pytest.raises(OrderNotFound):
        await venue.broker.find_order(f"{request.client_order_id}-never-sent")
