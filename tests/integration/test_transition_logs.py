"""Every committed transition is logged as order.<status> with the fields a person needs; a rollback logs nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from oms.logging import configure
from oms.store import Ledger
from tests.unit.builders import T0, new_order

FIELDS = {"batch_id", "order_id", "client_order_id", "symbol", "side", "quantity", "from_status", "to_status"}


def events(log_file: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log_file.read_text().splitlines() if '"order.' in line]


def test_committed_transitions_are_logged_and_rolled_back_ones_are_not(tmp_path: Path) -> None:
    """validated, submitted, partially_filled and filled each log once, after their commit, with every field."""
    log_file = tmp_path / "oms.jsonl"
    configure("info", log_file, console=False)
    ledger = Ledger.open(f"sqlite:///{tmp_path}/ledger.db")
    order = new_order(batch_id=None, client_order_id="c-log")
    with ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    order.validate(at=T0)
    order.submit(at=T0)
    with ledger.unit_of_work() as uow:
        uow.orders.save(order)
        uow.commit()
    order.fill("x1", "4", "150", T0 + timedelta(seconds=1))

    def abandon() -> None:
        with ledger.unit_of_work() as uow:
            uow.orders.save(order)
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        abandon()
    assert [e["event"] for e in events(log_file)] == ["order.new", "order.validated", "order.submitted"]
    order.fill("x2", "6", "150", T0 + timedelta(seconds=2))
    with ledger.unit_of_work() as uow:
        uow.orders.save(order)
        uow.commit()
    logged = events(log_file)
    assert [e["event"] for e in logged][-2:] == ["order.partially_filled", "order.filled"]
    for entry in logged:
        assert set(entry) >= FIELDS, entry
    assert logged[-1]["from_status"] == "partially_filled"
    assert logged[-1]["exec_id"] == "x2"
    ledger.close()
