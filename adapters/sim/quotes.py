"""The market-data side of the simulator: its quotes (bid and ask) and its bars, reference data from elsewhere.

The engine asks it for the quote it records at arrival; the report asks it for the bars an order worked through,
for the interval VWAP and our participation.
"""

from __future__ import annotations

from datetime import datetime

from adapters.sim.venue import SimVenue
from oms.domain.market import PricePoint, Quote, Security
from oms.ports import MarketData


class SimMarketData:
    """`MarketData` whose quotes come from the venue; securities (name, ADV, spread) from `fallback`."""

    def __init__(self, venue: SimVenue, fallback: MarketData) -> None:
        self.venue = venue
        self.fallback = fallback

    def security(self, symbol: str) -> Security | None:
        return self.fallback.security(symbol)

    def quote(self, symbol: str) -> Quote | None:
        """The venue's bid, ask and midpoint now, stamped on its clock; the fallback's for a symbol it lacks."""
        return self.venue.quote(symbol) or self.fallback.quote(symbol)

    def bars(self, symbol: str, start: datetime, end: datetime) -> list[PricePoint]:
        """The market's bars between two times of the venue's clock: price (the mid) and the market's volume."""
        return self.venue.bars(symbol, start, end)
