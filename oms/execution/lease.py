"""One active scheduler per account and database, with immediate takeover from a crashed holder.

The lease is a row. A holder renews its heartbeat while it runs. Another process may take the lease when the holder
is provably gone: same host and its pid no longer exists (a SIGKILLed run restarted right away resumes at once), or
its heartbeat expired (a holder on another host, or a hung one).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from oms.domain.values import utcnow
from oms.store import DuplicateRecord, Ledger


class LeaseHeld(Exception):
    """Another live process holds the lease."""

    def __init__(self, name: str, holder: str, host: str, pid: int, heartbeat_at: datetime) -> None:
        super().__init__(
            f"another OMS scheduler (pid {pid} on {host}) is running for {name}; "
            f"last heartbeat {heartbeat_at:%H:%M:%S} UTC. Stop it, or wait for it to finish"
        )
        self.holder = holder


@dataclass
class Lease:
    ledger: Ledger
    name: str
    ttl: timedelta = timedelta(seconds=30)
    holder: str = ""

    def __post_init__(self) -> None:
        self.holder = self.holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def acquire(self) -> None:
        """Take the lease or raise LeaseHeld. Takes over at once from a dead holder on this host."""
        now = utcnow()
        host, pid = socket.gethostname(), os.getpid()
        with self.ledger.unit_of_work() as uow:
            row = uow.leases.get(self.name)
            fresh = {
                "holder": self.holder,
                "host": host,
                "pid": pid,
                "acquired_at": now,
                "heartbeat_at": now,
                "expires_at": now + self.ttl,
            }
            if row is None:
                try:
                    uow.leases.add(self.name, **fresh)
                except DuplicateRecord:
                    raise LeaseHeld(self.name, "?", "?", 0, now) from None
            elif (row.holder != self.holder and not _abandoned(row, now)) or not uow.leases.take_over(
                self.name, row.holder, **fresh
            ):
                raise LeaseHeld(self.name, row.holder, row.host, row.pid, row.heartbeat_at)
            uow.commit()

    def renew(self) -> bool:
        """Push the expiry forward; False when the lease was lost (someone took it over)."""
        now = utcnow()
        with self.ledger.unit_of_work() as uow:
            renewed = uow.leases.renew(self.name, self.holder, heartbeat_at=now, expires_at=now + self.ttl)
            uow.commit()
        return renewed

    def release(self) -> None:
        with self.ledger.unit_of_work() as uow:
            uow.leases.remove(self.name, self.holder)
            uow.commit()


def _abandoned(row: object, now: datetime) -> bool:
    if getattr(row, "expires_at") <= now:  # noqa: B009 - a Row, not a typed object
        return True
    return getattr(row, "host") == socket.gethostname() and not _pid_alive(int(getattr(row, "pid")))  # noqa: B009


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed, not yet reaped by its parent) is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True
