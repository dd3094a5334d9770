"""A cycle that keeps failing reaches a person: the scheduler counts failures in a row and the notifier tells once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from oms.config import load_settings
from oms.execution.lease import Lease
from oms.execution.scheduler import EngineScheduler
from oms.store import Ledger
from oms.web.notify import failure_notices
from tests.integration.web.test_notifications import Webhook


class BrokenEngine:
    """An engine whose broker is gone: every cycle raises, as a cycle does when its broker call fails."""

    def __init__(self) -> None:
        self.cycles = 0

    async def cycle(self) -> Any:
        self.cycles += 1
        raise ConnectionError("broker unreachable")


async def test_a_streak_of_failed_cycles_is_sent_once(tmp_path: Path) -> None:
    """Many failed cycles in a row: exactly one notice once the threshold (3) is reached."""
    hook = Webhook()
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'oms.db'}")
    try:
        settings = load_settings(notify={"urls": [hook.url], "failing_cycles": 3}, execution={"poll_seconds": 0.02})
        lease = Lease(ledger, "scheduler:sim:sim", ttl=timedelta(seconds=30))
        lease.acquire()
        engine = BrokenEngine()
        scheduler = EngineScheduler(
            engine,  # type: ignore[arg-type]
            settings.execution,
            lease,
            on_failure=failure_notices(settings, ledger, lease.name),
        )
        await scheduler.run(limit_seconds=1.5)
        assert engine.cycles >= 4
        assert hook.titles() == ["OMS: the cycle of scheduler:sim:sim keeps failing"]
        assert "ConnectionError: broker unreachable" in hook.received[0]["message"]
        lease.release()
    finally:
        ledger.close()
        hook.server.shutdown()


def test_no_urls_no_hook(tmp_path: Path) -> None:
    """Without `[notify] urls` the daemon gets no failure hook (nothing to send, nothing written)."""
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'oms.db'}")
    try:
        assert failure_notices(load_settings(), ledger, "scheduler:sim:sim") is None
    finally:
        ledger.close()
