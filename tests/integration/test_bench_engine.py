"""The engine benchmark runs, and a poll cycle costs the same broker calls at 10 open orders as at 100."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"oms_test_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_runner_lists_the_engine_section() -> None:
    """`scripts/bench.py` discovers `bench_engine.py` as the section "engine"."""
    assert "engine" in _load("bench").sections()


def test_poll_cycle_broker_calls_do_not_grow_with_open_orders(capsys: pytest.CaptureFixture[str]) -> None:
    """With 10 and with 100 orders working at the sim venue, one poll cycle makes the same (batched) broker calls."""
    results = _load("bench_engine").bench_engine(sizes=(10, 100), cycles=3)
    assert results["open_orders"] == {"10": 10, "100": 100}
    assert results["calls_by_method"]["10"] == results["calls_by_method"]["100"]
    assert results["broker_calls_per_cycle"]["100"] == results["broker_calls_per_cycle"]["10"] <= 3
    assert set(results["cycle_ms"]) == {"10", "100"}
    assert "open orders" in capsys.readouterr().out


def test_the_runner_prints_one_json_object_per_section(capsys: pytest.CaptureFixture[str]) -> None:
    """`bench.py --json algos` writes the section's figures as one JSON line on standard output, the table aside."""
    import json

    assert _load("bench").main(["--json", "algos"]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.strip()]
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["section"] == "algos"
    assert figures["parents"] > 0
    assert "== algos ==" in captured.err
