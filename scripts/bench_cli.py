"""Cold starts of the command line: `oms --help`, `oms status` on an empty ledger, beside `python -c pass`.

Each figure is the median of five fresh processes, measured in the same run, so the ratio to the bare interpreter is
what counts on a noisy machine.

    python scripts/bench.py cli
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
OMS = [sys.executable, "-m", "oms.cli"]


def _median_seconds(argv: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_cli() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="oms-bench-cli-") as scratch:
        env = dict(os.environ, OMS_DATA_DIR=scratch, OMS_LOGGING__FILE=str(Path(scratch) / "oms.jsonl"))
        from oms.store import Ledger

        Ledger.open(f"sqlite:///{Path(scratch) / 'oms.db'}").close()  # an empty ledger: reading commands create none
        figures = {
            "python_s": _median_seconds([sys.executable, "-c", "pass"], env),
            "help_s": _median_seconds([*OMS, "--help"], env),
            "status_s": _median_seconds([*OMS, "status"], env),
        }
    base = figures["python_s"]
    for name in ("python_s", "help_s", "status_s"):
        print(f"{name:>9}: {figures[name]:6.3f} s   ({figures[name] / base:5.1f} x python -c pass)")
    return figures


if __name__ == "__main__":
    bench_cli()
