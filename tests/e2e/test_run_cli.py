"""`oms run` and the commands around it, as a person runs them against the simulator."""

from __future__ import annotations

import getpass
from pathlib import Path

from oms.execution import controls
from oms.store import Ledger
from tests.e2e.oms_cli import EXAMPLE, Oms, trades

ORDER_KEYS = {
    "id",
    "client_order_id",
    "symbol",
    "side",
    "quantity",
    "status",
    "filled_quantity",
    "average_fill_price",
}


def test_example_runs_to_the_end_and_the_same_input_resumes_its_batch(tmp_path: Path) -> None:
    """The example fills every order (exit 0); running it again resumes that batch; --new makes a second one."""
    # Every order must fill before the simulated close: a 15-second session leaves room for a loaded machine
    # (at the suite's usual 4-second session, wave 2 could expire while two test workers share the cores).
    oms = Oms(tmp_path, env={"OMS_SIM__SPEED": "1500"})
    first = oms("run", EXAMPLE)
    assert first.returncode == 0, first.stderr
    (batch,) = oms.batches()
    assert batch["status"] == "finished"
    parents = [o for o in batch["orders"] if not o.get("parent_id")]  # algorithm children are listed too
    assert [o["status"] for o in parents] == ["filled"] * 9, [(o["symbol"], o["reason"]) for o in parents]
    for order in parents:
        assert order["filled_quantity"] == order["quantity"]

    again = oms("run", EXAMPLE)
    assert again.returncode == 0, again.stderr
    assert f"resuming batch {batch['id']}" in again.stdout
    assert [b["id"] for b in oms.batches()] == [batch["id"]]

    second = oms("run", EXAMPLE, "--new")
    assert second.returncode == 0, second.stderr
    assert len({b["id"] for b in oms.batches()}) == 2


def test_status_json_has_the_documented_shape(tmp_path: Path) -> None:
    """`oms status --json` is {"batches": [{"id", "status", "orders": [the eight documented keys]}]}."""
    oms = Oms(tmp_path)
    assert oms("run", trades(tmp_path / "t.csv", "AAPL,SELL,3", "TLT,SELL,10")).returncode == 0
    document = oms.status(cli=True)
    assert set(document) == {"batches"}
    (batch,) = document["batches"]
    assert {"id", "status", "orders"} <= set(batch)
    assert isinstance(batch["id"], str)
    assert batch["status"] == "finished"
    assert len(batch["orders"]) == 2
    for order in batch["orders"]:
        assert set(order) >= ORDER_KEYS
        assert order["status"] == "filled"
        assert order["filled_quantity"] == order["quantity"]
        assert float(order["average_fill_price"]) > 0
    assert sorted(o["symbol"] for o in batch["orders"]) == ["AAPL", "TLT"]
    assert oms.status(batch["id"][:6], cli=True) == document


def test_supervised_batch_waits_and_a_warned_order_needs_its_own_approval(tmp_path: Path) -> None:
    """--supervised exits 5; `oms approve` leaves the warned order waiting until it is named with --order."""
    # TLT 100 is 2.5e-6 of its volume, above this warning level; AAPL 3 is below it.
    # A slower session: the unapproved order must not reach the close (and expire) while the test works.
    oms = Oms(tmp_path, {"OMS_RISK__MAX_ADV_PCT_WARN": "0.000001", "OMS_SIM__SPEED": "300"})
    file = trades(tmp_path / "t.csv", "AAPL,SELL,3", "TLT,SELL,100")
    held = oms("run", file, "--supervised")
    assert held.returncode == 5, held.stderr
    (batch,) = oms.batches()
    assert batch["status"] == "awaiting_approval"
    assert f"oms approve {batch['id']}" in held.stdout

    approved = oms("approve", batch["id"])
    assert approved.returncode == 0, approved.stderr
    (tlt,) = [o for o in batch["orders"] if o["symbol"] == "TLT"]
    assert f"approve with --order {tlt['id'][:8]}" in approved.stdout

    partly = oms("run", file, "--supervised", "--timeout", "3")
    assert partly.returncode == 1  # the warned order is still waiting for a person
    statuses = {o["symbol"]: o["status"] for o in oms.status(batch["id"])["batches"][0]["orders"]}
    assert statuses == {"AAPL": "filled", "TLT": "validated"}

    assert oms("approve", batch["id"], "--order", tlt["id"][:8]).returncode == 0
    done = oms("run", file, "--supervised")
    assert done.returncode == 0, done.stderr
    assert {o["status"] for o in oms.status(batch["id"])["batches"][0]["orders"]} == {"filled"}


def test_halt_refuses_runs_until_resume_and_is_in_the_audit_log(tmp_path: Path) -> None:
    """After `oms halt`, `oms run` exits 3 and sends nothing; `oms resume` lifts it; both are audited with who."""
    oms = Oms(tmp_path)
    file = trades(tmp_path / "t.csv", "AAPL,SELL,3")
    halted = oms("halt", "--reason", "fire drill")
    assert halted.returncode == 0, halted.stderr
    refused = oms("run", file)
    assert refused.returncode == 3
    assert "fire drill" in refused.stderr
    assert oms.batches() == []  # nothing planned into the ledger, nothing sent

    assert oms("resume").returncode == 0
    assert oms("run", file).returncode == 0
    assert [o["status"] for o in oms.batches()[0]["orders"]] == ["filled"]

    ledger = Ledger.open(f"sqlite:///{oms.data / 'oms.db'}")
    try:
        with ledger.reading() as uow:
            entries = controls.audit_entries(uow, subject=controls.halt_key("sim", "sim"))
    finally:
        ledger.close()
    assert [e.action for e in entries] == ["resume", "halt"]  # newest first
    halt = entries[1]
    assert halt.actor == getpass.getuser()
    assert halt.at is not None
    assert halt.details["reason"] == "fire drill"


def test_bad_input_is_one_line_exit_two_and_writes_nothing(tmp_path: Path) -> None:
    """A malformed trade file, a bad --qty and an unknown order each give one line and exit 2; no batch is made."""
    oms = Oms(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,action,shares\nAAPL,HOLD,3\n", encoding="utf-8")
    result = oms("run", bad)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"{bad}:2:" in line
    assert not (oms.data / "oms.db").exists()  # refused before anything was opened

    result = oms("submit", bad)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1

    result = oms("fill", "B1-0001", "--qty", "ten", "--price", "1")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "--qty" in line

    for command in (["fill", "nope", "--qty", "1", "--price", "1"], ["cancel", "nope"]):
        result = oms(*command)
        assert result.returncode == 2, command
        (line,) = result.stderr.strip().splitlines()
        assert "no order 'nope'" in line
    assert oms.batches() == []
