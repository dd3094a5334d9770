"""What open orders promise, kept as running totals so the venue's door checks cost the same at 10 or 10,000 orders.

A broker refuses a sell of shares already promised to open sells, and a buy the cash not promised to open buys
cannot pay for. Summing every open order on each submit made a burst of n submits cost O(n^2); instead each open
order adds its leaves (and, for a limit order, leaves x limit) to one row per (symbol, side, kind), and takes them
out again as it fills or ends. Totals are exact `Decimal`s stored as text, like every amount in the venue's file.

`rebuild` recomputes every row from the orders themselves: after the bulk expiry at a session's close, and once for
a venue file written before this table existed. The tests compare the running totals with a rebuild after random
sequences of submits, fills, cancels and expiries.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from decimal import Decimal

from oms.domain.enums import OrderType

LIMIT = "limit"
MARKET = "market"
_OPEN_ORDERS = (
    "SELECT symbol, side, order_type, quantity, filled_quantity, limit_price FROM orders"
    " WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel')"
)


def kind_of(order_type: OrderType | str) -> str:
    return LIMIT if str(getattr(order_type, "value", order_type)) == OrderType.LIMIT.value else MARKET


def add(
    conn: sqlite3.Connection, symbol: str, side: str, kind: str, leaves: Decimal, limit_price: Decimal | None
) -> None:
    """Add `leaves` shares (negative to take them out) to the row of (symbol, side, kind)."""
    if leaves == 0:
        return
    notional = leaves * limit_price if kind == LIMIT and limit_price is not None else Decimal(0)
    row = conn.execute(
        "SELECT leaves, notional FROM reserved WHERE symbol = ? AND side = ? AND kind = ?", (symbol, side, kind)
    ).fetchone()
    total_leaves = (Decimal(row["leaves"]) if row else Decimal(0)) + leaves
    total_notional = (Decimal(row["notional"]) if row else Decimal(0)) + notional
    if total_leaves == 0:
        conn.execute("DELETE FROM reserved WHERE symbol = ? AND side = ? AND kind = ?", (symbol, side, kind))
        return
    conn.execute(
        "INSERT INTO reserved (symbol, side, kind, leaves, notional) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (symbol, side, kind) DO UPDATE SET leaves = excluded.leaves, notional = excluded.notional",
        (symbol, side, kind, str(total_leaves), str(total_notional)),
    )


def leaves(conn: sqlite3.Connection, symbol: str, side: str) -> Decimal:
    """Shares of `symbol` promised to open orders on `side`, of any kind."""
    rows = conn.execute("SELECT leaves FROM reserved WHERE symbol = ? AND side = ?", (symbol, side))
    return sum((Decimal(row["leaves"]) for row in rows), Decimal(0))


def limit_notional(conn: sqlite3.Connection, side: str) -> Decimal:
    """Cash promised to open limit orders on `side`: the sum of leaves x limit."""
    rows = conn.execute("SELECT notional FROM reserved WHERE side = ? AND kind = ?", (side, LIMIT))
    return sum((Decimal(row["notional"]) for row in rows), Decimal(0))


def market_leaves(conn: sqlite3.Connection, side: str) -> dict[str, Decimal]:
    """Shares promised to open market orders on `side`, by symbol (priced by the caller at the touch now)."""
    rows = conn.execute("SELECT symbol, leaves FROM reserved WHERE side = ? AND kind = ?", (side, MARKET))
    return {row["symbol"]: Decimal(row["leaves"]) for row in rows}


def live_symbols(conn: sqlite3.Connection) -> list[str]:
    """The symbols with at least one open order."""
    return [row["symbol"] for row in conn.execute("SELECT DISTINCT symbol FROM reserved ORDER BY symbol")]


def totals_from_orders(conn: sqlite3.Connection) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    """Every row recomputed from the open orders: (symbol, side, kind) -> (leaves, notional)."""
    totals: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for order in conn.execute(_OPEN_ORDERS):
        kind = kind_of(order["order_type"])
        left = Decimal(order["quantity"]) - Decimal(order["filled_quantity"])
        if left == 0:
            continue
        entry = totals[(order["symbol"], order["side"], kind)]
        entry[0] += left
        if kind == LIMIT and order["limit_price"] is not None:
            entry[1] += left * Decimal(order["limit_price"])
    return {key: (value[0], value[1]) for key, value in totals.items()}


def stored_totals(conn: sqlite3.Connection) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    return {
        (row["symbol"], row["side"], row["kind"]): (Decimal(row["leaves"]), Decimal(row["notional"]))
        for row in conn.execute("SELECT * FROM reserved")
    }


def rebuild(conn: sqlite3.Connection) -> None:
    """Recompute every row from the open orders (one pass; after a bulk expiry or for an older venue file)."""
    conn.execute("DELETE FROM reserved")
    conn.executemany(
        "INSERT INTO reserved (symbol, side, kind, leaves, notional) VALUES (?, ?, ?, ?, ?)",
        [(*key, str(value[0]), str(value[1])) for key, value in totals_from_orders(conn).items()],
    )
