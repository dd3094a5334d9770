"""`oms run config/examples/rebalance.csv --broker alpaca` as a person runs it, against the Alpaca emulator.

The emulator holds the example portfolio (config/examples/positions.csv) at the security master's prices and
fills orders along its price walk; the CLI finds it through APCA_API_BASE_URL, exactly as it would find a paper
account.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.fakes.alpaca_venue import AlpacaVenue

ROOT = Path(__file__).resolve().parents[2]
OMS = Path(sys.executable).parent / "oms"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def example_account() -> AlpacaVenue:
    """A paper account holding the example portfolio, its symbols priced as the security master says."""
    prices = {row["symbol"]: Decimal(row["last_price"]) for row in rows(ROOT / "config/securities.csv")}
    venue = AlpacaVenue(prices, cash=Decimal(0))
    for row in rows(ROOT / "config/examples/positions.csv"):
        quantity = Decimal(row["quantity"])
        if row["symbol"] == "CASH":
            venue.cash = quantity
        else:
            venue.positions[row["symbol"]] = (quantity, quantity * Decimal(row["average_cost"]))
    return venue


@pytest.mark.slow
def test_oms_run_trades_the_example_rebalance_through_alpaca(tmp_path: Path) -> None:
    """The run exits 0 with every order final; the venue holds one order per sent client order id, all filled."""
    with AlpacaEmulator(example_account()) as emulator, emulator.walking(0.02):
        env = {
            **os.environ,
            "APCA_API_KEY_ID": emulator.key_id,
            "APCA_API_SECRET_KEY": emulator.secret_key,
            "APCA_API_BASE_URL": emulator.base_url,
            "APCA_API_STREAM_URL": emulator.stream_url,
            "OMS_DATA_DIR": str(tmp_path),
            "OMS_DATABASE__URL": f"sqlite:///{tmp_path / 'oms.db'}",
            "OMS_LOGGING__FILE": str(tmp_path / "oms.jsonl"),
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }
        # Alpaca's clock is the wall clock: a TWAP would take its real quarter-hours. One order per trade here.
        mine = tmp_path / "single-orders.toml"
        mine.write_text("[guidance]\nsingle_order_max_value = 100000000\nsingle_order_max_pct_adv = 1.0\n")
        command = [str(OMS), "run", "config/examples/rebalance.csv", "--broker", "alpaca", "--timeout", "90"]
        command += ["--config", str(mine)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=150, check=False)
        orders = list(emulator.venue.orders.values())
    assert result.returncode == 0, result.stdout + result.stderr
    sent = [o.client_order_id for o in orders]
    assert len(sent) == len(set(sent)) >= 6
    assert all(o.status == "filled" for o in orders), [(o.client_order_id, o.status) for o in orders]
    assert "SOXL" not in {s for s, (q, _) in emulator.venue.positions.items() if q}
    assert f"orders: {len(orders)} filled" in result.stdout
    log = (tmp_path / "oms.jsonl").read_text(encoding="utf-8")
    assert emulator.secret_key not in log
    assert "alpaca.connected" in log
