"""The Alpaca benchmark section is found by the runner and reports its figures on a small sample."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"oms_test_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_alpaca_reads_1200_orders_in_three_calls(capsys: pytest.CaptureFixture[str]) -> None:
    """`bench_alpaca` lists 1,200 open orders in 3 calls and prints its figures."""
    assert "alpaca" in _load("bench").sections()
    figures = _load("bench_alpaca").bench_alpaca(open_orders=1200, submits=5)
    assert figures["list_calls"] == 3
    assert figures["reconnect_seconds"] > 0
    assert "1200 open orders: 3 list calls" in capsys.readouterr().out
