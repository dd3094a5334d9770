"""Advancing the venue: step each traded symbol's price walk and match the working orders, bar by bar.

Step `k` is the bar that ends at elapsed time `k * step_seconds`. An order takes part from the first bar ending at
or after its acknowledgement; all our orders in a symbol share `participation` of the bar's volume, oldest first.
A bar that ends a session expires the DAY orders still open after it has been matched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from adapters.sim import market
from adapters.sim.book import OpenOrder, book_execution
from adapters.sim.clock import SESSION_SECONDS
from adapters.sim.settings import SimSettings
from oms.domain.enums import OrderType, TimeInForce
from oms.domain.market import Security
from oms.ports import ReportStatus


@dataclass(frozen=True, slots=True)
class Market:
    """What the matcher needs to know about the venue's market."""

    securities: Mapping[str, Security]
    settings: SimSettings
    seed: int
    step_seconds: float

    def sigma(self, security: Security) -> float:
        return market.step_volatility(security, self.step_seconds)


def mid_at(conn: sqlite3.Connection, venue: Market, security: Security, step: int) -> float:
    """Return (and remember) a symbol's mid at `step`, walking forward from the last step it was computed for."""
    row = conn.execute("SELECT step, mid FROM prices WHERE symbol = ?", (security.symbol,)).fetchone()
    last_step, mid = (row["step"], row["mid"]) if row else (0, float(security.last_price))
    if step <= last_step:
        return float(mid)
    mid = market.walk(float(mid), last_step, step, seed=venue.seed, symbol=security.symbol, sigma=venue.sigma(security))
    conn.execute(
        "INSERT INTO prices (symbol, step, mid) VALUES (?, ?, ?)"
        " ON CONFLICT (symbol) DO UPDATE SET step = excluded.step, mid = excluded.mid",
        (security.symbol, step, mid),
    )
    return mid


def run_steps(conn: sqlite3.Connection, venue: Market, orders: list[OpenOrder], first: int, last: int) -> None:
    """Match `orders` (all open orders, oldest first) on bars `first..last`."""
    step = venue.step_seconds
    for k in range(first, last + 1):
        bar_end = k * step
        session = int((bar_end - step) // SESSION_SECONDS)
        fraction = ((bar_end - step / 2) - session * SESSION_SECONDS) / SESSION_SECONDS
        by_symbol: dict[str, list[OpenOrder]] = {}
        for order in orders:
            if order.is_open and order.ack_e <= bar_end:
                by_symbol.setdefault(order.symbol, []).append(order)
        for symbol, live in by_symbol.items():
            security = venue.securities.get(symbol)
            if security is None:
                continue  # the venue was restarted without this symbol's reference data: leave it working
            mid = mid_at(conn, venue, security, k)
            capacity = venue.settings.participation * market.step_volume(security, step, fraction)
            for order in live:
                capacity -= float(_match(conn, venue, security, order, mid, capacity, bar_end))
        if bar_end % SESSION_SECONDS == 0:
            for order in orders:
                if order.is_open and order.time_in_force is TimeInForce.DAY and order.session <= session:
                    order.close(ReportStatus.EXPIRED, bar_end, "day order expired at the close")
                    order.save(conn)
        orders = [order for order in orders if order.is_open]
        if not orders:
            return


def _match(
    conn: sqlite3.Connection,
    venue: Market,
    security: Security,
    order: OpenOrder,
    mid: float,
    capacity: float,
    at: float,
) -> Decimal:
    """Fill what `order` can take of this bar; return the quantity filled."""
    unit = Decimal("0.0001") if security.fractional else Decimal(1)
    size = min(order.remaining, max(market.lot(security, capacity), unit))
    price = market.impacted_price(order.side, security, mid, size, venue.settings.impact_coefficient)
    if order.order_type is OrderType.LIMIT and order.limit_price is not None:
        limit = float(order.limit_price)
        touch = market.touch(order.side, security, mid)
        if (touch - limit) * order.side.sign > 0:
            size = Decimal(0)  # the market has not crossed the limit
        price = min(price, limit) if order.side.sign > 0 else max(price, limit)
    if order.time_in_force is TimeInForce.FOK and size < order.remaining:
        order.close(ReportStatus.CANCELLED, at, "fill or kill: not fillable in full")
        order.save(conn)
        return Decimal(0)
    if size > 0:
        book_execution(conn, order, size, market.to_tick(price), at)
    if order.time_in_force is TimeInForce.IOC and order.is_open:
        order.close(ReportStatus.CANCELLED, at, "immediate or cancel: remainder cancelled")
        order.save(conn)
    return size
