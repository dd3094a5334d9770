"""The engine's clock: APScheduler 3 jobs in one asyncio loop, under a lease so one scheduler runs per account.

Jobs: `cycle` (poll reports in one batched call, book fills, look up lost submissions, release waves, finish
batches; every `poll_seconds` while orders work, `idle_poll_seconds` otherwise), `heartbeat` (renew the lease) and
`reconcile` (compare the ledger with the broker). Each job has `max_instances=1` and `coalesce=True`: a slow cycle
is never run twice at once and missed runs collapse into one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from oms.domain.values import utcnow
from oms.execution.engine import CycleReport, ExecutionEngine
from oms.execution.lease import Lease
from oms.execution.settings import ExecutionSettings
from oms.logging import get_logger

log = get_logger("oms.scheduler")


class Stop(StrEnum):
    DONE = "done"
    TIMEOUT = "limit_seconds"
    HALTED = "halted"
    LEASE_LOST = "lease_lost"
    STOPPED = "stopped"  # asked to stop (a signal to `oms daemon`)
    FAILING = "failing"  # `max_cycle_failures` cycles in a row failed: `failure` says why


def is_busy(report: CycleReport) -> bool:
    """Whether the next cycle should come at the fast pace: orders work at the broker, or this cycle just sent some
    (their count in `working` was taken before the release, so a wave's first cycle would otherwise idle)."""
    return report.working > 0 or report.submitted > 0


class EngineScheduler:
    def __init__(
        self,
        engine: ExecutionEngine,
        settings: ExecutionSettings,
        lease: Lease,
        *,
        on_cycle: Callable[[CycleReport], None] | None = None,
        reconcile: Callable[[], Awaitable[object]] | None = None,
        stop_on_halt: bool = True,
        on_failure: Callable[[int, datetime, Exception], None] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.lease = lease
        self.on_cycle = on_cycle
        self.reconcile = reconcile
        # `oms run` stops at a halt; `oms daemon` keeps polling (booking cancels and fills) and waits for a resume.
        self.stop_on_halt = stop_on_halt
        # Told (failures in a row, since when, the error) after each failed cycle: "a cycle keeps failing".
        self.on_failure = on_failure
        self._failing_since = utcnow()
        self._stop: asyncio.Future[Stop] | None = None
        self._until: Callable[[], bool] = lambda: False
        self._fast = True
        self._scheduler: AsyncIOScheduler | None = None
        self.failures = 0  # cycles failed in a row
        self.failure: str | None = None  # the last one's reason, one line

    async def run(self, *, until: Callable[[], bool] | None = None, limit_seconds: float | None = None) -> Stop:
        """Run the jobs until `until()` holds after a cycle, the time limit passes, a halt, or the lease is lost."""
        loop = asyncio.get_running_loop()
        self._stop = loop.create_future()
        self._until = until or (lambda: False)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        self._scheduler = scheduler
        common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        scheduler.add_job(
            self._cycle, "interval", seconds=self.settings.poll_seconds, id="cycle", next_run_time=utcnow(), **common
        )
        scheduler.add_job(
            self._heartbeat, "interval", seconds=self.settings.heartbeat_seconds, id="heartbeat", **common
        )
        if self.reconcile is not None:
            scheduler.add_job(
                self._reconcile, "interval", seconds=self.settings.reconcile_seconds, id="reconcile", **common
            )
        scheduler.start()
        log.info("scheduler.started", lease=self.lease.name, jobs=[job.id for job in scheduler.get_jobs()])
        try:
            return await asyncio.wait_for(asyncio.shield(self._stop), limit_seconds)
        except TimeoutError:
            return Stop.TIMEOUT
        finally:
            scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # let a cancelled job unwind before the loop moves on

    def stop(self) -> None:
        """Stop after the job under way, as a signal asks; `run` returns Stop.STOPPED."""
        self._finish(Stop.STOPPED)

    def _finish(self, why: Stop) -> None:
        if self._stop is not None and not self._stop.done():
            self._stop.set_result(why)

    async def _cycle(self) -> None:
        try:
            report = await self.engine.cycle()
        except Exception as exc:  # a job must not die silently: log it, try again, give up after a bound
            self._failed(exc)
            if self.failures >= self.settings.max_cycle_failures:
                self._finish(Stop.FAILING)
            return
        self.failures = 0
        if self.on_cycle is not None:
            self.on_cycle(report)
        if self.stop_on_halt and self.engine.halted().active:
            self._finish(Stop.HALTED)
        elif self._until():
            self._finish(Stop.DONE)
        self._pace(working=is_busy(report))

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        self.failure = cycle_failure_line(exc)
        log.exception("scheduler.cycle_failed", failures=self.failures, reason=self.failure)
        if self.failures == 1:
            self._failing_since = utcnow()
        if self.on_failure is not None:
            try:
                self.on_failure(self.failures, self._failing_since, exc)
            except Exception:
                log.exception("scheduler.failure_hook_failed")

    def _pace(self, *, working: bool) -> None:
        """Poll fast while orders work at the broker, slowly when nothing does."""
        if working == self._fast or self._scheduler is None:
            return
        self._fast = working
        seconds = self.settings.poll_seconds if working else self.settings.idle_poll_seconds
        self._scheduler.reschedule_job("cycle", trigger="interval", seconds=seconds)

    async def _heartbeat(self) -> None:
        if not await asyncio.to_thread(self.lease.renew):
            log.error("scheduler.lease_lost", lease=self.lease.name)
            self._finish(Stop.LEASE_LOST)

    async def _reconcile(self) -> None:
        if self.reconcile is None:
            return
        try:
            await self.reconcile()
        except Exception:
            log.exception("scheduler.reconcile_failed")


def cycle_failure_line(exc: BaseException) -> str:
    """One line saying why a cycle failed: the exception's type and first line, never a traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
