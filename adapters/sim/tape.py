"""The simulated market's tape: one bar per step for every symbol we were trading, and its quotes.

A bar is the step's mid and the shares the whole market traded in it (our fills are part of that volume, capped by
`participation`). The market traded around the mid, so an interval's VWAP is the volume-weighted mean of its bars'
mids; our participation is our filled quantity over the bars' volume.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal

from adapters.sim import market
from adapters.sim.clock import SessionClock
from oms.domain.enums import Side
from oms.domain.market import PricePoint, Security, VenueQuote

_PLACES = Decimal("0.0001")


def record_bar(conn: sqlite3.Connection, symbol: str, step: int, mid: float, volume: float) -> None:
    conn.execute(
        "INSERT INTO bars (symbol, step, mid, volume) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (symbol, step) DO UPDATE SET mid = excluded.mid, volume = excluded.volume",
        (symbol, step, mid, volume),
    )


def read_bars(
    conn: sqlite3.Connection, clock: SessionClock, step_seconds: float, symbol: str, start: datetime, end: datetime
) -> list[PricePoint]:
    """Return the bars of `symbol` ending within `[start, end]`, stamped on the venue's clock at their end."""
    first, last = clock.to_elapsed(start), clock.to_elapsed(end)
    rows = conn.execute(
        "SELECT step, mid, volume FROM bars WHERE symbol = ? AND step * ? >= ? AND step * ? <= ? ORDER BY step",
        (symbol.upper(), step_seconds, first, step_seconds, last),
    ).fetchall()
    return [
        PricePoint(clock.at(row["step"] * step_seconds), _decimal(row["mid"]), _decimal(row["volume"])) for row in rows
    ]


def quote(security: Security, mid: float, at: datetime) -> VenueQuote:
    """The venue's quote: bid and ask half the security's typical spread either side of the mid, on the tick."""
    bid = market.to_tick(market.touch(Side.SELL, security, mid))
    ask = market.to_tick(market.touch(Side.BUY, security, mid))
    return VenueQuote(symbol=security.symbol, price=(bid + ask) / 2, at=at, bid=bid, ask=ask)


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_PLACES)
