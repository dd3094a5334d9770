"""On a fresh install, `oms rebalance --from-broker` and `oms positions` read the simulator's paper account."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.e2e.oms_cli import ROOT, Oms

TARGETS = ROOT / "config/examples/targets.toml"


def test_fresh_install_rebalances_the_sim_account_and_shows_its_positions(tmp_path: Path) -> None:
    oms = Oms(tmp_path)
    positions = oms("positions", "--json")
    assert positions.returncode == 0, positions.stderr
    account = json.loads(positions.stdout)
    held = {row["symbol"]: row for row in account["positions"]}
    assert set(held) == {"AAPL", "QQQ", "SOXL", "SPY", "TLT", "TQQQ"}  # config/examples/positions.csv
    assert Decimal(account["cash"]) == Decimal(6000)
    assert all(row["source"] == "sim" and row["observed_at"] for row in held.values())
    weights = sum((Decimal(row["weight"]) for row in held.values()), Decimal(0))
    assert abs(weights + Decimal(account["cash"]) / Decimal(account["value"]) - 1) < Decimal("0.0001")

    result = oms("rebalance", "--targets", TARGETS, "--from-broker")
    assert result.returncode == 0, result.stderr
    assert "Holdings and targets" in result.stdout
    assert "Wave 1: sells" in result.stdout
    document = json.loads(oms("rebalance", "--targets", TARGETS, "--from-broker", "--json").stdout)
    rows = {row["symbol"]: row for row in document["holdings"]}
    assert rows["SOXL"]["outside_band"] is True  # held, not targeted: sold
    assert {o["symbol"] for o in document["orders"]} >= {"SOXL", "TLT", "AGG", "UPRO"}


def test_positions_file_and_from_broker_together_is_one_usage_error(tmp_path: Path) -> None:
    result = Oms(tmp_path)(
        "rebalance", "--targets", TARGETS, "--from-broker", "--positions", ROOT / "config/examples/positions.csv"
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--from-broker" in result.stderr


def test_submit_from_broker_prices_the_trade_list_from_the_sim_account(tmp_path: Path) -> None:
    """`oms submit FILE --from-broker` plans with the venue's quotes and holds the batch for approval."""
    oms = Oms(tmp_path)
    result = oms("submit", ROOT / "config/examples/rebalance.csv", "--from-broker", "--json")
    assert result.returncode == 5, result.stderr  # held for approval: waits for a person (issue 12)
    document = json.loads(result.stdout)
    assert document["created"] is True
    assert document["status"] == "awaiting_approval"
