"""What the venue refuses at the door, with the reason code and message a broker would give."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from decimal import Decimal

from adapters.sim import market, reservations
from adapters.sim.matching import Market, mid_at
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Security
from oms.ports import OrderRequest

SUPPORTED_TIME_IN_FORCE = frozenset({TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK})


def refusal(
    conn: sqlite3.Connection, venue: Market, securities: Mapping[str, Security], request: OrderRequest, step: int
) -> tuple[str, str] | None:
    """Return (code, reason) when the venue must refuse `request`, else None."""
    if conn.execute("SELECT 1 FROM orders WHERE client_order_id = ?", (request.client_order_id,)).fetchone():
        return "DUPLICATE_CLIENT_ORDER_ID", "client_order_id must be unique"
    security = securities.get(request.symbol.upper())
    if security is None:
        return "UNKNOWN_SYMBOL", f"unknown symbol {request.symbol}"
    if request.quantity <= 0:
        return "INVALID_QUANTITY", f"quantity must be positive, got {request.quantity}"
    if not security.fractional and request.quantity != request.quantity.to_integral_value():
        return "FRACTIONAL_NOT_ALLOWED", f"{security.symbol} is not fractionable"
    if request.order_type not in (OrderType.MARKET, OrderType.LIMIT):
        return "UNSUPPORTED_ORDER_TYPE", f"order type {request.order_type} is not supported"
    if request.time_in_force not in SUPPORTED_TIME_IN_FORCE:
        return "UNSUPPORTED_TIME_IN_FORCE", f"time in force {request.time_in_force} is not supported"
    if request.order_type is OrderType.LIMIT and (request.limit_price is None or request.limit_price <= 0):
        return "INVALID_LIMIT_PRICE", "a limit order needs a positive limit price"
    if request.side is Side.SELL:
        available = available_to_sell(conn, security.symbol)
        if request.quantity > available:
            return (
                "INSUFFICIENT_QUANTITY",
                f"insufficient qty available for order (requested: {request.quantity}, available: {available})",
            )
    elif venue.settings.check_buying_power:
        power = buying_power(conn, venue, securities, step)
        cost = request.quantity * _price_estimate(conn, venue, security, request.limit_price, step)
        if cost > power:
            reason = f"insufficient buying power (needed: {cost:.2f}, available: {power:.2f})"
            return "INSUFFICIENT_BUYING_POWER", reason
    return None


def available_to_sell(conn: sqlite3.Connection, symbol: str) -> Decimal:
    """Return the shares held minus those already promised to open sell orders (no short selling)."""
    row = conn.execute("SELECT quantity FROM positions WHERE symbol = ?", (symbol,)).fetchone()
    held = Decimal(row["quantity"]) if row else Decimal(0)
    return max(held - reservations.leaves(conn, symbol, Side.SELL.value), Decimal(0))


def buying_power(conn: sqlite3.Connection, venue: Market, securities: Mapping[str, Security], step: int) -> Decimal:
    """Return the cash not yet promised to open buy orders (a cash account: no margin)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'cash'").fetchone()
    power = Decimal(row["value"]) - reservations.limit_notional(conn, Side.BUY.value)
    for symbol, left in reservations.market_leaves(conn, Side.BUY.value).items():
        security = securities.get(symbol)
        if security is not None:
            power -= left * _price_estimate(conn, venue, security, None, step)
    return max(power, Decimal(0))


def _price_estimate(
    conn: sqlite3.Connection, venue: Market, security: Security, limit: Decimal | None, step: int
) -> Decimal:
    """Price a buy at its limit, or a market buy at the ask now."""
    if limit is not None:
        return limit
    return market.to_tick(market.touch(Side.BUY, security, mid_at(conn, venue, security, step)))
