"""What the conformance tests share: building requests, waiting for the venue, deduplicating fills."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.ports import FillReport, OrderReport, OrderRequest
from tests.acceptance.harness import VenueHarness

TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.02


def resting_buy(venue: VenueHarness, quantity: Decimal = Decimal(10)) -> OrderRequest:
    """Return a day limit buy priced well below the market, so the venue never fills it by itself."""
    limit = (venue.reference_price / 2).quantize(Decimal("0.01"))
    return OrderRequest(
        client_order_id=f"conf-{uuid.uuid4().hex[:12]}",
        symbol=venue.symbol,
        side=Side.BUY,
        quantity=quantity,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.DAY,
        limit_price=limit,
    )


async def wait_for(
    venue: VenueHarness, client_order_id: str, until: Callable[[OrderReport], bool], what: str
) -> OrderReport:
    """Poll the venue's order reports until the order satisfies `until`; fail naming what was awaited."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT_SECONDS
    last: OrderReport | None = None
    while True:
        for report in await venue.broker.order_reports(open_only=False):
            if report.client_order_id == client_order_id:
                last = report
                if until(report):
                    return report
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{client_order_id}: never {what}; last report: {last}")
        await asyncio.sleep(POLL_SECONDS)


async def wait_for_fills(venue: VenueHarness, client_order_id: str, total: Decimal) -> list[FillReport]:
    """Poll fill reports until the order's deduplicated fills add up to `total`; return the raw reports."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT_SECONDS
    while True:
        fills = [fill for fill in await venue.broker.fill_reports() if fill.client_order_id == client_order_id]
        if booked_quantity(fills) >= total or asyncio.get_running_loop().time() > deadline:
            return fills
        await asyncio.sleep(POLL_SECONDS)


def booked_quantity(fills: Iterable[FillReport]) -> Decimal:
    """Add up fills as a consumer that books each execution id once does."""
    unique = {fill.exec_id: fill.quantity for fill in fills}
    return sum(unique.values(), Decimal(0))
