"""The short version of the broker crash drill: `oms run` SIGKILLed twice against the IB gateway and the Alpaca
emulator, then finished; 0 duplicate orders, 0 lost or double fills, the ledger equal to the fake order by order.
`python scripts/broker_crash_drill.py --broker ibkr|alpaca --kills 30` is the full one."""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "broker_crash_drill.py"


def _drill() -> ModuleType:
    spec = importlib.util.spec_from_file_location("oms_broker_crash_drill", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("broker", ["ibkr", "alpaca"])
def test_sigkills_against_the_broker_fakes_lose_nothing(broker: str, tmp_path: Path) -> None:
    seed = int(os.environ.get("OMS_CRASH_SEED") or random.SystemRandom().randrange(1_000_000))
    problems = _drill().run_drill(broker, 2, seed, tmp_path)
    assert problems == [], f"seed {seed}: {problems}"
