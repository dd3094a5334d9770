"""Durable order lifecycles per second through the ledger, beside plain-driver writes of the same rows.

One lifecycle: create, validate, submit, acknowledge, two fills; each step one committed unit of work with its
events (and fills). The ceiling does the same inserts and updates with the bare driver (sqlite3 / psycopg) and the
same commits. PostgreSQL runs when OMS_TEST_POSTGRES_URL (or OMS_BENCH_POSTGRES_URL) is set.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from oms.domain import Order
from oms.store import Ledger

N_SQLITE = int(os.environ.get("OMS_BENCH_LIFECYCLES", "1500"))
N_POSTGRES = int(os.environ.get("OMS_BENCH_PG_LIFECYCLES", "500"))


def lifecycle(ledger: Ledger, n: int) -> None:
    now = datetime.now(UTC)
    order = Order.create(
        "AAPL",
        "buy",
        "100",
        "limit",
        limit_price="187.25",
        client_order_id=f"c{n}-{uuid.uuid4().hex[:6]}",
        broker="bench",
    )
    with ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    steps: list[Callable[[], object]] = [
        lambda: order.validate(at=now),
        lambda: order.submit(at=now),
        lambda: order.acknowledge(f"B{n}", at=now),
        lambda: order.fill(f"e{n}a", "40", "187.20", now),
        lambda: order.fill(f"e{n}b", "60", "187.25", now),
    ]
    for step in steps:
        step()
        with ledger.unit_of_work() as uow:
            uow.orders.save(order)
            uow.commit()


def time_ledger(url: str, n: int) -> float:
    ledger = Ledger.open(url)
    try:
        lifecycle(ledger, -1)  # warm up connections and statement caches
        started = time.perf_counter()
        for i in range(n):
            lifecycle(ledger, i)
        return n / (time.perf_counter() - started)
    finally:
        ledger.close()


ORDER_COLUMNS = (
    "id, batch_id, broker, client_order_id, symbol, side, quantity, order_type, time_in_force, limit_price, "
    "extended_hours, wave, priority, urgency, reason, status, filled_quantity, created_at, updated_at, version"
)
EVENT_COLUMNS = "order_id, sequence, kind, from_status, to_status, at, details"
FILL_COLUMNS = "order_id, broker, exec_id, symbol, side, quantity, price, commission, at"
FLOW = [
    ("validated", "new", "validated"),
    ("submitted", "validated", "submitted"),
    ("acknowledged", "submitted", "submitted"),
    ("fill", "submitted", "partially_filled"),
    ("fill", "partially_filled", "filled"),
]


def raw_steps(execute: Callable[[str, tuple[object, ...]], object], commit: Callable[[], None], n: int, p: str) -> None:
    """The same rows as the ledger writes, through the bare driver (placeholder style `p`)."""

    def marks(count: int) -> str:
        return ", ".join([p] * count)

    oid = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    order_row = (oid, None, "bench", f"r{n}-{oid[:6]}", "AAPL", "buy", "100", "limit", "day", "187.25")
    order_row += (False, 1, 0, "normal", "", "new", "0", now, now, 1)
    execute(f"INSERT INTO orders ({ORDER_COLUMNS}) VALUES ({marks(20)})", order_row)
    event = f"INSERT INTO order_events ({EVENT_COLUMNS}) VALUES ({marks(7)})"
    execute(event, (oid, 1, "created", None, "new", now, json.dumps({"symbol": "AAPL", "quantity": "100"})))
    commit()
    update = (
        f"UPDATE orders SET status={p}, filled_quantity={p}, updated_at={p}, version=version+1 "
        f"WHERE id={p} AND version={p}"
    )
    for seq, (kind, before, after) in enumerate(FLOW, start=2):
        execute(update, (after, "40", now, oid, seq - 1))
        execute(event, (oid, seq, kind, before, after, now, json.dumps({"exec_id": f"e{seq}"})))
        if kind == "fill":
            fill_row = (oid, "bench", f"r{n}-{seq}-{oid[:8]}", "AAPL", "buy", "40", "187.20", "0", now)
            execute(f"INSERT INTO fills ({FILL_COLUMNS}) VALUES ({marks(9)})", fill_row)
        commit()


def time_raw_sqlite(path: Path, n: int) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    state = {"open": False}

    def execute(sql: str, args: tuple[object, ...]) -> object:
        if not state["open"]:
            connection.execute("BEGIN IMMEDIATE")
            state["open"] = True
        return connection.execute(sql, args)

    def commit() -> None:
        connection.execute("COMMIT")
        state["open"] = False

    started = time.perf_counter()
    for i in range(n):
        raw_steps(execute, commit, i, "?")
    rate = n / (time.perf_counter() - started)
    connection.close()
    return rate


def time_raw_postgres(url: str, n: int) -> float:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        cursor = connection.cursor()
        started = time.perf_counter()
        for i in range(n):
            raw_steps(cursor.execute, connection.commit, i, "%s")
        return n / (time.perf_counter() - started)


def bench_ledger() -> dict[str, float | None]:
    figures: dict[str, float | None] = {"postgres_lifecycles_per_s": None, "postgres_ceiling_per_s": None}
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, raw_path = Path(tmp) / "ours.db", Path(tmp) / "raw.db"
        Ledger.open(f"sqlite:///{raw_path}").close()  # same schema for the ceiling
        ceiling = time_raw_sqlite(raw_path, N_SQLITE)
        ours = time_ledger(f"sqlite:///{ours_path}", N_SQLITE)
    figures.update(sqlite_lifecycles_per_s=ours, sqlite_ceiling_per_s=ceiling)
    print(
        f"sqlite     lifecycles/s: ledger {ours:8.0f}   plain sqlite3 {ceiling:8.0f}   ratio {ours / ceiling:.2f}"
        f"   (aim: >= 1000/s and ratio >= 0.25)"
    )
    url = os.environ.get("OMS_BENCH_POSTGRES_URL") or os.environ.get("OMS_TEST_POSTGRES_URL")
    if not url:
        print("postgresql skipped: set OMS_TEST_POSTGRES_URL")
        return figures
    from sqlalchemy import create_engine, text

    schema_ours, schema_raw = f"bench_{uuid.uuid4().hex[:8]}", f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema_ours}"))
        c.execute(text(f"CREATE SCHEMA {schema_raw}"))
    try:
        sep = "&" if "?" in url else "?"
        ours_url, raw_url = (
            f"{url}{sep}options=-csearch_path%3D{schema_ours}",
            f"{url}{sep}options=-csearch_path%3D{schema_raw}",
        )
        Ledger.open(raw_url).close()
        ceiling = time_raw_postgres(raw_url, N_POSTGRES)
        ours = time_ledger(ours_url, N_POSTGRES)
        figures.update(postgres_lifecycles_per_s=ours, postgres_ceiling_per_s=ceiling)
        print(
            f"postgresql lifecycles/s: ledger {ours:8.0f}   plain psycopg {ceiling:8.0f}   ratio {ours / ceiling:.2f}"
        )
    finally:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema_ours} CASCADE"))
            c.execute(text(f"DROP SCHEMA {schema_raw} CASCADE"))
        admin.dispose()
    return figures


if __name__ == "__main__":
    bench_ledger()
