"""The benchmark runner finds the algos section and the section runs on a small sample."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _runner():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("oms_bench_runner", SCRIPTS / "bench.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_algos_section_is_found_and_reports_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """`bench_algos` schedules every parent it is given and prints the children count and timings."""
    sections = _runner().sections()
    figures = sections["algos"].__globals__["bench_algos"](parents=200)
    assert figures["parents"] == 200
    assert figures["children"] >= 200
    assert "200 parents" in capsys.readouterr().out


def test_unknown_sections_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Naming a section that does not exist exits 2 and lists the known ones."""
    assert _runner().main(["no-such-section"]) == 2
    assert "known: " in capsys.readouterr().err
