"""The IBKR benchmark section runs on a small sample and keeps within IB's pacing limit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "bench_ibkr.py"


def test_bench_ibkr_reports_its_figures_within_pacing(capsys: pytest.CaptureFixture[str]) -> None:
    """`bench_ibkr` submits, polls and recovers at both server versions; no second carries more than 50 messages."""
    spec = importlib.util.spec_from_file_location("oms_test_bench_ibkr", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.bench_ibkr(orders=20)
    assert [r["server_version"] for r in results] == [176, 178]
    assert all(r["busiest_window"] <= 50 for r in results)
    assert "20 submissions" in capsys.readouterr().out
