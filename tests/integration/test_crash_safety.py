"""Crash safety: `oms run` killed with SIGKILL fifty times at random moments of a sim run loses and repeats nothing.

The drill (`scripts/crash_drill.py`) does the killing and the checking; this test runs it on a fresh seed each time
(set OMS_CRASH_SEED to replay one), with the venue's fault switches armed now and then between lives (a lost reply, a
lost order, a report outage, repeated fill reports), and fails with the drill's list of differences and the seed.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "crash_drill.py"


def _drill_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("oms_crash_drill", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_fifty_sigkills_lose_nothing_and_send_nothing_twice(tmp_path: Path) -> None:
    """After 50 SIGKILLs and restarts: each id sent at most once, each fill booked once, positions agree, all done."""
    drill = _drill_module()
    seed = int(os.environ.get("OMS_CRASH_SEED") or random.SystemRandom().randrange(1_000_000))
    try:
        figures = drill.Drill(seed, 50, tmp_path, faults=True).run()
    except drill.DrillFailure as exc:
        pytest.fail(
            f"crash drill failed (replay: OMS_CRASH_SEED={seed}, or crash_drill.py --faults --seed {seed}):\n{exc}"
        )
    assert figures["kills"] >= 50
    assert figures["orders"] >= 20
    assert figures["fills"] > 0, f"seed {seed}: nothing filled, so nothing was proved"
    assert sum(figures["kills_after_event"].values()) == figures["kills"]
