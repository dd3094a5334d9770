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

from adapters.sim import market, reservations, tape
from adapters.sim.book import OpenOrder, book_execution
from adapters.sim.clock import SESSION_SECONDS
from adapters.sim.settings import SimSettings
from oms.domain.enums import OrderType, Side, TimeInForce
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


_ANY_OPEN = "SELECT 1 FROM orders WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel') LIMIT 1"
# The orders of one symbol that can trade at this bar's bid and ask: marketable ones, IOC/FOK orders whose
# leftovers must be cancelled, and limits the touch has crossed. Each arm is a range of its own partial index
# (store.SCHEMA), so a bar reads only the orders that can trade, the same for 10 or 10,000 resting limits;
# `_match` checks the limit again exactly.
_CANDIDATES = (
    "SELECT * FROM orders WHERE symbol = :symbol AND status IN ('pending', 'working', 'partially_filled',"
    " 'pending_cancel') AND (order_type = 'market' OR time_in_force IN ('ioc', 'fok')) AND ack_e <= :bar_end"
    " UNION SELECT * FROM orders WHERE symbol = :symbol AND side = 'buy' AND status IN ('pending', 'working',"
    " 'partially_filled', 'pending_cancel') AND order_type = 'limit' AND CAST(limit_price AS REAL) >= :ask"
    " AND ack_e <= :bar_end"
    " UNION SELECT * FROM orders WHERE symbol = :symbol AND side = 'sell' AND status IN ('pending', 'working',"
    " 'partially_filled', 'pending_cancel') AND order_type = 'limit' AND CAST(limit_price AS REAL) <= :bid"
    " AND ack_e <= :bar_end"
    " ORDER BY seq"
)
_EXPIRE_DAY_ORDERS = (
    "UPDATE orders SET status = 'expired', reason = 'day order expired at the close', updated_e = ?"
    " WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel')"
    " AND time_in_force = 'day' AND session <= ?"
)


def run_steps(conn: sqlite3.Connection, venue: Market, first: int, last: int) -> None:
    """Match the open orders on bars `first..last`, stopping early once none is left."""
    step = venue.step_seconds
    for k in range(first, last + 1):
        bar_end = k * step
        session = int((bar_end - step) // SESSION_SECONDS)
        fraction = ((bar_end - step / 2) - session * SESSION_SECONDS) / SESSION_SECONDS
        for symbol in reservations.live_symbols(conn):
            security = venue.securities.get(symbol)
            if security is None:
                continue  # the venue was reopened without this symbol's reference data: leave it working
            mid = mid_at(conn, venue, security, k)
            slack = mid * 1e-9  # float noise must not hide a crossing order; the exact check is in _match
            ask, bid = market.touch(Side.BUY, security, mid) - slack, market.touch(Side.SELL, security, mid) + slack
            volume = market.step_volume(security, step, fraction)
            tape.record_bar(conn, symbol, k, mid, volume)
            capacity = venue.settings.participation * volume
            candidates = {"symbol": symbol, "bar_end": bar_end, "ask": ask, "bid": bid}
            for row in conn.execute(_CANDIDATES, candidates).fetchall():
                capacity -= float(_match(conn, venue, security, OpenOrder.from_row(row), mid, capacity, bar_end))
        if bar_end % SESSION_SECONDS == 0 and conn.execute(_EXPIRE_DAY_ORDERS, (bar_end, session)).rowcount:
            reservations.rebuild(conn)  # a bulk update: recount what the orders still open promise
        if conn.execute(_ANY_OPEN).fetchone() is None:
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
        if (market.touch(order.side, security, mid) - limit) * order.side.sign > 0:
            size = Decimal(0)  # the market has not crossed the limit
        price = min(price, limit) if order.side is Side.BUY else max(price, limit)
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
