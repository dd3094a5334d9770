"""Planning benchmark: intake + guidance + sequencing + funding for 1,000 / 10,000 / 100,000 recommendations.

Recommendations are generated over the security master's symbols (each symbol only bought or only sold, as
intake requires), written to a CSV and planned against a positions file that holds enough of every sold name.
Targets: time grows linearly (100k / 10k at most 12) and 10,000 recommendations plan in under 1 s.
"""

from __future__ import annotations

import gc
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from oms.planning.intake import load_recommendations
from oms.planning.plan import build_plan
from oms.planning.positions import load_positions
from oms.planning.securities import SecurityMaster
from oms.planning.settings import PlanningSettings

SIZES = (1_000, 10_000, 100_000)
URGENCIES = ("", "low", "normal", "high")


def generate(directory: Path, count: int, master: SecurityMaster, seed: int = 7) -> tuple[Path, Path]:
    """Write `count` recommendations and a positions file covering every sell; return their paths."""
    rng = random.Random(seed)
    securities = list(master)
    side = {s.symbol: ("SELL" if i % 2 == 0 else "BUY") for i, s in enumerate(securities)}
    selling: dict[str, int] = {}
    lines = ["symbol,action,shares,urgency,priority,reason"]
    for index in range(count):
        security = securities[rng.randrange(len(securities))]
        shares = rng.randint(1, 500)
        action = side[security.symbol]
        if action == "SELL":
            selling[security.symbol] = selling.get(security.symbol, 0) + shares
        priority = rng.choice(("", str(rng.randint(0, 5))))
        lines.append(f"{security.symbol},{action},{shares},{rng.choice(URGENCIES)},{priority},generated {index}")
    trades = directory / f"trades_{count}.csv"
    trades.write_text("\n".join(lines) + "\n", encoding="utf-8")
    positions = directory / f"positions_{count}.csv"
    rows = ["symbol,quantity", f"CASH,{count * 1000}"] + [f"{symbol},{qty}" for symbol, qty in selling.items()]
    positions.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return trades, positions


def plan_once(trades: Path, positions: Path, master: SecurityMaster, settings: PlanningSettings) -> tuple[float, float]:
    """Time one full plan (read both files, guide, sequence, fund); return (wall, CPU) seconds."""
    gc.collect()  # start each run from the same heap, so one run's garbage is not billed to the next
    wall, cpu = time.perf_counter(), time.process_time()
    portfolio = load_positions(positions)
    recommendations = load_recommendations(trades, master)
    plan = build_plan(recommendations, portfolio, master, settings)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(plan.orders) == len(recommendations)
    return wall, cpu


def bench_planning(sizes: tuple[int, ...] = SIZES) -> dict[str, float]:
    """Plan each size, print the times, the ratio of the last two sizes and the targets; return the figures.

    With the default sizes the targets are: 100k/10k at most 12 (linear growth), 10,000 in under 1 s.
    """
    master = SecurityMaster.default()
    settings = PlanningSettings()
    times: dict[int, float] = {}
    print("planning: read CSV + guidance + sequencing + funding; best of runs, CPU seconds (wall in brackets)")
    print("  CPU time is judged: on a shared machine wall time also counts other processes' turns")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            trades, positions = generate(Path(folder), size, master)
            runs = 3 if size <= 10_000 else 2
            wall, cpu = min(plan_once(trades, positions, master, settings) for _ in range(runs))
            times[size] = cpu
            rate = Decimal(size) / Decimal(str(max(cpu, 1e-9)))
            print(f"  {size:>7,} recommendations: {cpu:8.3f} s  [{wall:.3f} s]  ({rate:,.0f} per CPU second)")
    small, large = sizes[-2], sizes[-1]
    ratio = times[large] / times[small]
    print(
        f"  ratio {large:,}/{small:,}: {ratio:.2f} (linear is {large / small:.0f}; target <= {1.2 * large / small:.0f})"
    )
    if 10_000 in times:
        verdict = "ok" if times[10_000] < 1.0 else "MISSED"
        print(f"  10,000 in {times[10_000]:.3f} s (target < 1 s): {verdict}")
    return {"ratio": ratio, **{str(size): seconds for size, seconds in times.items()}}
