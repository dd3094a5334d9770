"""Switches (the kill switch of an account) and the audit log of what people did to the system."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update

from oms.domain.values import utcnow
from oms.store.batches import Transaction
from oms.store.tables import AuditRow, ControlRow

AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
CONTROLS = ControlRow.__table__  # type: ignore[attr-defined]


class Switch(NamedTuple):
    """A switch's stored value, and who set it when."""

    value: dict[str, Any]
    updated_by: str
    updated_at: datetime


class ControlRepository:
    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    def get(self, key: str) -> Switch | None:
        row = self._uow.connection.execute(select(CONTROLS).where(CONTROLS.c.key == key)).first()
        return None if row is None else Switch(dict(row.value), row.updated_by, row.updated_at)

    def keys_on(self, prefix: str) -> list[str]:
        """The keys starting with `prefix` whose switch is on (`value["active"]`), in key order."""
        rows = self._uow.connection.execute(
            select(CONTROLS.c.key, CONTROLS.c.value).where(CONTROLS.c.key.startswith(prefix)).order_by(CONTROLS.c.key)
        )
        return [row.key for row in rows if dict(row.value).get("active")]

    def put(self, key: str, value: dict[str, Any], *, actor: str) -> None:
        """Set a switch (insert or replace), recording who set it now."""
        now = utcnow()
        changed = self._uow.connection.execute(
            update(CONTROLS).where(CONTROLS.c.key == key).values(value=value, updated_at=now, updated_by=actor)
        )
        if changed.rowcount == 0:
            self._uow.connection.execute(
                insert(CONTROLS).values(key=key, value=value, updated_at=now, updated_by=actor)
            )


class AuditRepository:
    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    def record(self, actor: str, action: str, subject: str = "", **details: Any) -> None:
        """Append one row to the audit log (in this unit of work's transaction)."""
        self._uow.connection.execute(
            insert(AUDIT).values(at=utcnow(), actor=actor, action=action, subject=subject, details=details)
        )

    def entries(self, *, subject: str | None = None, limit: int = 100) -> list[Any]:
        """The newest entries first, of one subject when given."""
        query = select(AUDIT)
        if subject is not None:
            query = query.where(AUDIT.c.subject == subject)
        return list(self._uow.connection.execute(query.order_by(AUDIT.c.id.desc()).limit(limit)))
