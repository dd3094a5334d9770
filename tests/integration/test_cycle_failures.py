"""A cycle that keeps failing stops the run after a bound, with its reason on one line and the traceback logged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oms.execution.engine import ExecutionEngine
from oms.execution.lease import Lease
from oms.execution.riskgate import RiskGate
from oms.execution.scheduler import EngineScheduler, Stop
from oms.execution.settings import ExecutionSettings
from oms.logging import configure
from oms.ports import BrokerRejected
from tests.integration.engine_rig import Rig, build_rig


class ActivitiesGone:
    """The real simulated broker, except that every read of executions fails as Alpaca's did with a 404."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def fill_reports(self, **_: Any) -> Any:
        raise BrokerRejected("alpaca: 404 on GET /v2/account/activities/FILL: endpoint not found.", code="HTTP_404")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    rig = build_rig(tmp_path, cash=Decimal(50_000), holdings=[("SPY", Decimal(100))])
    yield rig
    rig.close()


async def test_repeated_cycle_failures_stop_the_run_with_the_reason(rig: Rig, tmp_path: Path) -> None:
    log_file = tmp_path / "oms.jsonl"
    configure("info", log_file, console=False)
    await rig.start_batch("symbol,action,shares\nSPY,SELL,10\n")
    await rig.engine.cycle()  # the order goes out, so the next polls read executions
    settings = ExecutionSettings(poll_seconds=0.01, max_cycle_failures=4)
    broker = ActivitiesGone(rig.broker)
    engine = ExecutionEngine(
        rig.ledger,
        broker,
        market=rig.master,
        risk=RiskGate(rig.ledger, broker, rig.master, rig.limits),
        settings=settings,
        account="sim",
    )
    lease = Lease(rig.ledger, "scheduler:sim:test")
    lease.acquire()
    scheduler = EngineScheduler(engine, settings, lease)
    started = time.monotonic()
    stop = await scheduler.run(limit_seconds=30)
    assert stop is Stop.FAILING
    assert time.monotonic() - started < 10  # not the run's timeout
    assert scheduler.failures == 4
    assert scheduler.failure == "BrokerRejected: alpaca: 404 on GET /v2/account/activities/FILL: endpoint not found."
    failed = [json.loads(line) for line in log_file.read_text().splitlines() if "cycle_failed" in line]
    assert len(failed) == 4
    # The traceback is inside the JSON line, as structured frames (no local variables: they may hold secrets).
    (exception,) = failed[0]["exception"]
    assert exception["exc_type"] == "BrokerRejected"
    assert exception["frames"], "the frames of the traceback are in the line"
    assert "exc_info" not in failed[0]
