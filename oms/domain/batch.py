"""A batch: one rebalance run, the persisted parent of its orders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from oms.domain.values import require_aware, utcnow


class BatchStatus(StrEnum):
    PLANNED = "planned"
    AWAITING_APPROVAL = "awaiting_approval"
    EXECUTING = "executing"
    FINISHED = "finished"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self not in (BatchStatus.FINISHED, BatchStatus.CANCELLED)


# Batch details an operator's action writes, read by the cycle that closes batches.
HALT_CANCELLED = "halt_cancelled"  # the orders a halt cancelled: not finished until `oms resume` resends or abandons
CANCELLED_BY = "cancelled_by"  # `oms cancel --batch`: the batch ends cancelled once its last working order ended


@dataclass(eq=False)
class Batch:
    """The parent of the orders one run produced; `content_hash` makes re-running the same input resume it."""

    id: str
    created_at: datetime
    source: str = ""
    content_hash: str = ""
    mode: str = "paper"
    broker: str = "sim"
    account: str = ""
    supervised: bool = False
    status: BatchStatus = BatchStatus.PLANNED
    details: dict[str, str] = field(default_factory=dict)
    version: int = 0

    @classmethod
    def create(cls, *, at: datetime | None = None, batch_id: str | None = None, **fields: object) -> Batch:
        return cls(
            id=batch_id or new_batch_id(),
            created_at=require_aware(at or utcnow(), "created_at"),
            **fields,  # type: ignore[arg-type]
        )


def new_batch_id() -> str:
    """A short, sortable-enough id; client order ids are built from it, so it must stay short."""
    return "b" + uuid.uuid4().hex[:11]
