"""The conformance cards (submit, partial fill, cancel, reject, lost ack, duplicates, restart) for Alpaca.

These run through `AlpacaHarness`, the same harness the shared suite in tests/acceptance/ uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from oms.domain.enums import Side
from oms.ports import Broker, BrokerRejected, BrokerUnavailable, OrderRequest, ReportStatus
from tests.acceptance.harness import VenueHarness
from tests.acceptance.harness_alpaca import AlpacaHarness
from tests.integration.alpaca.conftest import order


@pytest.fixture
async def venue() -> AsyncIterator[AlpacaHarness]:
    harness = await AlpacaHarness.start()
    yield harness
    await harness.close()


def limit_order(venue: AlpacaHarness, coid: str, quantity: int = 10, side: Side = Side.BUY) -> OrderRequest:
    price = venue.reference_price + (1 if side is Side.BUY else -1)
    return order(coid, quantity, side=side, symbol=venue.symbol, limit=str(price))


async def test_the_harness_satisfies_the_contract(venue: AlpacaHarness) -> None:
    """AlpacaHarness is a VenueHarness and its broker is a Broker."""
    harness: VenueHarness = venue
    assert isinstance(harness.broker, Broker)


async def test_partial_then_full_fill(venue: AlpacaHarness) -> None:
    """A partial fill reports partially filled with one fill; the rest reports filled with two fills."""
    await venue.broker.submit(limit_order(venue, "card-fill"))
    await venue.execute("card-fill", Decimal(4))
    report = await venue.broker.find_order("card-fill")
    assert (report.status, report.filled_quantity) == (ReportStatus.PARTIALLY_FILLED, Decimal(4))
    await venue.execute("card-fill", Decimal(6), Decimal("190.50"))
    report = await venue.broker.find_order("card-fill")
    assert (report.status, report.filled_quantity) == (ReportStatus.FILLED, Decimal(10))
    fills = [f for f in await venue.broker.fill_reports() if f.client_order_id == "card-fill"]
    assert sum(f.quantity for f in fills) == Decimal(10)
    assert fills[-1].price == Decimal("190.50")


async def test_cancel_reports_cancelled(venue: AlpacaHarness) -> None:
    """A cancelled working order is reported cancelled and no longer listed as open."""
    await venue.broker.submit(limit_order(venue, "card-cancel"))
    await venue.broker.cancel("card-cancel")
    assert (await venue.broker.find_order("card-cancel")).status is ReportStatus.CANCELLED
    assert "card-cancel" not in {r.client_order_id for r in await venue.broker.order_reports(open_only=True)}


async def test_a_venue_reject_is_definite_with_its_reason(venue: AlpacaHarness) -> None:
    """The venue's refusal reaches us as BrokerRejected carrying its words."""
    await venue.reject_next_submission("account is not allowed to trade this asset")
    with pytest.raises(BrokerRejected, match="not allowed to trade this asset"):
        await venue.broker.submit(limit_order(venue, "card-reject"))


async def test_a_lost_acknowledgement_is_unknown_then_found_and_never_doubled(venue: AlpacaHarness) -> None:
    """Reply and lookup both lost: BrokerUnavailable; then find_order and a resend both name the one order."""
    await venue.lose_next_acknowledgement()
    with pytest.raises(BrokerUnavailable):
        await venue.broker.submit(limit_order(venue, "card-lost"))
    found = await venue.broker.find_order("card-lost")
    again = await venue.broker.submit(limit_order(venue, "card-lost"))
    assert found.broker_order_id == again.broker_order_id
    open_ids = [r.client_order_id for r in await venue.broker.order_reports()]
    assert open_ids.count("card-lost") == 1


async def test_duplicated_reports_are_reported_once(venue: AlpacaHarness) -> None:
    """Executions the venue sends twice come back once each."""
    await venue.duplicate_reports()
    await venue.broker.submit(limit_order(venue, "card-dup"))
    await venue.execute("card-dup", Decimal(3))
    await venue.execute("card-dup", Decimal(7))
    fills = [f for f in await venue.broker.fill_reports() if f.client_order_id == "card-dup"]
    assert [f.quantity for f in fills] == [Decimal(3), Decimal(7)]


async def test_a_restarted_adapter_sees_the_same_orders_and_fills(venue: AlpacaHarness) -> None:
    """After a restart, open orders and fills (with the same execution ids) come back from the venue."""
    await venue.broker.submit(limit_order(venue, "card-r1"))
    await venue.execute("card-r1", Decimal(5))
    before = {f.exec_id for f in await venue.broker.fill_reports()}
    broker = await venue.restart_adapter()
    await venue.execute("card-r1", Decimal(2))
    after = {f.exec_id for f in await broker.fill_reports()}
    assert before < after
    assert len(after) == 2
    report = await broker.find_order("card-r1")
    assert report.filled_quantity == Decimal(7)
