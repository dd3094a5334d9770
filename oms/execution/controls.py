"""The kill switch of an account, and the audit log of what people do to the system (approve, halt, resume).

The rows live behind `uow.controls` and `uow.audit` (oms/store/controls.py); this module says what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms.domain import batch as batch_details
from oms.store import UnitOfWork

# Batch detail: the orders a halt cancelled; the batch is not finished until `oms resume` resends or abandons them.
HALT_CANCELLED = batch_details.HALT_CANCELLED


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
    uow.audit.record(actor, action, subject, **details)


def halt_state(uow: UnitOfWork, broker: str, account: str) -> Halt:
    switch = uow.controls.get(halt_key(broker, account))
    if switch is None or not switch.value.get("active"):
        return Halt(active=False)
    return Halt(active=True, by=switch.updated_by, at=switch.updated_at, reason=str(switch.value.get("reason", "")))


def set_halt(uow: UnitOfWork, broker: str, account: str, *, active: bool, actor: str, reason: str = "") -> None:
    """Turn the kill switch on or off, and record who and when."""
    key = halt_key(broker, account)
    uow.controls.put(key, {"active": active, "reason": reason}, actor=actor)
    record(uow, actor, "halt" if active else "resume", key, reason=reason)


def halted_keys(uow: UnitOfWork) -> list[str]:
    """The kill switches that are on now, as `halt:<broker>:<account>` keys."""
    return uow.controls.keys_on("halt:")


def audit_entries(uow: UnitOfWork, *, subject: str | None = None, limit: int = 100) -> list[Any]:
    return uow.audit.entries(subject=subject, limit=limit)
