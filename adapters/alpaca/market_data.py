"""Reference prices from Alpaca's market data API: the latest quote and the average daily volume.

Small on purpose: it refines what the security master says (price, ADV) when Alpaca can answer, and otherwise
leaves the security master's values alone. The core's `MarketData` protocol is synchronous, so this is too.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.alpaca.mapping import decimal, timestamp
from adapters.alpaca.rest import disarm_retries, install_timeout
from adapters.alpaca.settings import AlpacaConnection
from oms.domain.market import PricePoint
from oms.logging import get_logger
from oms.ports import MarketData, Quote, Security

log = get_logger("oms.adapters.alpaca")


class AlpacaMarketData:
    """`MarketData` from Alpaca, falling back to `fallback` (the security master) for anything it lacks."""

    def __init__(self, connection: AlpacaConnection, fallback: MarketData | None = None, *, adv_days: int = 20):
        self.connection = connection
        self.fallback = fallback
        self.adv_days = adv_days
        self._client: Any = None

    def __repr__(self) -> str:
        return f"AlpacaMarketData(data_url={self.connection.data_url or 'default'!r})"

    def quote(self, symbol: str) -> Quote | None:
        """The latest quote's midpoint (or the one side that is there); the fallback's when Alpaca cannot say."""
        from alpaca.data.requests import StockLatestQuoteRequest

        raw = self._ask(
            "latest_quote", lambda c: c.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols=symbol))
        )
        entry = (raw or {}).get(symbol) or {}
        bid, ask = _positive(entry.get("bp")), _positive(entry.get("ap"))
        sides = [p for p in (bid, ask) if p is not None]
        at = timestamp(entry.get("t"))
        if not sides or at is None:
            return self.fallback.quote(symbol) if self.fallback else None
        return Quote(symbol=symbol, price=sum(sides, Decimal(0)) / len(sides), at=at, bid=bid, ask=ask)

    def adv(self, symbol: str) -> Decimal | None:
        """The mean daily volume over the last `adv_days` daily bars, or None."""
        from alpaca.data.requests import StockBarsRequest
        from alpaca.data.timeframe import TimeFrame

        start = datetime.now(UTC) - timedelta(days=self.adv_days * 7 // 5 + 7)  # trading days to calendar days
        request = StockBarsRequest(symbol_or_symbols=symbol, timeframe=TimeFrame.Day, start=start)
        raw = self._ask("daily_bars", lambda c: c.get_stock_bars(request))
        volumes = [decimal(bar.get("v")) for bar in (raw or {}).get(symbol, [])][-self.adv_days :]
        known = [v for v in volumes if v is not None]
        return sum(known, Decimal(0)) / len(known) if known else None

    def bars(self, symbol: str, start: datetime, end: datetime) -> list[PricePoint]:
        """The market's minute bars that overlap `[start, end]`: each bar's own VWAP (`vw`, else its close) and
        volume. A bar is stamped at its start, or at `start` when it began before (so the interval keeps it). Empty
        when Alpaca cannot say; the report then shows no interval VWAP.
        """
        from alpaca.data.requests import StockBarsRequest
        from alpaca.data.timeframe import TimeFrame

        first = start.replace(second=0, microsecond=0)
        request = StockBarsRequest(symbol_or_symbols=symbol, timeframe=TimeFrame.Minute, start=first, end=end)
        raw = self._ask("minute_bars", lambda c: c.get_stock_bars(request))
        points = []
        for bar in (raw or {}).get(symbol, []):
            at, price = timestamp(bar.get("t")), _positive(bar.get("vw")) or _positive(bar.get("c"))
            if at is not None and price is not None and at <= end and at + timedelta(minutes=1) > start:
                points.append(PricePoint(max(at, start), price, decimal(bar.get("v")) or Decimal(0)))
        return points

    def security(self, symbol: str) -> Security | None:
        """The security master's row with Alpaca's last price and ADV where Alpaca has them."""
        base = self.fallback.security(symbol) if self.fallback else None
        if base is None:
            return None
        quote, adv = self.quote(symbol), self.adv(symbol)
        return dataclasses.replace(
            base, last_price=quote.price if quote else base.last_price, adv=adv if adv else base.adv
        )

    def _ask(self, what: str, call: Any) -> Any:
        try:
            return call(self._data_client())
        except Exception as exc:  # reference data is advisory: the security master answers instead
            log.warning("alpaca.market_data_unavailable", what=what, error=str(exc)[:200])
            return None

    def _data_client(self) -> Any:
        if self._client is None:
            from alpaca.data.historical import StockHistoricalDataClient

            self._client = StockHistoricalDataClient(
                api_key=self.connection.key_id.get_secret_value(),
                secret_key=self.connection.secret_key.get_secret_value(),
                raw_data=True,
                url_override=self.connection.data_url or None,
            )
            disarm_retries(self._client)
            install_timeout(self._client, self.connection.timeout_seconds)
        return self._client


def _positive(value: Any) -> Decimal | None:
    number = decimal(value)
    return number if number and number > 0 else None
