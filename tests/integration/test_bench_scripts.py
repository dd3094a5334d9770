"""The benchmark runner finds the algos section and the section runs on a small sample."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"oms_test_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_runner_lists_the_algos_section() -> None:
    """`scripts/bench.py` discovers `bench_algos.py` as the section "algos"."""
    assert "algos" in _load("bench").sections()


def test_bench_algos_reports_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """`bench_algos` schedules every parent it is given and prints the children count and timings."""
    figures = _load("bench_algos").bench_algos(parents=200)
    assert figures["parents"] == 200
    assert figures["children"] >= 200
    assert "200 parents" in capsys.readouterr().out


def test_the_runner_lists_the_planning_section() -> None:
    """`scripts/bench.py` discovers `bench_planning.py` as the section "planning"."""
    assert "planning" in _load("bench").sections()


def test_bench_planning_plans_every_generated_recommendation(capsys: pytest.CaptureFixture[str]) -> None:
    """`bench_planning` plans generated files of each size and prints per-size times and the growth ratio."""
    figures = _load("bench_planning").bench_planning(sizes=(100, 1_000))
    assert set(figures) == {"ratio", "100", "1000"}
    assert figures["ratio"] > 0
    out = capsys.readouterr().out
    assert "1,000 recommendations" in out
    assert "ratio 1,000/100" in out
