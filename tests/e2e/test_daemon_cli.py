"""`oms submit`, `oms daemon` and `oms reconcile` as an operator runs them against the simulator."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from tests.e2e.oms_cli import Oms, trades


def submitted(oms: Oms, file: Path, *flags: str) -> str:
    result = oms("submit", file, *flags, "--json")
    # Exit 5 (README): a batch held for approval waits for a person, as `oms run --supervised` says.
    assert result.returncode == (0 if "--auto" in flags else 5), result.stderr
    return str(json.loads(result.stdout)["id"])


def statuses(oms: Oms, batch: str) -> tuple[str, list[str]]:
    (found,) = oms.status(batch)["batches"]
    return found["status"], [o["status"] for o in found["orders"]]


def wait_for(check: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_submit_checks_without_executing_and_the_daemon_runs_only_approved_batches(tmp_path: Path) -> None:
    """`oms submit` holds a batch for approval; `oms daemon --once` executes the approved one, skips the other."""
    oms = Oms(tmp_path)
    waiting = submitted(oms, trades(tmp_path / "a.csv", "TLT,SELL,10"))
    approved = submitted(oms, trades(tmp_path / "b.csv", "AAPL,SELL,3"))
    assert statuses(oms, waiting) == ("awaiting_approval", ["validated"])
    assert oms("approve", approved).returncode == 0

    ran = oms("daemon", "--once")
    assert ran.returncode == 0, ran.stderr
    assert statuses(oms, approved) == ("finished", ["filled"])
    assert statuses(oms, waiting) == ("awaiting_approval", ["validated"])


def test_daemon_picks_up_new_batches_obeys_halt_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """A running daemon executes an --auto submission, sends nothing while halted, resumes, and exits 0 on SIGTERM."""
    oms = Oms(tmp_path, {"OMS_SIM__SPEED": "300"})  # the halted order must not reach the close and expire meanwhile
    daemon = oms.start("daemon")
    try:
        assert daemon.stdout is not None
        assert "daemon working sim" in daemon.stdout.readline()
        first = submitted(oms, trades(tmp_path / "a.csv", "AAPL,SELL,3"), "--auto")
        assert wait_for(lambda: statuses(oms, first)[0] == "finished")

        assert oms("halt", "--reason", "drill").returncode == 0
        second = submitted(oms, trades(tmp_path / "b.csv", "TLT,SELL,10"), "--auto")
        time.sleep(1.5)  # many daemon cycles
        assert statuses(oms, second) == ("executing", ["validated"])
        assert daemon.poll() is None  # halted, still running

        assert oms("resume").returncode == 0
        assert wait_for(lambda: statuses(oms, second) == ("finished", ["filled"]))
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert "halted by" in err
    assert "lease is released" in out
    assert oms("daemon", "--once").returncode == 0  # the lease was released: no "another scheduler" refusal


def test_reconcile_is_clean_after_a_run_and_reports_a_fill_missing_from_the_ledger(tmp_path: Path) -> None:
    """On a clean ledger reconcile exits 0 with no differences; a fill row removed from the ledger is reported."""
    oms = Oms(tmp_path)
    assert oms("run", trades(tmp_path / "t.csv", "AAPL,SELL,3")).returncode == 0
    clean = oms("reconcile", "--json")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout) == {"differences": []}

    with sqlite3.connect(oms.data / "oms.db") as ledger:
        (exec_id,) = ledger.execute("SELECT exec_id FROM fills").fetchone()
        ledger.execute("DELETE FROM fills")
    found = oms("reconcile", "--json")
    assert found.returncode == 1, found.stderr
    (difference,) = json.loads(found.stdout)["differences"]
    assert difference["kind"] == "missing_fill"
    assert difference["subject"] == exec_id
    assert difference["fixed"] is False


def test_reconcile_with_the_broker_unreachable_is_an_error_not_a_clean_bill(tmp_path: Path) -> None:
    """When the broker's reports cannot be read, reconcile exits 6 and prints no (empty) differences."""
    oms = Oms(tmp_path)
    assert oms("run", trades(tmp_path / "t.csv", "AAPL,SELL,3")).returncode == 0
    with sqlite3.connect(oms.data / "sim-venue.db") as venue:
        venue.execute("INSERT INTO faults (name, value) VALUES ('fail_reports', '5')")
    failed = oms("reconcile", "--json")
    assert failed.returncode == 6
    assert failed.stdout == ""
    (line,) = failed.stderr.strip().splitlines()
    assert "could not be asked" in line


def test_submit_and_daemon_keep_the_live_trading_guards(tmp_path: Path) -> None:
    """Live submissions and a live daemon are refused without the user's opt-in, one line, exit 2, nothing written."""
    oms = Oms(tmp_path)
    file = trades(tmp_path / "t.csv", "AAPL,SELL,3")
    for command in (
        ["submit", file, "--mode", "live", "--broker", "ibkr"],
        ["daemon", "--mode", "live", "--broker", "ibkr"],
    ):
        refused = oms(*command)
        assert refused.returncode == 2, command
        (line,) = refused.stderr.strip().splitlines()
        assert "LIVE_NOT_ENABLED" in line
    assert not (oms.data / "oms.db").exists()
