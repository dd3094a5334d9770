"""Who waits for whom: exit codes by the README table, the exact command to run, a daemon that says what it does."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from tests.e2e.oms_cli import Oms, trades


def test_submit_waiting_for_approval_exits_5_like_run_supervised(tmp_path: Path) -> None:
    """`oms submit` of a supervised batch exits 5 and names the command; `oms run --supervised` does the same."""
    oms = Oms(tmp_path)
    file = trades(tmp_path / "t.csv", "AAPL,SELL,3")
    submitted = oms("submit", file)
    assert submitted.returncode == 5, submitted.stderr
    (batch,) = oms.batches()
    assert f"waits for you: review it with `oms status {batch['id']}`, then `oms approve {batch['id']}`" in (
        submitted.stdout
    )
    ran = oms("run", trades(tmp_path / "u.csv", "TLT,SELL,10"), "--supervised")
    assert ran.returncode == 5


def test_the_daemon_says_when_it_picks_up_releases_and_finishes_a_batch(tmp_path: Path) -> None:
    """A running daemon prints one line per batch picked up, per wave released and per batch finished."""
    oms = Oms(tmp_path, {"OMS_SIM__SPEED": "300"})
    daemon = oms.start("daemon")
    try:
        assert daemon.stdout is not None
        assert "daemon working sim" in daemon.stdout.readline()
        submitted = oms("submit", trades(tmp_path / "a.csv", "AAPL,SELL,3", "XLV,BUY,1"), "--auto", "--json")
        assert submitted.returncode == 0, submitted.stderr
        batch = json.loads(submitted.stdout)["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and oms.status(batch)["batches"][0]["status"] != "finished":
            time.sleep(0.2)
        time.sleep(0.5)  # the cycle that finished it prints after committing
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert f"picked up batch {batch}: 2 orders from" in out
    assert f"batch {batch}: wave 1 released (1 orders)" in out
    assert f"batch {batch}: wave 2 released (1 orders)" in out
    assert f"batch {batch} finished" in out
