"""The simulator's own SQLite file: schema, connection and transactions.

The venue keeps everything a real broker would (orders by client order id, executions by exec id, positions, cash)
plus its clock epoch, seed and fault switches, so an OMS restarted after a crash reconciles against it as against
a real broker, and several processes can share it (WAL, a busy timeout, writes under `BEGIN IMMEDIATE`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OPEN_STATUSES = ("pending", "working", "partially_filled", "pending_cancel")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL UNIQUE,
    broker_order_id TEXT NOT NULL UNIQUE,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    quantity TEXT NOT NULL,
    order_type TEXT NOT NULL,
    time_in_force TEXT NOT NULL,
    limit_price TEXT,
    status TEXT NOT NULL,
    filled_quantity TEXT NOT NULL DEFAULT '0',
    filled_notional TEXT NOT NULL DEFAULT '0',
    executions INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    session INTEGER NOT NULL,
    submitted_e REAL NOT NULL,
    ack_e REAL NOT NULL,
    updated_e REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_open ON orders (status)
    WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel');
CREATE INDEX IF NOT EXISTS orders_open_by_symbol ON orders (symbol, seq)
    WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel');
CREATE INDEX IF NOT EXISTS orders_updated ON orders (updated_e);
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    exec_id TEXT NOT NULL UNIQUE,
    client_order_id TEXT NOT NULL,
    broker_order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    quantity TEXT NOT NULL,
    price TEXT NOT NULL,
    at_e REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_at ON executions (at_e);
CREATE TABLE IF NOT EXISTS positions (symbol TEXT PRIMARY KEY, quantity TEXT NOT NULL, cost TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prices (symbol TEXT PRIMARY KEY, step INTEGER NOT NULL, mid REAL NOT NULL);
CREATE TABLE IF NOT EXISTS bars (
    symbol TEXT NOT NULL, step INTEGER NOT NULL, mid REAL NOT NULL, volume REAL NOT NULL, PRIMARY KEY (symbol, step)
);
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, client_order_id TEXT NOT NULL, at_e REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS faults (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reserved (
    symbol TEXT NOT NULL, side TEXT NOT NULL, kind TEXT NOT NULL, leaves TEXT NOT NULL, notional TEXT NOT NULL,
    PRIMARY KEY (symbol, side, kind)
);
CREATE INDEX IF NOT EXISTS orders_pending_ack ON orders (ack_e) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS orders_open_marketable ON orders (symbol, seq)
    WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel')
    AND (order_type = 'market' OR time_in_force IN ('ioc', 'fok'));
CREATE INDEX IF NOT EXISTS orders_open_limit ON orders (symbol, side, CAST(limit_price AS REAL))
    WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel') AND order_type = 'limit';
"""


def connect(path: Path, *, busy_timeout_ms: int = 10_000) -> sqlite3.Connection:
    """Open (creating when needed) the venue file in WAL mode; transactions are explicit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    with transaction(conn):
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block as one write transaction, taking the write lock up front so two processes never interleave."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return {row["key"]: row["value"] for row in conn.execute("SELECT key, value FROM meta")}


def write_meta(conn: sqlite3.Connection, **values: object) -> None:
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [(key, str(value)) for key, value in values.items()],
    )
