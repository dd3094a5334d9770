"""The fake gateway's market data: snapshots (live, or delayed without a subscription) and daily historical bars.

Wire shapes as TWS sends them to an API client at server versions 176-178:

- reqMarketDataType (59) sets what the client accepts; 3 asks for delayed data where there is no subscription.
- reqMktData (1) with snapshot=1 answers marketDataType (58) 1 (live) or 3 (delayed), then tickPrice (1) bid/ask/
  last (1/2/4 live, 66/67/68 delayed), tickString (46) with the last trade time (45 live, 88 delayed), and
  tickSnapshotEnd (57). Without a subscription and without asking for delayed data it is error 354.
- reqHistoricalData (20) answers historicalData (17): start, end, the bar count, then date (YYYYMMDD with
  formatDate=1), open, high, low, close, volume, WAP and trade count per bar; a symbol without data is error 162.

`ReferenceDesk.quote(symbol, bid, ask, last, at=...)` sets what a snapshot shows; `bars(symbol, closes)` the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

REQ_MKT_DATA = 1
CANCEL_MKT_DATA = 2
REQ_HISTORICAL_DATA = 20
REQ_MARKET_DATA_TYPE = 59
TICK_PRICE = 1
HISTORICAL_DATA = 17
TICK_STRING = 46
TICK_SNAPSHOT_END = 57
MARKET_DATA_TYPE = 58
ERROR = 4


@dataclass
class SnapshotQuote:
    bid: Decimal
    ask: Decimal
    last: Decimal
    at: datetime | None = None  # the last trade's time; None: now


@dataclass
class ReferenceDesk:
    """What the gateway's market data farm knows, by IB symbol (e.g. "BRK B")."""

    subscribed: bool = False  # a paper account without a market data subscription gets delayed data
    delay: timedelta = timedelta(minutes=15)
    quotes: dict[str, SnapshotQuote] = field(default_factory=dict)
    history: dict[str, list[tuple[date, Decimal, Decimal]]] = field(default_factory=dict)  # (day, close, volume)
    requested_type: dict[int, int] = field(default_factory=dict)  # client id -> reqMarketDataType
    snapshots: int = 0
    historical_requests: list[list[str]] = field(default_factory=list)

    def quote(self, symbol: str, bid: Decimal, ask: Decimal, last: Decimal, *, at: datetime | None = None) -> None:
        self.quotes[symbol] = SnapshotQuote(bid, ask, last, at)

    def bars(self, symbol: str, closes: list[Decimal], *, volume: int = 3_000_000, end: date | None = None) -> None:
        day = end or datetime.now(UTC).date()
        days: list[date] = []
        while len(days) < len(closes):
            day -= timedelta(days=1)
            if day.weekday() < 5:
                days.append(day)
        days.reverse()
        self.history[symbol] = [
            (d, c, Decimal(volume + 500 * i)) for i, (d, c) in enumerate(zip(days, closes, strict=True))
        ]

    def answer(self, version: int, client_id: int, fields: list[str]) -> list[list[object]] | None:
        """The messages for one request this desk handles, or None when the request is not a market data one."""
        kind = int(fields[0])
        if kind == REQ_MARKET_DATA_TYPE:
            self.requested_type[client_id] = int(fields[2])
            return []
        if kind == CANCEL_MKT_DATA:
            return []
        if kind == REQ_MKT_DATA:
            return self._snapshot(version, client_id, int(fields[2]), fields[4])
        if kind == REQ_HISTORICAL_DATA:
            self.historical_requests.append(fields)
            return self._history(version, int(fields[1]), fields[3])
        return None

    def _snapshot(self, version: int, client_id: int, req_id: int, symbol: str) -> list[list[object]]:
        self.snapshots += 1
        quote = self.quotes.get(symbol)
        delayed = not self.subscribed
        if delayed and self.requested_type.get(client_id, 1) not in (3, 4):
            text = "Requested market data is not subscribed. Displaying delayed market data."
            return [_error(version, req_id, 354, text)]
        messages: list[list[object]] = [[MARKET_DATA_TYPE, 1, req_id, 3 if delayed else 1]]
        if quote is not None:
            bid_tick, ask_tick, last_tick, time_tick = (66, 67, 68, 88) if delayed else (1, 2, 4, 45)
            traded = quote.at or datetime.now(UTC)
            if delayed:
                traded -= self.delay
            messages += [
                [TICK_PRICE, 6, req_id, bid_tick, quote.bid, 300, 0],
                [TICK_PRICE, 6, req_id, ask_tick, quote.ask, 200, 0],
                [TICK_PRICE, 6, req_id, last_tick, quote.last, 100, 0],
                [TICK_STRING, 6, req_id, time_tick, int(traded.timestamp())],
            ]
        messages.append([TICK_SNAPSHOT_END, 1, req_id])
        return messages

    def _history(self, version: int, req_id: int, symbol: str) -> list[list[object]]:
        rows = self.history.get(symbol)
        if not rows:
            return [
                _error(version, req_id, 162, "Historical Market Data Service error message:HMDS query returned no data")
            ]
        start, end = rows[0][0], rows[-1][0]
        message: list[object] = [
            HISTORICAL_DATA,
            req_id,
            f"{start:%Y%m%d} 00:00:00",
            f"{end:%Y%m%d} 00:00:00",
            len(rows),
        ]
        for day, close, volume in rows:
            high, low = close * Decimal("1.004"), close * Decimal("0.996")
            message += [f"{day:%Y%m%d}", close, round(high, 2), round(low, 2), close, volume, close, 1000]
        return [message]


def _error(version: int, req_id: int, code: int, message: str) -> list[object]:
    fields: list[object] = [ERROR, 2, req_id, code, message]
    if version >= 166:
        fields += [""]
    return fields
