"""The Alpaca emulator's reference data: `/v2/assets/{symbol}` and market-data latest quotes and daily bars for the
symbols a test lists, in Alpaca's wire shapes.

`emu.market_data.list_asset("VOO", "Vanguard S&P 500 ETF", Decimal("512.30"), exchange="ARCA")` makes the venue
trade VOO at that price and the data API quote it (bid and ask a spread apart, stamped now or at `quoted_at`) and
serve `sessions` daily bars (a seeded walk ending at the price). A symbol not listed answers 404 on
`/v2/assets/{symbol}` and is left out of quotes and bars, as Alpaca does. Requests naming no listed symbol fall
through to the emulator's older quote and bar handlers.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.fakes.alpaca_venue import AlpacaVenue
from tests.fakes.alpaca_wire import Reply, error, stamp


@dataclass
class ListedAsset:
    symbol: str
    name: str
    exchange: str
    fractionable: bool
    spread: Decimal
    quoted_at: datetime | None  # None: quoted "now" at each request
    bars: list[dict[str, Any]]


class MarketDataDesk:
    """Listed assets and their market data, served by the emulator before its own handlers."""

    def __init__(self, venue: AlpacaVenue) -> None:
        self.venue = venue
        self.listed: dict[str, ListedAsset] = {}

    def list_asset(
        self,
        symbol: str,
        name: str,
        price: Decimal,
        *,
        exchange: str = "ARCA",
        fractionable: bool = True,
        spread: Decimal = Decimal("0.02"),
        quoted_at: datetime | None = None,
        sessions: int = 30,
        volume: int = 2_000_000,
        seed: int = 11,
    ) -> ListedAsset:
        rng = random.Random(f"{seed}:{symbol}")
        closes = [price]
        for _ in range(sessions - 1):
            closes.append((closes[-1] * Decimal(str(1 + rng.gauss(0, 0.01)))).quantize(Decimal("0.01")))
        closes.reverse()
        today = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)
        days = [
            today - timedelta(days=d) for d in range(sessions * 2, 0, -1) if (today - timedelta(days=d)).weekday() < 5
        ]
        bars = [
            {
                "t": stamp(day),
                "o": float(close),
                "h": float(close * Decimal("1.005")),
                "l": float(close * Decimal("0.995")),
                "c": float(close),
                "v": volume + 1000 * index,
                "n": 1000,
                "vw": float(close),
            }
            for index, (day, close) in enumerate(zip(days[-sessions:], closes, strict=True))
        ]
        asset = ListedAsset(symbol, name, exchange, fractionable, spread, quoted_at, bars)
        self.listed[symbol] = asset
        with self.venue.lock:
            self.venue.prices[symbol] = price
        return asset

    def hold(self, symbol: str, quantity: Decimal, average_cost: Decimal) -> None:
        """Put a position in the paper account (as if bought before the test)."""
        with self.venue.lock:
            self.venue.positions[symbol] = (quantity, quantity * average_cost)

    def answer(self, route: str, path: str, params: dict[str, str]) -> Reply | None:
        if route.startswith("GET /v2/assets/"):
            return self._asset(path.rsplit("/", 1)[1])
        symbols = [s for s in params.get("symbols", "").split(",") if s]
        if not any(s in self.listed for s in symbols):
            return None
        if route == "GET /v2/stocks/quotes/latest":
            return 200, {"quotes": {s: self._quote(s) for s in symbols if s in self.listed}}
        if route == "GET /v2/stocks/bars":
            return 200, {"bars": {s: self.listed[s].bars for s in symbols if s in self.listed}, "next_page_token": None}
        return None

    def _asset(self, symbol: str) -> Reply:
        asset = self.listed.get(symbol)
        if asset is None:
            return error(404, f"asset not found for {symbol}", 40410000)
        return 200, {
            "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)),
            "class": "us_equity",
            "exchange": asset.exchange,
            "symbol": symbol,
            "name": asset.name,
            "status": "active",
            "tradable": True,
            "marginable": True,
            "shortable": True,
            "easy_to_borrow": True,
            "fractionable": asset.fractionable,
            "maintenance_margin_requirement": 30,
            "attributes": [],
        }

    def _quote(self, symbol: str) -> dict[str, Any]:
        asset = self.listed[symbol]
        with self.venue.lock:
            mid = self.venue.prices[symbol]
        half = asset.spread / 2
        return {
            "ap": float(mid + half),
            "as": 3,
            "ax": "V",
            "bp": float(mid - half),
            "bs": 2,
            "bx": "V",
            "c": ["R"],
            "t": stamp(asset.quoted_at or datetime.now(UTC)),
            "z": "B",
        }
