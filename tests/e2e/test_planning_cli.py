"""`oms plan` and `oms rebalance` as a person runs them: the shipped examples, JSON output and bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "config" / "examples"
OMS = Path(sys.executable).parent / "oms"


def oms(*args: str | Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "OMS_LOGGING__FILE": str(tmp_path / "oms.jsonl"), "NO_COLOR": "1"}
    return subprocess.run(
        [str(OMS), *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False
    )


def test_plan_of_the_shipped_example_prints_waves_and_guidance(tmp_path: Path) -> None:
    """`oms plan config/examples/rebalance.csv` works out of the box: sells in wave 1, buys in wave 2, funding."""
    result = oms("plan", "config/examples/rebalance.csv", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Wave 1: sells") < out.index("Wave 2: buys")
    for heading in ("Type", "Limit", "TIF", "Algo", "Cost bps", "Reason"):
        assert heading in out
    assert "TQQQ" in out
    assert "Trim from 30.75% to target 16.77%" in out
    assert "Funding (cash unknown (no positions given)" in out


def test_plan_json_with_positions_is_the_documented_shape(tmp_path: Path) -> None:
    """`--json` prints {"orders": [...]} with the documented keys; sells precede buys; limits on leveraged names."""
    result = oms(
        "plan",
        "config/examples/rebalance.csv",
        "--positions",
        "config/examples/positions.csv",
        "--json",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    orders = json.loads(result.stdout)["orders"]
    assert set(orders[0]) == {
        "symbol",
        "side",
        "quantity",
        "order_type",
        "limit_price",
        "time_in_force",
        "urgency",
        "algo",
        "wave",
        "priority",
        "expected_cost_bps",
        "reason",
    }
    sides = [order["side"] for order in orders]
    assert sides == sorted(sides, key=lambda side: side == "buy")
    assert [order["priority"] for order in orders] == list(range(1, len(orders) + 1))
    leveraged = [order for order in orders if order["symbol"] in {"TQQQ", "SOXL", "UPRO"}]
    assert leveraged
    assert all(order["order_type"] == "limit" and order["limit_price"] for order in leveraged)


def test_rebalance_of_the_examples_reproduces_the_shipped_trade_list(tmp_path: Path) -> None:
    """`oms rebalance --output` on the example targets and positions writes the shipped rebalance.csv's rows."""
    written = tmp_path / "trades.csv"
    result = oms(
        "rebalance",
        "--targets",
        EXAMPLES / "targets.toml",
        "--positions",
        EXAMPLES / "positions.csv",
        "--output",
        written,
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    shipped = [line for line in (EXAMPLES / "rebalance.csv").read_text().splitlines() if not line.startswith("#")]
    assert written.read_text().splitlines() == shipped
    assert "above the 25.00% single-position limit" in result.stdout
    assert "above the 30.00% limit" in result.stdout
    assert "below the 10.00% floor" in result.stdout


def test_bad_trade_file_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    """Four bad rows give four `error:` lines on stderr, exit code 2 and nothing on stdout."""
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,action,shares\nSPY,BUY,0\nQQQ,HOLD,1\n,SELL,2\nIWM,BUY,abc\nVTI,BUY,1\n")
    result = oms("plan", bad, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: {bad}:2: shares: must be greater than zero, not 0",
        f"error: {bad}:3: action: unknown action 'HOLD' (expected BUY or SELL)",
        f"error: {bad}:4: symbol: required",
        f"error: {bad}:5: shares: not a number: 'abc'",
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("targets.toml", "[targets]\nSPY = 1.5\n", "targets.toml:2: SPY: a fraction between 0 and 1"),
        ("positions.csv", "symbol,quantity\nSPY,-4\n", "positions.csv:2: quantity: must not be negative, not -4"),
    ],
)
def test_bad_rebalance_inputs_exit_2_and_write_nothing(tmp_path: Path, name: str, text: str, expected: str) -> None:
    """A bad targets or positions file is named with its line, exits 2 and leaves no --output file behind."""
    files = {"targets.toml": EXAMPLES / "targets.toml", "positions.csv": EXAMPLES / "positions.csv"}
    files[name] = tmp_path / name
    files[name].write_text(text)
    written = tmp_path / "trades.csv"
    result = oms(
        "rebalance",
        "--targets",
        files["targets.toml"],
        "--positions",
        files["positions.csv"],
        "--output",
        written,
        tmp_path=tmp_path,
    )
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not written.exists()
    assert list(tmp_path.glob(".trades.csv.*")) == []


def test_plan_reports_problems_of_both_files_and_oversized_sells(tmp_path: Path) -> None:
    """Bad positions and bad trades are reported together; then a sell above the holding is refused (exit 2)."""
    positions = tmp_path / "positions.csv"
    positions.write_text("symbol,quantity\nSPY,ten\n")
    trades = tmp_path / "trades.csv"
    trades.write_text("symbol,action,shares\nSPY,SELL,0\n")
    both = oms("plan", trades, "--positions", positions, tmp_path=tmp_path)
    assert both.returncode == 2
    assert both.stderr.strip().splitlines() == [
        f"error: {positions}:2: quantity: not a number: 'ten'",
        f"error: {trades}:2: shares: must be greater than zero, not 0",
    ]
    positions.write_text("symbol,quantity\nSPY,3\n")
    trades.write_text("symbol,action,shares\nSPY,SELL,5\n")
    oversold = oms("plan", trades, "--positions", positions, tmp_path=tmp_path)
    assert oversold.returncode == 2
    assert oversold.stderr.strip() == (
        f"error: {trades}:2: shares: selling 5 SPY in all but the positions hold 3; never sell more than held"
    )


def test_rebalance_json_adds_adjustments_and_skipped(tmp_path: Path) -> None:
    """`oms rebalance --json` prints the orders plus the sentences about changed targets."""
    result = oms(
        "rebalance",
        "--targets",
        EXAMPLES / "targets.toml",
        "--positions",
        EXAMPLES / "positions.csv",
        "--json",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"orders", "adjustments", "skipped", "holdings"}
    assert len(document["adjustments"]) == 3
    assert {order["symbol"] for order in document["orders"]} >= {"TQQQ", "SOXL", "UPRO", "AGG"}
