"""`oms rebalance --from-broker` on a paper account holding symbols the shipped security master does not list.

The Alpaca emulator lists VOO, SCHD and VXUS (and quotes BRK.B, which the sample file lists) on `/v2/assets`, the
market-data latest quotes and daily bars; the CLI finds it through the APCA_* variables, as it finds a paper
account. The prices the plan uses must be the ones the emulator served, and an old quote must trip STALE_PRICE.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.fakes.alpaca_venue import AlpacaVenue

OMS = Path(sys.executable).parent / "oms"
LISTED = {
    "VOO": ("Vanguard S&P 500 ETF", Decimal("512.30"), Decimal(60)),
    "SCHD": ("Schwab U.S. Dividend Equity ETF", Decimal("27.84"), Decimal(1500)),
    "VXUS": ("Vanguard Total International Stock ETF", Decimal("66.10"), Decimal(300)),
    "BRK.B": ("Berkshire Hathaway Inc. Class B", Decimal("471.05"), Decimal(40)),
}


def account(stale: str | None = None) -> AlpacaEmulator:
    emulator = AlpacaEmulator(AlpacaVenue({}, cash=Decimal(25_000)))
    for symbol, (name, price, quantity) in LISTED.items():
        old = datetime.now(UTC) - timedelta(hours=20) if symbol == stale else None
        emulator.market_data.list_asset(symbol, name, price, quoted_at=old)
        emulator.market_data.hold(symbol, quantity, price * Decimal("0.9"))
    return emulator


def oms(emulator: AlpacaEmulator, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OMS_", "APCA_"))},
        "APCA_API_KEY_ID": emulator.key_id,
        "APCA_API_SECRET_KEY": emulator.secret_key,
        "APCA_API_BASE_URL": emulator.base_url,
        "APCA_API_DATA_URL": emulator.base_url,
        "OMS_DATA_DIR": str(tmp_path / "data"),
        "OMS_LOGGING__FILE": str(tmp_path / "oms.jsonl"),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(OMS), *args], capture_output=True, text=True, env=env, timeout=120, check=False, cwd=tmp_path
    )


def targets(tmp_path: Path) -> Path:
    path = tmp_path / "me.toml"
    path.write_text('[targets]\nVOO = 0.25\nSCHD = 0.20\nVXUS = 0.25\n"BRK.B" = 0.20\n', encoding="utf-8")
    return path


def test_rebalance_from_alpaca_prices_every_holding_at_the_quotes_served(tmp_path: Path) -> None:
    with account() as emulator:
        result = oms(
            emulator,
            tmp_path,
            "rebalance",
            "--targets",
            str(targets(tmp_path)),
            "--from-broker",
            "--broker",
            "alpaca",
            "--json",
        )
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        holdings = {row["symbol"]: row for row in document["holdings"]}
        assert set(holdings) == set(LISTED)
        for symbol, (_, price, quantity) in LISTED.items():
            assert Decimal(holdings[symbol]["price"]) == price, symbol
            assert Decimal(holdings[symbol]["quantity"]) == quantity
            assert holdings[symbol]["source"] == "alpaca"
            assert Decimal(holdings[symbol]["bid"]) == price - Decimal("0.01")
        assert document["orders"], "the targets are far from the holdings: something must trade"
        for order in document["orders"]:  # limits are worked out from the served price, not the file's 2024 one
            if order["limit_price"] is not None:
                served = LISTED[order["symbol"]][1]
                assert abs(Decimal(order["limit_price"]) - served) / served < Decimal("0.005"), order
        assert emulator.calls["GET /v2/assets/VOO"] == 1
        assert emulator.calls["GET /v2/assets/BRK.B"] == 0  # the user's security master lists it
        cache = tmp_path / "data" / "reference-cache.json"
        assert cache.stat().st_mode & 0o777 == 0o600
        assert set(json.loads(cache.read_text())) == {"VOO", "SCHD", "VXUS"}


def test_an_old_quote_from_alpaca_trips_the_stale_price_check(tmp_path: Path) -> None:
    trades = tmp_path / "trades.csv"
    trades.write_text("symbol,action,shares,reason\nVXUS,BUY,10,top up\nVOO,BUY,1,top up\n", encoding="utf-8")
    with account(stale="VXUS") as emulator:
        result = oms(emulator, tmp_path, "check", str(trades), "--from-broker", "--broker", "alpaca", "--json")
    assert result.returncode == 0, result.stderr
    findings = {
        order["symbol"]: {r["code"]: r for r in order["results"]} for order in json.loads(result.stdout)["orders"]
    }
    assert findings["VXUS"]["STALE_PRICE"]["outcome"] == "warn"
    assert "20 hours old" in findings["VXUS"]["STALE_PRICE"]["message"]
    assert findings["VOO"]["STALE_PRICE"]["outcome"] == "pass"


def test_a_symbol_nobody_knows_is_one_error_naming_where_it_was_looked_for(tmp_path: Path) -> None:
    path = tmp_path / "me.toml"
    path.write_text("[targets]\nVOO = 0.5\nZZZQ = 0.3\n", encoding="utf-8")
    with account() as emulator:
        result = oms(emulator, tmp_path, "rebalance", "--targets", str(path), "--from-broker", "--broker", "alpaca")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "ZZZQ" in lines[0]
    assert "alpaca reference data" in lines[0]
    assert "securities.csv" in lines[0]
    assert "Traceback" not in result.stderr
