"""Closing a batch after an operator acted on it: a halt's cut leaves it open, a batch cancel ends it cancelled."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oms.domain import BatchStatus
from oms.domain.batch import CANCELLED_BY, HALT_CANCELLED
from oms.execution.cycle import closing
from tests.unit.execution.steps import Steps, steps, validated

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def ended_batch(rig: Steps, **details: str) -> str:
    order = validated()
    order.cancel("ended", at=NOW)
    batch = rig.store(order)
    with rig.ledger.unit_of_work() as uow:
        stored = uow.batches.get(batch.id)
        assert stored is not None
        stored.details = {**stored.details, **details}
        uow.batches.save(stored)
        uow.commit()
    return batch.id


@pytest.mark.parametrize(
    ("details", "status"),
    [
        ({}, BatchStatus.FINISHED),
        ({CANCELLED_BY: "ops"}, BatchStatus.CANCELLED),
        ({HALT_CANCELLED: '["o1"]'}, BatchStatus.EXECUTING),
    ],
)
def test_a_batch_with_nothing_open_closes_as_its_operator_marks_say(
    tmp_path: Path, details: dict[str, str], status: BatchStatus
) -> None:
    """No mark: finished. `oms cancel --batch`: cancelled. A halt's cut: still open until `oms resume` decides."""
    rig = steps(tmp_path, NOW)
    batch_id = ended_batch(rig, **details)
    ctx, report, _ = rig.cycle()
    closing.finish_batches(ctx, report)
    with rig.ledger.reading() as uow:
        stored = uow.batches.get(batch_id)
    assert stored is not None
    assert stored.status is status
