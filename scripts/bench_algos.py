"""Benchmark: child-order schedules (TWAP, VWAP, IS) for 10,000 parents, and their plain-words descriptions."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from oms.domain.enums import Algo, Side, Urgency
from oms.execution.algos import build_schedule, describe

PARENTS = 10_000
SESSION_OPEN = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)  # 09:30 in New York


def bench_algos(parents: int = PARENTS, seed: int = 7) -> dict[str, float]:
    """Time `build_schedule` + `describe` over `parents` varied parents; print and return the figures."""
    rng = random.Random(seed)
    cases = [
        {
            "parent_client_order_id": f"B{seed}-{n}",
            "quantity": Decimal(rng.randint(1, 200_000)),
            "side": rng.choice(list(Side)),
            "algo": rng.choice([Algo.TWAP, Algo.VWAP, Algo.IS]),
            "urgency": rng.choice(list(Urgency)),
            "start": SESSION_OPEN + timedelta(minutes=rng.randint(0, 360)),
            "horizon": timedelta(minutes=rng.choice([15, 60, 120, 390])),
        }
        for n in range(parents)
    ]
    children = 0
    per_parent = []
    started = time.perf_counter()
    for case in cases:
        one = time.perf_counter()
        schedule = build_schedule(**case)  # type: ignore[arg-type]
        describe(schedule)
        per_parent.append(time.perf_counter() - one)
        children += len(schedule.slices)
    total = time.perf_counter() - started
    figures = {
        "parents": float(parents),
        "children": float(children),
        "seconds": total,
        "median_us": statistics.median(per_parent) * 1e6,
        "p99_us": sorted(per_parent)[int(len(per_parent) * 0.99)] * 1e6,
    }
    print(
        f"   schedules: {parents:,} parents -> {children:,} children in {total:.3f} s "
        f"(median {figures['median_us']:.0f} us, p99 {figures['p99_us']:.0f} us per parent)"
    )
    return figures


if __name__ == "__main__":
    bench_algos()
