"""The ledger on SQLite and PostgreSQL: exact values, atomic units of work, version conflicts, replay."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from oms.domain import Batch, OrderStatus
from oms.store import ConcurrencyConflict, DuplicateRecord, Ledger
from oms.store.ledger import EVENTS, FILLS
from oms.store.tables import metadata
from tests.unit.builders import T0, new_order, order_in

AT = T0 + timedelta(minutes=1)


def test_quantities_and_prices_round_trip_exactly(ledger: Ledger) -> None:
    """A billionth of a share and a price with four decimals come back exactly as written."""
    order = new_order(quantity="0.000000001")
    order.limit_price = Decimal("1234567.8912")
    order.validate(at=T0)
    order.submit("c-exact", at=T0)
    order.fill("e-1", "0.000000001", "1234567.8912", AT, commission="0.0035")
    with ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    with ledger.reading() as uow:
        stored = uow.orders.get(order.id)
    assert stored is not None
    assert str(stored.quantity.normalize()) in ("1E-9", "0.000000001")
    assert stored.quantity == Decimal("0.000000001")
    assert stored.limit_price == Decimal("1234567.8912")
    assert stored.fills[0].price == Decimal("1234567.8912")
    assert stored.fills[0].commission == Decimal("0.0035")
    assert stored.fills[0].at == AT
    assert stored.fills[0].at.tzinfo is not None


@pytest.mark.parametrize("status", list(OrderStatus))
def test_stored_order_equals_its_replayed_events(ledger: Ledger, status: OrderStatus) -> None:
    """For every status, the order read back equals the order and the order rebuilt from its stored events."""
    from oms.domain import replay

    order = order_in(status)
    with ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    with ledger.reading() as uow:
        stored = uow.orders.get(order.id)
    assert stored == order
    assert replay(stored.events) == order  # type: ignore[union-attr]


def test_a_unit_of_work_commits_state_and_events_together_or_nothing(ledger: Ledger) -> None:
    """Leaving a unit of work without commit writes neither the order's new state nor its events."""
    order = order_in(OrderStatus.SUBMITTED)
    with ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    order.fill("e-1", "4", "150", AT)

    def crash_before_commit() -> None:
        with ledger.unit_of_work() as uow:
            uow.orders.save(order)
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        crash_before_commit()
    with ledger.reading() as uow:
        stored = uow.orders.get(order.id)
        fills = uow.connection.execute(select(func.count()).select_from(FILLS)).scalar_one()
    assert stored is not None
    assert stored.status is OrderStatus.SUBMITTED
    assert fills == 0
    assert len(stored.events) == len(order.events) - 1


def test_two_writers_of_one_order_the_second_gets_a_conflict(ledger: Ledger) -> None:
    """Two processes advancing the same order: the loser gets ConcurrencyConflict and retries from fresh state."""
    with ledger.unit_of_work() as uow:
        uow.orders.add(order_in(OrderStatus.SUBMITTED))
        uow.commit()
    with ledger.reading() as uow:
        (first,) = uow.orders.open_orders()
    with ledger.reading() as uow:
        second = uow.orders.get(first.id)
    assert second is not None
    first.fill("e-a", "3", "150", AT)
    with ledger.unit_of_work() as uow:
        uow.orders.save(first)
        uow.commit()
    second.fill("e-b", "2", "150", AT)
    with pytest.raises(ConcurrencyConflict), ledger.unit_of_work() as uow:
        uow.orders.save(second)
    with ledger.reading() as uow:
        fresh = uow.orders.get(first.id)
    assert fresh is not None
    assert fresh.filled_quantity == 3
    fresh.fill("e-b", "2", "150", AT)
    with ledger.unit_of_work() as uow:
        uow.orders.save(fresh)
        uow.commit()
    with ledger.reading() as uow:
        final = uow.orders.get(first.id)
    assert final is not None
    assert final.filled_quantity == 5
    assert final.version == 3


def test_each_save_appends_only_the_new_events(ledger: Ledger) -> None:
    """Saving twice appends each event once; the audit trail has one row per event in order."""
    order = new_order()
    with ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    for step in (lambda: order.validate(at=T0), lambda: order.submit("c-9", at=T0)):
        step()
        with ledger.unit_of_work() as uow:
            uow.orders.save(order)
            uow.orders.save(order)  # nothing new the second time
            uow.commit()
    with ledger.reading() as uow:
        rows = list(uow.connection.execute(select(EVENTS).where(EVENTS.c.order_id == order.id)))
    assert [(r.sequence, r.kind, r.from_status, r.to_status) for r in rows] == [
        (1, "created", None, "new"),
        (2, "validated", "new", "validated"),
        (3, "submitted", "validated", "submitted"),
    ]


def test_client_order_ids_are_unique(ledger: Ledger) -> None:
    """A second order with the same client order id is refused by the ledger."""
    with ledger.unit_of_work() as uow:
        uow.orders.add(new_order(client_order_id="same"))
        uow.commit()
    with pytest.raises(DuplicateRecord), ledger.unit_of_work() as uow:
        uow.orders.add(new_order(client_order_id="same"))


def test_batches_are_found_by_content_hash(ledger: Ledger) -> None:
    """A batch is found again from the hash of its input, so the same input resumes it."""
    batch = Batch.create(source="trades.csv", content_hash="abc123", at=T0)
    with ledger.unit_of_work() as uow:
        uow.batches.add(batch)
        uow.orders.add(new_order(batch_id=batch.id))
        uow.commit()
    with ledger.reading() as uow:
        found = uow.batches.by_content_hash("abc123")
        orders = uow.orders.for_batch(batch.id)
    assert found is not None
    assert found.id == batch.id
    assert found.version == 1
    assert len(orders) == 1


def test_migrations_match_the_models(ledger: Ledger) -> None:
    """Alembic autogenerate finds no difference between the migrated schema and the SQLModel tables."""
    with ledger.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    assert diff == []


def test_alembic_upgrade_head_builds_the_schema(ledger_url: str, tmp_path: Path) -> None:
    """`alembic upgrade head`, run as a person would, builds the schema in the configured database."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "OMS_DATABASE_URL": ledger_url}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini"), "upgrade", "head"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    opened = Ledger.open(ledger_url, migrate=False)
    try:
        with opened.reading() as uow:
            assert uow.orders.open_orders() == []
    finally:
        opened.close()


def test_open_batches_of_one_broker_is_one_query(ledger: Ledger) -> None:
    """`open_for_broker` returns that broker's unfinished batches, newest first, optionally of some statuses."""
    from oms.domain import BatchStatus

    made = []
    for n, (broker, status) in enumerate(
        [
            ("sim", BatchStatus.EXECUTING),
            ("ibkr", BatchStatus.EXECUTING),
            ("sim", BatchStatus.FINISHED),
            ("sim", BatchStatus.PLANNED),
            ("sim", BatchStatus.CANCELLED),
        ]
    ):
        batch = Batch.create(source="t.csv", content_hash=f"h{n}", at=T0 + timedelta(minutes=n), broker=broker)
        batch.status = status
        made.append(batch)
    with ledger.unit_of_work() as uow:
        for batch in made:
            uow.batches.add(batch)
        uow.commit()
    with ledger.reading() as uow:
        open_sim = [b.id for b in uow.batches.open_for_broker("sim")]
        executing_sim = [b.id for b in uow.batches.open_for_broker("sim", statuses=[BatchStatus.EXECUTING])]
    assert open_sim == [made[3].id, made[0].id]
    assert executing_sim == [made[0].id]


def test_switches_and_the_audit_log_are_repositories_of_the_unit_of_work(ledger: Ledger) -> None:
    """uow.controls keeps one value per key (set again replaces it); uow.audit appends, newest first."""
    with ledger.unit_of_work() as uow:
        assert uow.controls.get("halt:sim:a") is None
        uow.controls.put("halt:sim:a", {"active": True, "reason": "test"}, actor="ann")
        uow.controls.put("halt:sim:a", {"active": False, "reason": ""}, actor="bob")
        uow.audit.record("ann", "halt", "halt:sim:a", reason="test")
        uow.audit.record("bob", "resume", "halt:sim:a")
        uow.commit()
    with ledger.reading() as uow:
        switch = uow.controls.get("halt:sim:a")
        entries = uow.audit.entries(subject="halt:sim:a")
    assert switch is not None
    assert (switch.value, switch.updated_by) == ({"active": False, "reason": ""}, "bob")
    assert [(e.actor, e.action) for e in entries] == [("bob", "resume"), ("ann", "halt")]
