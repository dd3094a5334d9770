"""Engine benchmark: broker calls per poll cycle and cycle latency at 10 / 100 / 1,000 open orders.

The engine runs on the real simulated venue behind a thin wrapper that counts every broker call by name. Each size
gets a fresh ledger and venue; one batch of resting limit buys (priced below the market, so none fills) is released
by a first cycle, then the steady poll cycles are measured. A poll reads the broker's order and fill reports in one
batched call each, so the count must not grow with the number of orders.

    python scripts/bench.py engine
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.registry import make_broker  # noqa: E402
from oms.config import load_settings  # noqa: E402
from oms.domain import Batch, BatchStatus, Order, OrderType, Side  # noqa: E402
from oms.domain.market import Portfolio, Security  # noqa: E402
from oms.execution.engine import ExecutionEngine  # noqa: E402
from oms.execution.identity import client_order_id  # noqa: E402
from oms.execution.riskgate import RiskGate  # noqa: E402
from oms.planning.securities import SecurityMaster  # noqa: E402
from oms.risk.limits import load_limits  # noqa: E402
from oms.store import Ledger  # noqa: E402

BROKER_METHODS = ("submit", "cancel", "order_reports", "fill_reports", "find_order", "positions", "account", "clock")


class CountingBroker:
    """The real broker, with every port call counted by method name."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if name not in BROKER_METHODS:
            return attribute

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return await attribute(*args, **kwargs)

        return counted


def _master(count: int) -> SecurityMaster:
    """One security per order (the risk checks refuse a second open buy of a symbol): S0001, S0002, ..."""
    securities = [
        Security(
            f"S{n:04d}",
            f"Bench {n}",
            "equity",
            f"sector {n % 11}",
            Decimal(50),
            Decimal(10**7),
            Decimal(2),
            Decimal("0.01"),
        )
        for n in range(1, count + 1)
    ]
    return SecurityMaster({s.symbol: s for s in securities})


def _engine(workdir: Path, master: SecurityMaster) -> tuple[ExecutionEngine, CountingBroker, Ledger]:
    settings = load_settings(
        None,
        data_dir=str(workdir),
        sim={"speed": 1.0, "start_time": "10:00"},  # a simulated second per second: nothing walks to the limits
        risk={"max_orders_per_minute": 0, "daily_notional_cap": 0, "stale_price_minutes": 10**6},
    )
    ledger = Ledger.open(f"sqlite:///{workdir / 'oms.db'}")
    opening = Portfolio(cash=Decimal(10**8))
    broker = CountingBroker(make_broker("sim", settings, data_dir=workdir, opening=opening, securities=list(master)))
    execution = settings.execution
    risk = RiskGate(ledger, broker, master, load_limits(settings))  # type: ignore[arg-type]
    engine = ExecutionEngine(ledger, broker, market=master, risk=risk, settings=execution, account="sim")  # type: ignore[arg-type]
    return engine, broker, ledger


def _resting_buys(engine: ExecutionEngine, master: SecurityMaster, count: int) -> Batch:
    """Store a batch of `count` one-share limit buys 5% under the reference price, validated and ready to release."""
    symbols = list(master)
    batch = Batch.create(source="bench", content_hash=f"bench-{count}", mode="paper", broker="sim", account="sim")
    orders = []
    for n in range(1, count + 1):
        security = symbols[n - 1]
        order = Order.create(
            security.symbol,
            Side.BUY,
            Decimal(1),
            OrderType.LIMIT,
            limit_price=(security.last_price * Decimal("0.95")).quantize(Decimal("0.01")),
            batch_id=batch.id,
            broker="sim",
            client_order_id=client_order_id(batch.id, n),
            decision_price=security.last_price,
        )
        order.validate()
        orders.append(order)

    batch.status = BatchStatus.EXECUTING
    with engine.ledger.unit_of_work() as uow:
        uow.batches.add(batch)
        uow.orders.add_many(orders)
        uow.commit()
    return batch


async def measure(count: int, cycles: int) -> dict[str, Any]:
    """Release `count` resting orders, then time `cycles` poll cycles and count their broker calls."""
    with tempfile.TemporaryDirectory(prefix="oms-bench-engine-") as scratch:
        master = _master(count)
        engine, broker, ledger = _engine(Path(scratch), master)
        try:
            batch = _resting_buys(engine, master, count)
            released = time.perf_counter()
            await engine.cycle()
            release_s = time.perf_counter() - released
            release_calls = sum(broker.calls.values())
            working = sum(1 for o in engine.batch_orders(batch.id) if o.status.is_at_broker)
            per_cycle: list[Counter[str]] = []
            latencies = []
            for _ in range(cycles):
                before = Counter(broker.calls)
                started = time.perf_counter()
                report = await engine.cycle()
                latencies.append(time.perf_counter() - started)
                calls = broker.calls - before
                assert sum(calls.values()) == report.broker_calls, "the engine's own count disagrees with the broker's"
                per_cycle.append(calls)
        finally:
            await broker.close()
            ledger.close()
    totals = {sum(c.values()) for c in per_cycle}
    return {
        "open_orders": working,
        "release_calls": release_calls,
        "calls_per_cycle": max(totals),
        "calls_by_method": dict(per_cycle[-1]),
        "cycle_ms_median": statistics.median(latencies) * 1000,
        "cycle_ms_max": max(latencies) * 1000,
        "release_s": release_s,
    }


def bench_engine(sizes: Sequence[int] = (10, 100, 1000, 10_000), cycles: int = 10) -> dict[str, Any]:
    """Print and return, per number of open orders, the broker calls of one poll cycle and its latency."""
    results = {count: asyncio.run(measure(count, cycles)) for count in sizes}
    print(f"{'open orders':>12} {'broker calls/cycle':>19} {'by method':<36} {'median ms':>10} {'max ms':>8}")
    for r in results.values():
        methods = ", ".join(f"{name} {n}" for name, n in sorted(r["calls_by_method"].items()))
        print(
            f"{r['open_orders']:>12} {r['calls_per_cycle']:>19} {methods:<36} "
            f"{r['cycle_ms_median']:>10.1f} {r['cycle_ms_max']:>8.1f}"
        )
    releases = ", ".join(f"{r['open_orders']} orders: {r['release_calls']}" for r in results.values())
    print(f"(broker calls of the cycle that released them: a submit each, plus the risk checks' reads: {releases})")
    return {
        "cycle_ms": {str(count): r["cycle_ms_median"] for count, r in results.items()},
        "cycle_ms_max": {str(count): r["cycle_ms_max"] for count, r in results.items()},
        "broker_calls_per_cycle": {str(count): r["calls_per_cycle"] for count, r in results.items()},
        "release_s": {str(count): r["release_s"] for count, r in results.items()},
        "open_orders": {str(count): r["open_orders"] for count, r in results.items()},
        "calls_by_method": {str(count): r["calls_by_method"] for count, r in results.items()},
    }


if __name__ == "__main__":
    bench_engine()
