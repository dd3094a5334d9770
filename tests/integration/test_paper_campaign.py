"""The short paper campaign CI runs: the daemon's scheduled rebalances on the simulator, then the report."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

NEW_YORK = ZoneInfo("America/New_York")
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _campaign() -> ModuleType:
    spec = importlib.util.spec_from_file_location("oms_test_paper_campaign", SCRIPTS / "paper_campaign.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_two_sessions_rebalance_on_schedule_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two 10:00 firings on the simulator's clock: each made a batch (the example targets are far from the
    example holdings), each batch finished, drift was measured before and after, and the report has the figures."""
    campaign = _campaign()
    assert campaign.main(["--sessions", "2", "--speed", "6000", "--data", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sessions"] == 2
    assert report["batches"] >= 1
    assert report["orders"] > 0
    assert report["by_algo"], "realised against expected cost by algorithm"
    first = report["rebalances"][0]
    assert first["session"] < report["rebalances"][1]["session"]  # one firing per simulated session
    assert first["batch"] is not None
    assert first["drift_after"] is not None
    assert Decimal(first["drift_before"]) > Decimal("0.02")  # outside the 2pp band, hence the rebalance
    lines = (tmp_path / "schedule.jsonl").read_text().splitlines()
    assert (tmp_path / "schedule.jsonl").stat().st_mode & 0o777 == 0o600
    fired = [datetime.fromisoformat(json.loads(line)["fired_at"]).astimezone(NEW_YORK) for line in lines]
    assert {(at.hour, at.minute) for at in fired} == {(10, 0)}  # the rule's 10:00, New York time
