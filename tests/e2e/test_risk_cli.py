"""`oms check` as a person runs it: the shipped example, JSON output, a user's limits, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OMS = Path(sys.executable).parent / "oms"
EXAMPLE = ["config/examples/rebalance.csv", "--positions", "config/examples/positions.csv"]
OPEN = "2026-06-16T11:00-04:00"  # a Tuesday morning in New York
HOLIDAY = "2026-11-26T10:00-05:00"  # Thanksgiving


def oms(*args: str | Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "OMS_LOGGING__FILE": str(tmp_path / "oms.jsonl"), "NO_COLOR": "1"}
    return subprocess.run(
        [str(OMS), *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False
    )


def test_check_json_is_the_documented_shape(tmp_path: Path) -> None:
    """`--json` prints {"orders": [{symbol, side, quantity, results: [{code, outcome, message}]}]}, every code."""
    result = oms("check", *EXAMPLE, "--json", "--at", OPEN, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    orders = json.loads(result.stdout)["orders"]
    assert orders
    for order in orders:
        assert set(order) == {"symbol", "side", "quantity", "results"}
        assert len({r["code"] for r in order["results"]}) == 17
        for found in order["results"]:
            assert set(found) == {"code", "outcome", "message"}
            assert found["outcome"] in {"pass", "warn", "block"}
    assert [o["side"] for o in orders] == sorted((o["side"] for o in orders), key=lambda side: side != "sell")


def test_user_limits_block_and_exit_one(tmp_path: Path) -> None:
    """A symbol restricted in the user's --config is blocked with its reason, and the command exits 1."""
    mine = tmp_path / "mine.toml"
    mine.write_text('[risk]\nrestricted_symbols = [{ symbol = "AGG", reason = "under review" }]\n')
    result = oms("check", *EXAMPLE, "--json", "--at", OPEN, "--config", mine, tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    (agg,) = [o for o in json.loads(result.stdout)["orders"] if o["symbol"] == "AGG"]
    (restricted,) = [r for r in agg["results"] if r["code"] == "RESTRICTED_SYMBOL"]
    assert restricted == {"code": "RESTRICTED_SYMBOL", "outcome": "block", "message": "AGG is restricted: under review"}


def test_closed_market_holds_orders_until_the_open(tmp_path: Path) -> None:
    """On a holiday the table shows each order held until the next open, and the command still exits 0."""
    result = oms("check", *EXAMPLE, "--at", HOLIDAY, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "MARKET_HOURS (warn): the market is closed (holiday)" in result.stdout
    assert "held until the open at 2026-11-27 09:30 EST (14:30 UTC)" in result.stdout


def test_without_positions_no_holdings_checks(tmp_path: Path) -> None:
    """Without --positions the cash and holdings checks are left out and the table says so."""
    result = oms("check", "config/examples/rebalance.csv", "--json", "--at", OPEN, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    codes = {r["code"] for o in json.loads(result.stdout)["orders"] for r in o["results"]}
    assert "BUYING_POWER" not in codes
    assert "ORDER_VALUE_LIMIT" in codes
    table = oms("check", "config/examples/rebalance.csv", "--at", OPEN, tmp_path=tmp_path)
    assert "no --positions given" in table.stdout


def test_bad_limit_is_one_line_and_exit_two(tmp_path: Path) -> None:
    """A wrong [risk] value stops the command with one line naming the file and key."""
    mine = tmp_path / "mine.toml"
    mine.write_text("[risk]\nmax_position_pct = 2\n")
    result = oms("check", *EXAMPLE, "--config", mine, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{mine}: risk.max_position_pct: must be less than or equal to 1 (got 2)" in lines[0]
