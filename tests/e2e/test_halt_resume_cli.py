"""`oms halt` and `oms resume` as a person uses them: what a halt cut short is finished or abandoned, never half."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oms.store import Ledger
from tests.e2e.oms_cli import EXAMPLE, POSITIONS, Oms

ANY_HOUR = {"OMS_RISK__MARKET_HOURS": "off"}
PRICES = {"TQQQ": "80.50", "SOXL": "28.5", "TLT": "93.4", "QQQ": "509.7", "AAPL": "237.2", "SPY": "602"}


def only_batch(oms: Oms) -> dict[str, Any]:
    (batch,) = oms.batches()
    return batch


def of(batch: dict[str, Any], symbol: str) -> list[dict[str, Any]]:
    return [o for o in batch["orders"] if o["symbol"] == symbol and not o.get("parent_id")]


def manual_batch_cut_by_a_halt(tmp_path: Path) -> tuple[Oms, dict[str, Any]]:
    """A manual batch whose TQQQ sell filled 162 of 410 shares when `oms halt` cancelled it."""
    oms = Oms(tmp_path, ANY_HOUR)
    assert oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS).returncode == 0
    (tqqq,) = of(only_batch(oms), "TQQQ")
    filled = oms("fill", tqqq["client_order_id"], "--qty", "162", "--price", "80.50", "--exec-id", "T-1")
    assert filled.returncode == 0, filled.stderr
    sells = [o for o in only_batch(oms)["orders"] if o["side"] == "sell"]
    halted = oms("halt", "--reason", "drill")
    assert halted.returncode == 0, halted.stderr
    assert f"{len(sells)} working orders asked to cancel, 0 had already ended" in halted.stdout
    return oms, only_batch(oms)


def test_resume_sends_the_rest_of_a_halted_sell_and_buys_wait_for_it(tmp_path: Path) -> None:
    """After a halt cut TQQQ at 162/410, `oms resume` sends 248 more under a new id; no buy goes before it fills."""
    oms, batch = manual_batch_cut_by_a_halt(tmp_path)
    (tqqq,) = of(batch, "TQQQ")
    assert (tqqq["status"], tqqq["filled_quantity"]) == ("cancelled", "162")
    assert batch["status"] == "executing"

    resumed = oms("resume")
    assert resumed.returncode == 0, resumed.stderr
    after = only_batch(oms)
    old, new = of(after, "TQQQ")
    assert old["client_order_id"] == tqqq["client_order_id"]
    assert new["client_order_id"] != tqqq["client_order_id"]
    assert (new["quantity"], new["status"]) == ("248", "submitted")
    assert new["client_order_id"] in resumed.stdout
    assert {o["status"] for o in after["orders"] if o["side"] == "buy"} == {"validated"}
    assert after["status"] == "executing"

    # The rest of wave 1 fills: only now do the buys go, and the rebalance was done in full.
    for order in after["orders"]:
        if order["side"] == "sell" and order["status"] in ("submitted", "cancelled") and order is not old:
            left = Decimal(order["quantity"]) - Decimal(order["filled_quantity"])
            if order["status"] == "cancelled":
                continue
            done = oms("fill", order["client_order_id"], "--qty", str(left), "--price", PRICES[order["symbol"]])
            assert done.returncode == 0, done.stderr
    finished = only_batch(oms)
    sold = sum(Decimal(o["filled_quantity"]) for o in of(finished, "TQQQ"))
    assert sold == Decimal(410)
    assert any(o["status"] == "submitted" for o in finished["orders"] if o["side"] == "buy")


def test_resume_abandon_ends_the_batch_and_never_buys(tmp_path: Path) -> None:
    """`oms resume --abandon` cancels the cut batch's unsent buys with the reason and ends the batch."""
    oms, batch = manual_batch_cut_by_a_halt(tmp_path)
    resumed = oms("resume", "--abandon")
    assert resumed.returncode == 0, resumed.stderr
    assert f"abandoned batch {batch['id']}" in resumed.stdout
    after = only_batch(oms)
    assert after["status"] == "cancelled"
    buys = [o for o in after["orders"] if o["side"] == "buy"]
    assert {o["status"] for o in buys} == {"cancelled"}
    assert all(o["filled_quantity"] == "0" for o in buys)
    assert len(of(after, "TQQQ")) == 1


def test_halt_says_what_had_already_filled(tmp_path: Path) -> None:
    """A halt after every working order filled says none were asked to cancel, not 'N asked to cancel'."""
    oms = Oms(tmp_path, ANY_HOUR)
    assert oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS).returncode == 0
    halted_nothing = oms("halt", "--broker", "sim")
    assert "0 working orders asked to cancel" in halted_nothing.stdout
    assert oms("resume", "--broker", "sim").returncode == 0


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The ledger a person's commands share: the default SQLite file, or a PostgreSQL schema."""
    if request.param == "postgres":
        return {"OMS_DATABASE_URL": str(request.getfixturevalue("postgres_schema_url"))}
    return {}


def wait_for(check: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_running_oms_run_stops_at_a_halt_and_resume_finishes_the_rebalance(
    tmp_path: Path, ledger_env: dict[str, str]
) -> None:
    """`oms run` exits 3 soon after `oms halt`; after `oms resume` running it again sells every share asked."""
    # A slow session: the halt lands while the sells still work.
    oms = Oms(tmp_path, {**ledger_env, "OMS_SIM__SPEED": "20"})
    make_ledger(oms, ledger_env)  # the ledger is made before two processes race to make it
    running = oms.start("run", EXAMPLE)
    try:
        started = wait_for(lambda: any(o["status"] != "validated" for b in batches(oms) for o in b["orders"]))
        assert started, running.stderr.read() if running.poll() is not None and running.stderr else "still running"
        halted = oms("halt", "--reason", "drill")
        assert halted.returncode == 0, halted.stderr
        assert running.wait(timeout=30) == 3
    finally:
        if running.poll() is None:
            running.kill()
        running.communicate()
    (batch,) = batches(oms)
    assert batch["status"] == "executing"
    assert not [o for o in batch["orders"] if o["status"] == "submitted" and not o.get("parent_id")]
    assert {o["status"] for o in batch["orders"] if o["side"] == "buy" and not o.get("parent_id")} <= {
        "validated",
        "filled",
    }

    assert oms("run", EXAMPLE).returncode == 3  # still halted: nothing is sent
    resumed = oms("resume")
    assert resumed.returncode == 0, resumed.stderr
    done = oms("run", EXAMPLE, env={"OMS_SIM__SPEED": "600"})  # the rest must fill before the simulated close
    assert done.returncode == 0, done.stdout + done.stderr
    (batch,) = batches(oms)
    assert batch["status"] == "finished"
    asked = {"AAPL": "11.4282", "QQQ": "22.1649", "SOXL": "800", "SPY": "4.3558", "TLT": "150", "TQQQ": "410"}
    for symbol, quantity in asked.items():
        assert sum(Decimal(o["filled_quantity"]) for o in of(batch, symbol)) == Decimal(quantity), symbol


def make_ledger(oms: Oms, ledger_env: dict[str, str]) -> None:
    """Create the (empty) ledger, as a first `oms run` would: `oms status` refuses to create one."""
    oms.data.mkdir(parents=True, exist_ok=True)
    Ledger.open(ledger_env.get("OMS_DATABASE_URL") or f"sqlite:///{oms.data / 'oms.db'}").close()
    assert batches(oms) == []


def batches(oms: Oms) -> list[dict[str, Any]]:
    return list(oms.status(cli=True)["batches"])
