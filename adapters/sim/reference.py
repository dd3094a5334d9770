"""Reference data from the simulator: listings from its security master, quotes from its seeded walk, and a
synthetic daily history.

The quotes are what the venue would fill against right now (mid, and the touch either side from the security's
spread), stamped with the wall-clock time they were read (the venue's sped-up clock is not the OMS's). The
simulator keeps no past sessions, so its daily bars are a seeded
history ending at the security's opening price: closes walk backwards with the security's daily volatility and
volumes scatter around its ADV, the same every time for the same seed.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from adapters.sim import market
from adapters.sim.clock import NEW_YORK
from adapters.sim.venue import SimVenue
from oms.domain.enums import Side
from oms.ports import DailyBar, Listing, Quote


class SimReference:
    """`oms.ports.ReferenceData` on a `SimVenue`."""

    source = "sim"

    def __init__(self, venue: SimVenue) -> None:
        self.venue = venue

    async def security(self, symbol: str) -> Listing | None:
        security = self.venue.securities.get(symbol.upper())
        if security is None:
            return None
        return Listing(
            symbol=security.symbol,
            name=security.name,
            asset_class=security.asset_class,
            exchange="SIM",
            fractionable=security.fractional,
            min_tick=Decimal("0.01"),
            where="the simulator's securities",
        )

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        _, mids = await asyncio.to_thread(self.venue.mids, [s.upper() for s in symbols])
        at = datetime.now(UTC)  # observed now: the venue's own clock runs ahead of the wall clock the OMS ages by
        quotes = {}
        for symbol, mid in mids.items():
            security = self.venue.securities[symbol]
            bid = market.to_tick(market.touch(Side.SELL, security, mid))
            ask = market.to_tick(market.touch(Side.BUY, security, mid))
            quotes[symbol] = Quote(symbol, market.to_tick(mid), at, bid=bid, ask=ask)
        return quotes

    async def daily_bars(self, symbol: str, sessions: int) -> list[DailyBar]:
        security = self.venue.securities.get(symbol.upper())
        if security is None or sessions <= 0:
            return []
        seed = self.venue.settings.seed
        sigma = float(security.daily_volatility)
        close = float(security.last_price)
        today = (await asyncio.to_thread(self.venue.clock)).at.astimezone(NEW_YORK).date()
        days = _weekdays_before(today, sessions)
        bars: list[DailyBar] = []
        for back, day in enumerate(reversed(days), start=1):
            shock = market.shock(seed, f"history:{symbol}", back)
            opened = close * math.exp(-sigma * shock)
            volume = float(security.adv) * math.exp(0.25 * market.shock(seed, f"volume:{symbol}", back) - 0.03125)
            high, low = max(opened, close) * (1 + sigma / 4), min(opened, close) * (1 - sigma / 4)
            bars.append(
                DailyBar(
                    day=day,
                    open=market.to_tick(opened),
                    high=market.to_tick(high),
                    low=market.to_tick(low),
                    close=market.to_tick(close),
                    volume=Decimal(round(volume)),
                )
            )
            close = opened
        bars.reverse()
        return bars


def _weekdays_before(day: date, count: int) -> list[date]:
    found: list[date] = []
    while len(found) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return sorted(found)
