"""The simulated venue's read side: one poll (order_reports + fill_reports) at 10 / 100 / 1,000 open orders.

The engine's metric is broker calls per poll cycle; this is the venue's side of it. A poll must stay two batched
queries whatever the number of orders: the SQL statements of each poll are counted, and its time is printed
beside a floor measured in the same run, the same two SELECTs fetched with the bare sqlite3 driver. A poll that
crosses a price step also steps the market: three statements per symbol with open orders (20 symbols here),
whatever the number of orders in them.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from adapters.sim import SimSettings, SimVenue
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Security
from oms.logging import configure
from oms.ports import OrderRequest

COUNTS = (10, 100, 1_000)
POLLS = 50
SYMBOLS = [
    Security(f"S{n:02d}", f"S{n}", "equity", "bench", Decimal(100), Decimal(5_000_000), Decimal(4), Decimal("0.02"))
    for n in range(20)
]
_FLOOR_QUERIES = (
    "SELECT * FROM orders WHERE status IN ('pending', 'working', 'partially_filled', 'pending_cancel') ORDER BY seq",
    "SELECT * FROM executions ORDER BY seq",
)


def _open_venue(path: Path, count: int) -> SimVenue:
    settings = SimSettings(seed=1, speed=600, start_date="2026-03-02", starting_cash=Decimal(10**9))
    venue = SimVenue(path, SYMBOLS, settings)
    for n in range(count):
        symbol = SYMBOLS[n % len(SYMBOLS)].symbol
        # Half the market's price: the orders stay open; every tenth gets a partial fill.
        request = OrderRequest(
            f"bench-{n}", symbol, Side.BUY, Decimal(100), OrderType.LIMIT, TimeInForce.GTC, Decimal(50)
        )
        venue.submit(request)
    for n in range(0, count, 10):
        venue.force_fill(f"bench-{n}", Decimal(10))
    return venue


def _floor(path: Path, polls: int) -> float:
    conn = sqlite3.connect(path)
    samples = []
    for _ in range(polls):
        started = time.perf_counter()
        for query in _FLOOR_QUERIES:
            conn.execute(query).fetchall()
        samples.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(samples)


def bench_venues(counts: tuple[int, ...] = COUNTS, polls: int = POLLS) -> dict[int, dict[str, float]]:
    """Time `polls` polls of a venue holding each number of open orders; print and return the figures."""
    configure("warning", None, console=False)
    figures: dict[int, dict[str, float]] = {}
    print(f"{'open orders':>11} {'median ms':>10} {'p95 ms':>7} {'bare SQL ms':>12} {'ratio':>6} {'SQL/poll':>9}")
    for count in counts:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.db"
            venue = _open_venue(path, count)
            statements: list[str] = []
            # The venue has no public hook for this: the bench counts statements on its own connection.
            venue._conn.set_trace_callback(statements.append)
            seconds, per_poll = [], []
            for _ in range(polls):
                statements.clear()
                started = time.perf_counter()
                venue.order_reports(open_only=True)
                venue.fill_reports()
                seconds.append(time.perf_counter() - started)
                per_poll.append(len(statements))
            venue.close()
            floor = _floor(path, polls)
        median = statistics.median(seconds)
        figures[count] = {
            "median_ms": median * 1000,
            "p95_ms": sorted(seconds)[int(0.95 * (len(seconds) - 1))] * 1000,
            "floor_ms": floor * 1000,
            "statements_median": statistics.median(per_poll),
            "statements_max": max(per_poll),
        }
        row = figures[count]
        print(
            f"{count:>11,} {row['median_ms']:>10.2f} {row['p95_ms']:>7.2f} {row['floor_ms']:>12.2f}"
            f" {median / floor:>6.1f} {row['statements_median']:>4.0f} ({row['statements_max']:.0f})"
        )
    return figures
