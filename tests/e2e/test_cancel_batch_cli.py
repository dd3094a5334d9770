"""`oms cancel --batch`: a whole batch stopped, at the desk and at the simulator, with who and when recorded."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import pytest

from oms.execution import controls
from oms.store import Ledger
from tests.e2e.oms_cli import EXAMPLE, POSITIONS, Oms, trades


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_schema_url"))
    return f"sqlite:///{tmp_path / 'data' / 'oms.db'}"


def audit(url: str, batch: str) -> list[Any]:
    ledger = Ledger.open(url)
    try:
        with ledger.reading() as uow:
            return controls.audit_entries(uow, subject=batch)
    finally:
        ledger.close()


def test_cancel_batch_at_the_desk_cancels_working_tickets_and_ends_the_unsent_buys(
    tmp_path: Path, ledger_url: str
) -> None:
    """A manual batch half through wave 1: sells cancelled (fills kept), buys ended with the reason, batch cancelled."""
    oms = Oms(tmp_path, {"OMS_RISK__MARKET_HOURS": "off", "OMS_DATABASE_URL": ledger_url})
    assert oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS).returncode == 0
    (batch,) = oms.status(cli=True)["batches"]
    (tqqq,) = [o for o in batch["orders"] if o["symbol"] == "TQQQ"]
    assert oms("fill", tqqq["client_order_id"], "--qty", "162", "--price", "80.50").returncode == 0

    cancelled = oms("cancel", "--batch", batch["id"], "--reason", "plan changed")
    assert cancelled.returncode == 0, cancelled.stderr
    assert "6 working orders asked to cancel at manual, 3 unsent orders ended; batch cancelled" in cancelled.stdout
    (after,) = oms.status(batch["id"], cli=True)["batches"]
    assert after["status"] == "cancelled"
    assert {o["status"] for o in after["orders"]} == {"cancelled"}
    (tqqq,) = [o for o in after["orders"] if o["symbol"] == "TQQQ"]
    assert tqqq["filled_quantity"] == "162"
    buys = [o for o in after["orders"] if o["side"] == "buy"]
    assert all("plan changed" in o["reason"] for o in buys)
    (entry,) = audit(ledger_url, batch["id"])
    assert (entry.action, entry.actor, entry.details["reason"]) == ("cancel_batch", getpass.getuser(), "plan changed")


def test_cancel_batch_on_the_simulator_ends_a_submitted_batch(tmp_path: Path, ledger_url: str) -> None:
    """A submitted batch nobody has worked yet ends cancelled; the daemon then has nothing to send."""
    oms = Oms(tmp_path, {"OMS_DATABASE_URL": ledger_url})
    submitted = oms("submit", trades(tmp_path / "t.csv", "AAPL,SELL,3", "TLT,SELL,10"), "--auto", "--json")
    batch = json.loads(submitted.stdout)["id"]
    cancelled = oms("cancel", "--batch", batch)
    assert cancelled.returncode == 0, cancelled.stderr
    assert oms("daemon", "--once").returncode == 0
    (after,) = oms.status(batch, cli=True)["batches"]
    assert (after["status"], [o["status"] for o in after["orders"]]) == ("cancelled", ["cancelled", "cancelled"])
    assert oms("cancel", "--batch", batch).returncode == 2  # nothing left to cancel: one line, exit 2
