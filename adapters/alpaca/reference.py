"""`oms.ports.ReferenceData` from Alpaca: `/v2/assets/{symbol}` on the trading API, latest quotes and daily bars on
the market-data API (`[alpaca] data_url`, else Alpaca's own).

Each quote keeps the time Alpaca stamped it with (`t`), so a quote from yesterday's close reads as a day old.
A symbol Alpaca does not list (404) is absent, not an error; any other failure is a `BrokerError` (unknown keys are
`BrokerRejected`, a timeout or 5xx `BrokerUnavailable`), so the caller says the broker could not be asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.alpaca.mapping import decimal, timestamp
from adapters.alpaca.rest import AlpacaRest, build_trading_client, disarm_retries, install_timeout
from adapters.alpaca.settings import AlpacaConnection, AlpacaOptions
from oms.ports import DailyBar, Listing, OrderNotFound, Quote


class AlpacaReference:
    """Listings, quotes and daily bars for one set of Alpaca keys (trading keys, or data-only keys for quotes)."""

    source = "alpaca"

    def __init__(self, connection: AlpacaConnection, options: AlpacaOptions | None = None) -> None:
        self.connection = connection
        self.options = options or AlpacaOptions()
        self._trading: AlpacaRest | None = None
        self._data: AlpacaRest | None = None

    @classmethod
    def for_broker(cls, broker: Any, settings: Any) -> AlpacaReference:
        return cls(broker.connection, broker.options)

    def __repr__(self) -> str:
        return f"AlpacaReference(data_url={self.connection.data_url or 'default'!r})"

    async def security(self, symbol: str) -> Listing | None:
        rest = self._trading_rest()
        try:
            raw = await rest.call("get_asset", rest.client.get_asset, symbol)
        except OrderNotFound:  # the port's name for a definite 404
            return None
        if not isinstance(raw, dict) or raw.get("status") == "inactive":
            return None
        klass = str(raw.get("class") or "us_equity")
        return Listing(
            symbol=str(raw.get("symbol") or symbol),
            name=str(raw.get("name") or symbol),
            asset_class="equity" if klass == "us_equity" else klass,
            exchange=str(raw.get("exchange") or ""),
            tradable=bool(raw.get("tradable")),
            fractionable=bool(raw.get("fractionable")),
            shortable=bool(raw.get("shortable")),
            where=f"alpaca /v2/assets/{symbol}",
        )

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        from alpaca.data.requests import StockLatestQuoteRequest

        if not symbols:
            return {}
        rest = self._data_rest()
        request = StockLatestQuoteRequest(symbol_or_symbols=list(symbols))
        raw = await rest.call("latest_quotes", rest.client.get_stock_latest_quote, request)
        quotes: dict[str, Quote] = {}
        for symbol, entry in (raw or {}).items():
            bid, ask = _positive(entry.get("bp")), _positive(entry.get("ap"))
            at = timestamp(entry.get("t"))
            sides = [p for p in (bid, ask) if p is not None]
            if sides and at is not None:
                price = (sum(sides, Decimal(0)) / len(sides)).quantize(Decimal("0.0001"))
                quotes[symbol] = Quote(symbol, price.normalize(), at.astimezone(UTC), bid=bid, ask=ask)
        return quotes

    async def daily_bars(self, symbol: str, sessions: int) -> list[DailyBar]:
        from alpaca.data.requests import StockBarsRequest
        from alpaca.data.timeframe import TimeFrame

        start = datetime.now(UTC) - timedelta(days=sessions * 7 // 5 + 10)  # sessions to calendar days, with holidays
        request = StockBarsRequest(symbol_or_symbols=symbol, timeframe=TimeFrame.Day, start=start)
        rest = self._data_rest()
        raw = await rest.call("daily_bars", rest.client.get_stock_bars, request)
        bars = []
        for entry in (raw or {}).get(symbol, []):
            at = timestamp(entry.get("t"))
            values = [decimal(entry.get(key)) for key in ("o", "h", "l", "c", "v")]
            if at is None or any(v is None for v in values):
                continue
            o, h, low, c, v = (v if v is not None else Decimal(0) for v in values)
            bars.append(DailyBar(at.date(), o, h, low, c, v))
        return bars[-sessions:]

    def _trading_rest(self) -> AlpacaRest:
        if self._trading is None:
            self._trading = AlpacaRest(build_trading_client(self.connection), self.options)
        return self._trading

    def _data_rest(self) -> AlpacaRest:
        if self._data is None:
            from alpaca.data.historical import StockHistoricalDataClient

            client = StockHistoricalDataClient(
                api_key=self.connection.key_id.get_secret_value(),
                secret_key=self.connection.secret_key.get_secret_value(),
                raw_data=True,
                url_override=self.connection.data_url or None,
            )
            disarm_retries(client)
            install_timeout(client, self.connection.timeout_seconds)
            self._data = AlpacaRest(client, self.options)
        return self._data


def _positive(value: Any) -> Decimal | None:
    number = decimal(value)
    return number if number is not None and number > 0 else None
