"""`oms plan` shows each order's pre-trade check findings beside its guidance."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_plan_shows_a_block_from_the_risk_checks(tmp_path: Path) -> None:
    """A restricted symbol shows `block RESTRICTED_SYMBOL` in the plan's Checks column; the others pass or warn."""
    config = tmp_path / "mine.toml"
    config.write_text('[risk]\nrestricted_symbols = ["SOXL"]\nmarket_hours = "off"\n')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "oms.cli",
            "plan",
            "config/examples/rebalance.csv",
            "--positions",
            "config/examples/positions.csv",
            "--config",
            str(config),
        ],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "220", "OMS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Checks" in result.stdout
    soxl = next(line for line in lines if " SOXL " in line)
    assert "block RESTRICTED_SYMBOL" in soxl
    tlt = next(line for line in lines if " TLT " in line)
    assert "block" not in tlt
