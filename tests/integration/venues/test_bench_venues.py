"""The venues benchmark runs on a small sample and shows a poll's statements do not grow with open orders."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


def test_bench_venues_reports_flat_statement_counts(capsys: pytest.CaptureFixture[str]) -> None:
    """A poll of 5 or 50 open orders takes the same number of SQL statements; the figures are printed."""
    spec = importlib.util.spec_from_file_location("oms_test_bench_venues", SCRIPTS / "bench_venues.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.bench_venues(counts=(5, 50), polls=5)
    assert figures[5]["statements_median"] == figures[50]["statements_median"]
    assert "open orders" in capsys.readouterr().out
