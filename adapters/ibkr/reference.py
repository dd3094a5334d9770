"""`oms.ports.ReferenceData` from Interactive Brokers: contract details, market data snapshots and daily bars.

Symbols are the OMS's (a share class with a dot, `BRK.B`); IB writes the class with a space (`BRK B`). Contracts
are asked for as `Stock(symbol, "SMART", "USD")`: IB answers one listing per primary exchange, and the OMS routes
through SMART with the primary exchange named, so a symbol listed on several venues resolves to its US primary
listing (or is refused as ambiguous, naming the venues). Snapshots ask for delayed data where the account has no
market data subscription (`reqMarketDataType(3)`); the quote is then stamped with IB's delayed last-trade time and
said to be delayed. Daily bars are TRADES over regular hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from adapters.ibkr.session import sdk
from oms.ports import BrokerRejected, DailyBar, Listing, Quote

US_PRIMARY = ("NYSE", "NASDAQ", "ARCA", "AMEX", "BATS", "NYSEARCA")
DELAYED_TYPES = (3, 4)


def ib_symbol(symbol: str) -> str:
    return symbol.replace(".", " ")


class IbkrReference:
    """Reference data over an `IbkrBroker`'s gateway session (connect the broker first)."""

    source = "ibkr"

    def __init__(self, session: Any) -> None:
        self.session = session
        self._details: dict[str, Any] = {}
        self.delayed: set[str] = set()

    @classmethod
    def for_broker(cls, broker: Any) -> IbkrReference:
        return cls(broker._session)  # the adapter's own session: one connection, one pacer

    async def security(self, symbol: str) -> Listing | None:
        details = await self._detail(symbol)
        if details is None:
            return None
        contract = details.contract
        tick = details.minTick
        return Listing(
            symbol=symbol,
            name=details.longName or symbol,
            asset_class="equity",
            exchange=contract.primaryExchange,
            tradable=True,
            min_tick=Decimal(str(tick)) if tick and not math.isnan(tick) else None,
            delayed=symbol in self.delayed,
            where=f"ibkr contract details {ib_symbol(symbol)} on SMART/{contract.primaryExchange}",
        )

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        contracts: dict[str, Any] = {}
        for symbol in symbols:
            details = await self._detail(symbol)
            if details is not None:
                contracts[symbol] = details.contract
        if not contracts:
            return {}
        ib = self.session.ib
        ib.reqMarketDataType(3)  # delayed where there is no subscription; live where there is
        tickers = await self.session.request(lambda: ib.reqTickersAsync(*contracts.values()))
        quotes: dict[str, Quote] = {}
        for symbol, ticker in zip(contracts, tickers, strict=True):
            quote = _quote(symbol, ticker)
            if quote is not None:
                quotes[symbol] = quote
                if ticker.marketDataType in DELAYED_TYPES:
                    self.delayed.add(symbol)
        return quotes

    async def daily_bars(self, symbol: str, sessions: int) -> list[DailyBar]:
        details = await self._detail(symbol)
        if details is None:
            return []
        ib = self.session.ib
        days = sessions * 7 // 5 + 10
        bars = await self.session.request(
            lambda: ib.reqHistoricalDataAsync(
                details.contract,
                endDateTime="",
                durationStr=f"{days} D",
                barSizeSetting="1 day",
                whatToShow="TRADES",
                useRTH=True,
                formatDate=1,
            )
        )
        found = []
        for bar in bars or []:
            day = bar.date if isinstance(bar.date, date) else None
            if day is None:
                continue
            values = [_decimal(v) for v in (bar.open, bar.high, bar.low, bar.close, bar.volume)]
            if any(v is None for v in values):
                continue
            o, h, low, c, v = (x if x is not None else Decimal(0) for x in values)
            found.append(DailyBar(day, o, h, low, c, v))
        return found[-sessions:]

    async def _detail(self, symbol: str) -> Any:
        if symbol not in self._details:
            self._details[symbol] = await self._ask_details(symbol)
        return self._details[symbol]

    async def _ask_details(self, symbol: str) -> Any:
        stock = sdk().Stock(ib_symbol(symbol), "SMART", "USD")
        ib = self.session.ib
        found = await self.session.request(lambda: ib.reqContractDetailsAsync(stock))
        listings = [d for d in found or [] if d.contract is not None and d.contract.secType == "STK"]
        if len(listings) > 1:
            primary = [d for d in listings if d.contract.primaryExchange in US_PRIMARY]
            if len(primary) != 1:
                venues = ", ".join(sorted({d.contract.primaryExchange for d in listings}))
                raise BrokerRejected(
                    f"{symbol}: ambiguous at IB ({len(listings)} listings: {venues})", code="IB_AMBIGUOUS_SYMBOL"
                )
            listings = primary
        if not listings:
            return None
        details = listings[0]
        details.contract.exchange = "SMART"  # route through SMART; primaryExchange says which listing
        return details


def _quote(symbol: str, ticker: Any) -> Quote | None:
    bid, ask, last = (_decimal(getattr(ticker, name, None)) for name in ("bid", "ask", "last"))
    bid = bid if bid is not None and bid > 0 else None
    ask = ask if ask is not None and ask > 0 else None
    if bid is not None and ask is not None:
        price = ((bid + ask) / 2).quantize(Decimal("0.0001")).normalize()
    elif last is not None and last > 0:
        price = last
    else:
        return None
    at = getattr(ticker, "lastTimestamp", None) or getattr(ticker, "delayedLastTimestamp", None) or ticker.time
    observed = at.astimezone(UTC) if isinstance(at, datetime) else datetime.now(UTC)
    return Quote(symbol, price, observed, bid=bid, ask=ask)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    return Decimal(str(value))
