"""Who works a batch: a run refused for the lease leaves nothing behind; each process works only its own batches."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.oms_cli import Oms, trades


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "postgres":
        return {"OMS_DATABASE_URL": str(request.getfixturevalue("postgres_schema_url"))}
    return {}


def batches(oms: Oms) -> list[dict[str, Any]]:
    return list(oms.status(cli=True)["batches"])


def test_a_run_refused_for_the_lease_writes_no_batch(tmp_path: Path, ledger_env: dict[str, str]) -> None:
    """With `oms daemon` holding the account, `oms run` exits 4 and the ledger has no batch from it."""
    oms = Oms(tmp_path, ledger_env)
    daemon = oms.start("daemon")
    try:
        assert daemon.stdout is not None
        assert "daemon working sim" in daemon.stdout.readline()
        assert batches(oms) == []  # the daemon made the ledger (`oms status` never makes one)
        refused = oms("run", trades(tmp_path / "t.csv", "AAPL,SELL,3"))
        assert refused.returncode == 4, refused.stderr
        assert "another" in refused.stderr
        assert batches(oms) == []
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=30)
    assert daemon.returncode == 0


def test_oms_run_works_its_own_batch_and_leaves_a_submitted_one_to_the_daemon(
    tmp_path: Path, ledger_env: dict[str, str]
) -> None:
    """`oms run` sends only the batch it made; an approved `oms submit` batch waits for `oms daemon`."""
    oms = Oms(tmp_path, {**ledger_env, "OMS_SIM__SPEED": "300"})  # the waiting DAY order must not reach the close
    submitted = oms("submit", trades(tmp_path / "a.csv", "TLT,SELL,10"), "--auto", "--json")
    assert submitted.returncode == 0, submitted.stderr
    theirs = json.loads(submitted.stdout)["id"]
    ran = oms("run", trades(tmp_path / "b.csv", "AAPL,SELL,3"))
    assert ran.returncode == 0, ran.stderr
    found = {b["id"]: b for b in batches(oms)}
    assert [o["status"] for o in found[theirs]["orders"]] == ["validated"]
    (mine,) = [b for b in found.values() if b["id"] != theirs]
    assert (mine["status"], [o["status"] for o in mine["orders"]]) == ("finished", ["filled"])

    assert oms("daemon", "--once").returncode == 0
    assert [o["status"] for o in oms.status(theirs, cli=True)["batches"][0]["orders"]] == ["filled"]


def test_approve_without_all_leaves_warned_orders_held_and_names_them(tmp_path: Path) -> None:
    """`oms approve B` approves the clean order only, names the warned one with its command, and says who acts next."""
    oms = Oms(tmp_path, {"OMS_RISK__MAX_ADV_PCT_WARN": "0.000001", "OMS_SIM__SPEED": "300"})
    submitted = oms("submit", trades(tmp_path / "t.csv", "AAPL,SELL,3", "TLT,SELL,100"), "--json")
    batch = json.loads(submitted.stdout)["id"]
    approved = oms("approve", batch)
    assert approved.returncode == 0, approved.stderr
    assert "1 orders approved" in approved.stdout
    (tlt,) = [o for o in oms.status(batch, cli=True)["batches"][0]["orders"] if o["symbol"] == "TLT"]
    assert f"still held: {tlt['client_order_id']} TLT (ADV" in approved.stdout
    assert f"`oms approve {batch} --order {tlt['id'][:8]}`" in approved.stdout
    assert "next: `oms daemon --broker sim` executes it" in approved.stdout
    assert tlt["reason"] == f"awaiting approval (warnings), yours: oms approve {batch} --order {tlt['id'][:8]}"
