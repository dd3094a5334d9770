"""Fixtures for the IBKR adapter against the fake TWS gateway, once per server version."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.ports import OrderRequest
from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.fakes.ib_gateway import SERVER_VERSIONS
from tests.hostzone import host_zone, zone_for


@pytest.fixture(params=SERVER_VERSIONS, ids=lambda v: f"server{v}")
async def venue(request: pytest.FixtureRequest) -> AsyncIterator[IbkrVenueHarness]:
    harness = await IbkrVenueHarness.start(server_version=request.param)
    try:
        yield harness
    finally:
        await harness.close()


def limit(coid: str, quantity: int = 100, price: str = "190.00", side: Side = Side.BUY) -> OrderRequest:
    return OrderRequest(coid, "AAPL", side, Decimal(quantity), OrderType.LIMIT, TimeInForce.DAY, Decimal(price))


def market(coid: str, quantity: int = 100, side: Side = Side.BUY) -> OrderRequest:
    return OrderRequest(coid, "AAPL", side, Decimal(quantity), OrderType.MARKET, TimeInForce.DAY)


@pytest.fixture(autouse=True)
def _host_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The host clock sits in Berlin, New York or Tokyo (tests/hostzone.py), never silently in UTC."""
    with host_zone(zone_for(request.node.nodeid)) as zone:
        yield zone
