"""Benchmarks: `python scripts/bench.py [SECTION ...]`. Each section lives in `scripts/bench_<section>.py` and
exposes `bench_<section>()`; with no argument every section runs. Figures are printed beside a ceiling measured in
the same run, as ratios, because these machines are noisy."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sections() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    from oms.logging import configure

    configure("warning", None, console=True)  # the figures, not the OMS's info events, belong on the screen
    chosen = argv or sections()
    unknown = [s for s in chosen if s not in sections()]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; known: {', '.join(sections())}", file=sys.stderr)
        return 2
    for name in chosen:
        print(f"\n== {name} ==")
        started = time.perf_counter()
        getattr(importlib.import_module(f"bench_{name}"), f"bench_{name}")()
        print(f"({name}: {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
