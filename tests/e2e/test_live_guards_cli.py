"""`oms run --mode live` refuses before connecting unless the person opted in and confirmed the account."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oms.cli", "run", "config/examples/rebalance.csv", *args],
        cwd=ROOT,
        env={**os.environ, "OMS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("config", "extra", "code"),
    [
        ("", [], "LIVE_NOT_ENABLED"),
        ('[live]\nenabled = true\naccount = "U1234567"\n', [], "LIVE_NOT_CONFIRMED"),
        ('[live]\nenabled = true\naccount = "U1234567"\n', ["--confirm-account", "U7654321"], "LIVE_NOT_CONFIRMED"),
        ("[live]\nenabled = true\n", ["--confirm-account", "U1234567"], "LIVE_NO_ACCOUNT"),
    ],
)
def test_live_run_is_refused_without_opt_in_and_confirmation(
    tmp_path: Path, config: str, extra: list[str], code: str
) -> None:
    """Each missing guard is one line with its reason code, exit 2, and no ledger written."""
    user = tmp_path / "mine.toml"
    user.write_text(config)
    result = run(tmp_path, "--mode", "live", "--broker", "ibkr", "--config", str(user), *extra)
    assert result.returncode == 2
    assert code in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "oms.db").exists()


def test_live_mode_needs_a_live_broker(tmp_path: Path) -> None:
    """The simulator and manual tickets cannot trade live."""
    result = run(tmp_path, "--mode", "live")
    assert result.returncode == 2
    assert "needs a live broker" in result.stderr
