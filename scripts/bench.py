"""Benchmarks: `python scripts/bench.py [--json] [SECTION ...]`. Each section lives in `scripts/bench_<section>.py`
and exposes `bench_<section>()`, which prints its table and returns its figures; with no argument every section
runs. Figures are printed beside a ceiling measured in the same run, as ratios, because these machines are noisy.

With `--json` the tables go to standard error and standard output gets one JSON object per section and line:
`{"section": "ledger", "sqlite_lifecycles_per_s": ..., ...}`, for scripts and for docs/PERFORMANCE.md."""

from __future__ import annotations

import contextlib
import importlib
import json
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

    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    configure("warning", None, console=True)  # the figures, not the OMS's info events, belong on the screen
    chosen = argv or sections()
    unknown = [s for s in chosen if s not in sections()]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; known: {', '.join(sections())}", file=sys.stderr)
        return 2
    for name in chosen:
        with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
            print(f"\n== {name} ==")
            started = time.perf_counter()
            figures = getattr(importlib.import_module(f"bench_{name}"), f"bench_{name}")()
            print(f"({name}: {time.perf_counter() - started:.1f} s)")
        if as_json:
            print(json.dumps({"section": name, **(figures or {})}, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
