"""Benchmark the simulated venue's read side: one poll (order_reports + fill_reports) at 10 / 100 / 1,000 open orders.

The engine's metric is broker calls per poll cycle; here we check the venue's side of it: a poll is two batched
queries whatever the number of orders (SQL statements are counted), and how long it takes. A poll that crosses
a price step also steps the market: three statements per symbol with open orders (20 symbols here), whatever
the number of orders in them.
"""

from __future__ import annotations

import statistics
import sys
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
    Security(
        f"S{n:02d}", f"Stock {n}", "equity", "bench", Decimal(100), Decimal(5_000_000), Decimal(4), Decimal("0.02")
    )
    for n in range(20)
]


def _poll_once(venue: SimVenue, statements: list[str]) -> tuple[float, int]:
    statements.clear()
    started = time.perf_counter()
    venue.order_reports(open_only=True)
    venue.fill_reports()
    return time.perf_counter() - started, len(statements)


def bench_venues() -> None:
    """Print the latency of one poll of the simulated venue at each open-order count."""
    configure("warning", None, console=False)
    print(f"{'open orders':>12} {'fills':>6} {'median ms':>10} {'p95 ms':>8} {'SQL/poll median (max)':>22}")
    for count in COUNTS:
        with tempfile.TemporaryDirectory() as folder:
            settings = SimSettings(seed=1, speed=600, start_date="2026-03-02", starting_cash=Decimal(10**9))
            venue = SimVenue(Path(folder) / "bench.db", SYMBOLS, settings)
            for n in range(count):
                venue.submit(
                    OrderRequest(
                        f"bench-{n}",
                        SYMBOLS[n % len(SYMBOLS)].symbol,
                        Side.BUY,
                        Decimal(100),
                        OrderType.LIMIT,
                        TimeInForce.GTC,
                        Decimal(50),  # half the market: the orders stay open
                    )
                )
            for n in range(0, count, 10):
                venue.force_fill(f"bench-{n}", Decimal(10))  # a partial on every tenth order
            statements: list[str] = []
            # The bench counts statements on the venue's own connection; the venue has no public hook for it.
            venue._conn.set_trace_callback(statements.append)
            samples = [_poll_once(venue, statements) for _ in range(POLLS)]
            venue.close()
        seconds = sorted(sample for sample, _ in samples)
        counts = sorted(count for _, count in samples)
        per_poll = f"{statistics.median(counts):.0f} ({counts[-1]})"
        p95 = seconds[int(0.95 * (len(seconds) - 1))]
        print(
            f"{count:>12,} {count // 10:>6,} {statistics.median(seconds) * 1000:>10.2f} {p95 * 1000:>8.2f}"
            f" {per_poll:>22}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    bench_venues()
