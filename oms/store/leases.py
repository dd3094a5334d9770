"""The lease rows that keep one scheduler per account and database (the policy is in oms.execution.lease)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from oms.store.batches import Transaction
from oms.store.errors import DuplicateRecord
from oms.store.tables import LeaseRow

LEASES = LeaseRow.__table__  # type: ignore[attr-defined]


class LeaseRepository:
    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    def get(self, name: str) -> Any:
        """The lease row called `name` (holder, host, pid, heartbeat_at, expires_at), or None."""
        return self._uow.connection.execute(select(LEASES).where(LEASES.c.name == name)).first()

    def add(self, name: str, **fields: Any) -> None:
        """Take a lease nobody holds; DuplicateRecord when another process took it first."""
        try:
            self._uow.connection.execute(insert(LEASES).values(name=name, **fields))
        except IntegrityError as exc:
            raise DuplicateRecord(f"lease {name} exists") from exc

    def take_over(self, name: str, from_holder: str, **fields: Any) -> bool:
        """Replace the lease of `from_holder`; False when it changed hands meanwhile."""
        taken = self._uow.connection.execute(
            update(LEASES).where(and_(LEASES.c.name == name, LEASES.c.holder == from_holder)).values(**fields)
        )
        return bool(taken.rowcount == 1)

    def renew(self, name: str, holder: str, *, heartbeat_at: datetime, expires_at: datetime) -> bool:
        """Push the expiry forward; False when `holder` no longer holds it."""
        result = self._uow.connection.execute(
            update(LEASES)
            .where(and_(LEASES.c.name == name, LEASES.c.holder == holder))
            .values(heartbeat_at=heartbeat_at, expires_at=expires_at)
        )
        return bool(result.rowcount == 1)

    def remove(self, name: str, holder: str) -> None:
        self._uow.connection.execute(delete(LEASES).where(and_(LEASES.c.name == name, LEASES.c.holder == holder)))
