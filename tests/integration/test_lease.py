"""One scheduler per account: a live holder keeps the lease, a dead or silent one loses it at once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import update

from oms.domain.values import utcnow
from oms.execution.lease import Lease, LeaseHeld
from oms.store import Ledger
from oms.store.leases import LEASES


def test_a_second_scheduler_is_refused_while_the_first_lives(ledger: Ledger) -> None:
    """A live holder keeps the lease; the second process gets a clear LeaseHeld."""
    first = Lease(ledger, "scheduler:sim:acct")
    first.acquire()
    with pytest.raises(LeaseHeld, match="another OMS scheduler"):
        Lease(ledger, "scheduler:sim:acct").acquire()
    assert first.renew()
    Lease(ledger, "scheduler:sim:other").acquire()  # another account is independent


def test_a_lease_left_by_a_killed_process_is_taken_over_at_once(ledger: Ledger) -> None:
    """When the holder's pid is gone on this host the lease is taken immediately, heartbeat or not."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = Lease(ledger, "scheduler:sim:acct", ttl=timedelta(hours=1))
    dead.acquire()
    with ledger.unit_of_work() as uow:
        uow.connection.execute(update(LEASES).values(pid=child.pid))
        uow.commit()
    successor = Lease(ledger, "scheduler:sim:acct")
    successor.acquire()
    assert not dead.renew()
    assert successor.renew()


def test_an_expired_heartbeat_loses_the_lease(ledger: Ledger) -> None:
    """A holder that stopped renewing (another host, a hung process) is replaced once its lease expires."""
    silent = Lease(ledger, "scheduler:sim:acct")
    silent.acquire()
    with ledger.unit_of_work() as uow:
        uow.connection.execute(
            update(LEASES).values(host="elsewhere", pid=os.getpid(), expires_at=utcnow() - timedelta(seconds=1))
        )
        uow.commit()
    Lease(ledger, "scheduler:sim:acct").acquire()
    assert not silent.renew()


def test_release_frees_the_lease(ledger: Ledger) -> None:
    """A clean exit releases the lease for the next run."""
    lease = Lease(ledger, "scheduler:sim:acct")
    lease.acquire()
    lease.release()
    Lease(ledger, "scheduler:sim:acct").acquire()
