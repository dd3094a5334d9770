"""`pip install .` (a real wheel, not editable) runs anywhere: the package carries its defaults and sample data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.mark.slow
def test_a_built_wheel_installed_in_a_fresh_venv_plans_a_file_from_another_directory(tmp_path: Path) -> None:
    """Build the wheel, install it alone in a new venv, run `oms plan` from / on a file elsewhere."""
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", dist, cwd=ROOT)
    (wheel,) = dist.glob("oms-*.whl")
    fresh = tmp_path / "fresh"
    run(sys.executable, "-m", "venv", "--without-pip", fresh, cwd=tmp_path)
    python = fresh / "bin" / "python"
    # The dependencies come from the development environment (no network here); the OMS itself only from the wheel.
    purelib = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip()
    )
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=tmp_path
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    trades = elsewhere / "trades.csv"
    trades.write_text("symbol,action,shares\nSPY,BUY,3\nTLT,SELL,2\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
    env |= {"OMS_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": "", "NO_COLOR": "1"}
    located = run(python, "-c", "import oms.config as c; print(c.DEFAULT_CONFIG)", cwd=Path("/"), env=env)
    assert located.stdout.strip().startswith(str(purelib)), located.stdout
    planned = run(fresh / "bin" / "oms", "plan", trades, "--json", cwd=Path("/"), env=env)
    symbols = {order["symbol"] for order in json.loads(planned.stdout)["orders"]}
    assert symbols == {"SPY", "TLT"}
