"""Batches in the ledger: add, save (optimistic version check), find, and the open batches of one broker."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from oms.domain import Batch, BatchStatus
from oms.domain.values import utcnow
from oms.store import mapping
from oms.store.errors import ConcurrencyConflict, DuplicateRecord
from oms.store.tables import BatchRow

BATCHES = BatchRow.__table__  # type: ignore[attr-defined]
CLOSED_STATUSES = (BatchStatus.FINISHED.value, BatchStatus.CANCELLED.value)


class Transaction(Protocol):
    """What a repository needs of its unit of work: the connection, and a note of each versioned write."""

    @property
    def connection(self) -> Connection: ...

    def _written(self, obj: Any, version: int, stored_events: int | None = None) -> None: ...


class BatchRepository:
    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    def add(self, batch: Batch) -> None:
        now = utcnow()
        values = {**mapping.batch_values(batch), "id": batch.id, "created_at": batch.created_at}
        try:
            self._uow.connection.execute(insert(BATCHES).values(**values, updated_at=now, version=1))
        except IntegrityError as exc:
            raise DuplicateRecord(f"batch {batch.id} exists") from exc
        self._uow._written(batch, 1)

    def save(self, batch: Batch) -> None:
        result = self._uow.connection.execute(
            update(BATCHES)
            .where(and_(BATCHES.c.id == batch.id, BATCHES.c.version == batch.version))
            .values(**mapping.batch_values(batch), updated_at=utcnow(), version=batch.version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"batch {batch.id} was changed by another process; reload it and retry")
        self._uow._written(batch, batch.version + 1)

    def get(self, batch_id: str) -> Batch | None:
        row = self._uow.connection.execute(select(BATCHES).where(BATCHES.c.id == batch_id)).first()
        return mapping.batch_from_row(row) if row else None

    def by_content_hash(self, content_hash: str, *, broker: str | None = None) -> Batch | None:
        """The newest batch made from the same input (resume it instead of making a second one)."""
        query = select(BATCHES).where(BATCHES.c.content_hash == content_hash)
        if broker is not None:
            query = query.where(BATCHES.c.broker == broker)
        row = self._uow.connection.execute(query.order_by(BATCHES.c.created_at.desc()).limit(1)).first()
        return mapping.batch_from_row(row) if row else None

    def open_for_broker(self, broker: str, *, statuses: Iterable[BatchStatus] | None = None) -> list[Batch]:
        """The batches of `broker` not yet finished or cancelled (only those in `statuses` when given), newest first."""
        query = select(BATCHES).where(and_(BATCHES.c.broker == broker, BATCHES.c.status.notin_(CLOSED_STATUSES)))
        if statuses is not None:
            query = query.where(BATCHES.c.status.in_([s.value for s in statuses]))
        rows = self._uow.connection.execute(query.order_by(BATCHES.c.created_at.desc()))
        return [mapping.batch_from_row(row) for row in rows]

    def list(self, *, open_only: bool = False, limit: int = 50) -> list[Batch]:
        query = select(BATCHES)
        if open_only:
            query = query.where(BATCHES.c.status.notin_(("finished", "cancelled")))
        rows = self._uow.connection.execute(query.order_by(BATCHES.c.created_at.desc()).limit(limit))
        return [mapping.batch_from_row(row) for row in rows]
