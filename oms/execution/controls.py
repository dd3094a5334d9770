"""The kill switch and the audit log of actions people take on the system (approve, halt, resume)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from oms.domain.values import utcnow
from oms.store import UnitOfWork
from oms.store.tables import AuditRow, ControlRow

AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
CONTROLS = ControlRow.__table__  # type: ignore[attr-defined]
# Batch detail: the orders a halt cancelled; the batch is not finished until `oms resume` resends or abandons them.
HALT_CANCELLED = "halt_cancelled"


@dataclass(frozen=True)
class Halt:
    active: bool
    by: str = ""
    at: datetime | None = None
    reason: str = ""


def halt_key(broker: str, account: str) -> str:
    return f"halt:{broker}:{account or 'default'}"


def record(uow: UnitOfWork, actor: str, action: str, subject: str = "", **details: Any) -> None:
    """Append one row to the audit log (in the caller's transaction)."""
    uow.connection.execute(
        insert(AUDIT).values(at=utcnow(), actor=actor, action=action, subject=subject, details=details)
    )


def halt_state(uow: UnitOfWork, broker: str, account: str) -> Halt:
    row = uow.connection.execute(select(CONTROLS).where(CONTROLS.c.key == halt_key(broker, account))).first()
    if row is None or not row.value.get("active"):
        return Halt(active=False)
    return Halt(active=True, by=row.updated_by, at=row.updated_at, reason=str(row.value.get("reason", "")))


def set_halt(uow: UnitOfWork, broker: str, account: str, *, active: bool, actor: str, reason: str = "") -> None:
    """Turn the kill switch on or off, and record who and when."""
    key = halt_key(broker, account)
    value = {"active": active, "reason": reason}
    now = utcnow()
    changed = uow.connection.execute(
        update(CONTROLS).where(CONTROLS.c.key == key).values(value=value, updated_at=now, updated_by=actor)
    )
    if changed.rowcount == 0:
        uow.connection.execute(insert(CONTROLS).values(key=key, value=value, updated_at=now, updated_by=actor))
    record(uow, actor, "halt" if active else "resume", key, reason=reason)


def halted_keys(uow: UnitOfWork) -> list[str]:
    """The kill switches that are on now, as `halt:<broker>:<account>` keys."""
    rows = uow.connection.execute(select(CONTROLS).where(CONTROLS.c.key.like("halt:%")))
    return [row.key for row in rows if row.value.get("active")]


def audit_entries(uow: UnitOfWork, *, subject: str | None = None, limit: int = 100) -> list[Any]:
    query = select(AUDIT)
    if subject is not None:
        query = query.where(AUDIT.c.subject == subject)
    return list(uow.connection.execute(query.order_by(AUDIT.c.id.desc()).limit(limit)))
