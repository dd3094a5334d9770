"""`SimulatedBroker`: the async broker port on the simulated venue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from adapters.sim.quotes import SimMarketData
from adapters.sim.settings import SimSettings
from adapters.sim.venue import SimVenue
from oms.domain.enums import OrderType
from oms.domain.market import Position, Security
from oms.ports import AccountInfo, Capabilities, FillReport, MarketClock, MarketData, OrderReport, OrderRequest


class SimulatedBroker:
    """A paper broker backed by `SimVenue`; every call runs in a worker thread so SQLite never blocks the loop."""

    name = "sim"
    capabilities = Capabilities(
        fractional=True,
        streaming=False,
        extended_hours=False,
        order_types=frozenset({OrderType.MARKET, OrderType.LIMIT}),
        max_client_order_id_length=128,
        unique_client_order_ids=True,  # the venue rejects DUPLICATE_CLIENT_ORDER_ID
    )

    def __init__(
        self,
        path: Path,
        securities: Mapping[str, Security] | Iterable[Security],
        settings: SimSettings | None = None,
        *,
        wall: Callable[[], float] = time.time,
        initial_positions: Iterable[Position] = (),
    ) -> None:
        self.venue = SimVenue(path, securities, settings, wall=wall, initial_positions=initial_positions)

    def market_data(self, fallback: MarketData) -> SimMarketData:
        """The venue's quotes and bars, with `fallback` (the security master) for reference data."""
        return SimMarketData(self.venue, fallback)

    async def connect(self) -> None:
        """Nothing to connect: the venue is a file, opened when the broker is built."""

    async def close(self) -> None:
        await asyncio.to_thread(self.venue.close)

    async def submit(self, request: OrderRequest) -> OrderReport:
        """Send one order; a duplicate client order id, an unknown symbol or a short sale is a definite reject."""
        return await asyncio.to_thread(self.venue.submit, request)

    async def cancel(self, client_order_id: str, broker_order_id: str | None = None) -> None:
        """Cancel what is left; raise BrokerRejected("too late: filled") when the order already ended."""
        await asyncio.to_thread(self.venue.cancel, client_order_id)

    async def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> Sequence[OrderReport]:
        return await asyncio.to_thread(lambda: self.venue.order_reports(open_only=open_only, since=since))

    async def fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        return await asyncio.to_thread(lambda: self.venue.fill_reports(since=since))

    async def find_order(self, client_order_id: str) -> OrderReport:
        """Look an order up by client order id; raise OrderNotFound when the venue never kept it."""
        return await asyncio.to_thread(self.venue.find_order, client_order_id)

    async def positions(self) -> Sequence[Position]:
        return await asyncio.to_thread(self.venue.positions)

    async def account(self) -> AccountInfo:
        return await asyncio.to_thread(self.venue.account)

    async def clock(self) -> MarketClock:
        return await asyncio.to_thread(self.venue.clock)
