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
    assert batches(oms) == []
    daemon = oms.start("daemon")
    try:
        assert daemon.stdout is not None
        assert "daemon working sim" in daemon.stdout.readline()
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
