"""Sell fill to funded buy: how long after the sell fill that funds it the buy of wave 2 is sent.

`oms run` trades a two-order file (a sell, then a buy that its proceeds fund) on the simulated venue, as a person
runs it, in a fresh data folder each time; the figure is read from the JSON log: the sell's `order.filled` event
to the buy's `order.submitted` event. On a polled broker it is bounded by one poll interval (`[execution]
poll_seconds`) plus the cycle's own work; the median of five runs is reported. Buys are funded by filled proceeds,
so the funding fill is the last sell fill booked before the buy was sent (a TWAP sell may still be working then).

    python scripts/bench.py latency
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

RUNS = 5
_FILL_EVENTS = ("order.filled", "order.partially_filled")
TRADES = "symbol,action,shares,reason\nSPY,SELL,100,bench: the sell\nAGG,BUY,20,bench: the buy its proceeds fund\n"


def _events(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def _latency_ms(log: Path) -> float:
    events = _events(log)
    sent = [_at(e) for e in events if e.get("event") == "order.submitted" and e.get("side") == "buy"]
    if not sent:
        raise RuntimeError(f"{log}: the buy was never sent")
    first_buy = min(sent)
    fills = [_at(e) for e in events if e.get("event") in _FILL_EVENTS and e.get("side") == "sell"]
    funding = [at for at in fills if at <= first_buy]
    if not funding:
        raise RuntimeError(f"{log}: the buy was sent before any sell fill")
    return (first_buy - max(funding)).total_seconds() * 1000


def _at(event: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(event["timestamp"]))


def one_run(root: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="oms-bench-latency-") as scratch:
        trades = Path(scratch) / "trades.csv"
        trades.write_text(TRADES)
        log = Path(scratch) / "oms.jsonl"
        env = dict(os.environ, OMS_DATA_DIR=scratch, OMS_LOGGING__FILE=str(log), OMS_SIM__SPEED="6000")
        subprocess.run(
            [sys.executable, "-m", "oms.cli", "run", str(trades)],
            cwd=root,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return _latency_ms(log)


def bench_latency() -> dict[str, float]:
    root = Path(__file__).resolve().parents[1]
    samples = [one_run(root) for _ in range(RUNS)]
    figures = {"sell_fill_to_buy_ms": statistics.median(samples), "sell_fill_to_buy_ms_max": max(samples)}
    print(
        f"sell fill -> funded buy sent (simulator, polled): median {figures['sell_fill_to_buy_ms']:.0f} ms,"
        f" max {figures['sell_fill_to_buy_ms_max']:.0f} ms over {RUNS} runs"
    )
    return figures


if __name__ == "__main__":
    bench_latency()
