"""Scheduled rebalances inside `oms daemon` (the `[schedule]` table; oms/planning/schedule.py has the rule).

At each firing time the daemon reads the account (positions, cash) and the broker's quotes, measures every
holding's drift against the targets file, and when some holding is outside its band it plans the rebalance and
stores it as a batch: held for `oms approve` (`approval = "supervised"`) or sent straight through (`"auto"`). The
daemon's own cycle then works the batch. Each firing is written to `schedule.jsonl` in the data folder (the
drift before, the batch, and the drift once the batch has finished), which `scripts/paper_campaign.py` reads.
The batch's content hash includes the firing time, so a restarted daemon never makes a second batch for it.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from oms.domain.market import Portfolio
from oms.execution.identity import content_hash
from oms.logging import get_logger
from oms.planning.drift import Bands, drift_table
from oms.planning.errors import IntakeError
from oms.planning.plan import build_plan
from oms.planning.rebalance import rebalance
from oms.planning.reference import ReferenceCache, build_master
from oms.planning.schedule import EXCHANGE_TIME, RebalanceSchedule
from oms.planning.securities import SecurityMaster
from oms.planning.settings import ScheduleSettings
from oms.planning.sources import portfolio_from_broker
from oms.planning.targets import CASH, load_targets
from oms.ports import BrokerError

log = get_logger("oms.schedule")
LOG_FILE = "schedule.jsonl"


@dataclass
class ScheduledRebalances:
    """The daemon's scheduled-rebalance loop for one account (`run()` until cancelled)."""

    wiring: Any
    settings: ScheduleSettings
    mode: str
    schedule: RebalanceSchedule
    log_path: Path
    announce: Any = print
    pending: dict[str, datetime] = field(default_factory=dict)  # batch id -> firing time, until it finishes
    weights: dict[str, Decimal] = field(default_factory=dict)  # the last targets after the allocation limits

    @classmethod
    def build(cls, wiring: Any, settings: ScheduleSettings, *, mode: str, announce: Any = print) -> ScheduledRebalances:
        from oms.risk.calendar import TradingCalendar

        calendar = TradingCalendar(wiring.limits.exchange)
        log_path = wiring.settings.data_path / LOG_FILE
        return cls(wiring, settings, mode, RebalanceSchedule(settings.cron, calendar), log_path, announce)

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad firing must not stop the daemon: log it, try at the next
                log.exception("schedule.failed")
            await asyncio.sleep(self.settings.check_seconds)

    async def tick(self) -> None:
        now = await self._venue_now()
        await self._close_finished(now)
        fired = self.schedule.due(now)
        if fired is not None:
            await self.fire(fired)

    async def fire(self, fired: datetime) -> str | None:
        """Rebalance now if some holding is outside its band; return the batch id made, if any."""
        wiring = self.wiring
        targets = load_targets(self.settings.targets)
        portfolio, master = await self._read_account(set(targets) - {CASH})
        bands = Bands(wiring.planning.rebalance.band_absolute, wiring.planning.rebalance.band_relative)
        result = rebalance(targets, portfolio, master, wiring.planning.rebalance, places={})
        self.weights = result.weights  # the targets after the limits: drift is measured against these
        before = _max_drift(portfolio, master, result.weights, bands)
        record: dict[str, Any] = {"fired_at": fired.isoformat(), "drift_before": str(before["max"]), "batch": None}
        if not before["outside"]:
            record["note"] = "every holding inside its band"
            self._write(record)
            self.announce(f"{_local(fired)}: every holding is inside its band; no rebalance")
            return None
        if not result.recommendations:
            record["note"] = "nothing to trade after limits and minimum sizes"
            self._write(record)
            return None
        plan = build_plan(result.recommendations, portfolio, master, wiring.planning)
        digest = content_hash(self.settings.targets.read_bytes(), fired.isoformat(), self.mode, wiring.broker.name)
        supervised = self.settings.approval == "supervised"
        batch, created = wiring.engine.create_batch(
            plan,
            source=f"schedule:{self.settings.targets}",
            content_hash=digest,
            mode=self.mode,
            supervised=supervised,
            auto=not supervised,
        )
        if created:
            batch = await wiring.engine.validate_batch(batch.id)
        self.pending[batch.id] = fired
        record |= {"batch": batch.id, "orders": len(plan.orders), "status": batch.status.value}
        self._write(record)
        waits = "; it waits for `oms approve`" if batch.status.value == "awaiting_approval" else ""
        self.announce(f"{_local(fired)}: scheduled rebalance batch {batch.id}, {len(plan.orders)} orders{waits}")
        return str(batch.id)

    async def _close_finished(self, now: datetime) -> None:
        for batch_id, fired in list(self.pending.items()):
            if [o for o in self.wiring.engine.batch_orders(batch_id) if o.is_open]:
                continue
            del self.pending[batch_id]
            portfolio, master = await self._read_account(set(self.weights))
            rebalance_settings = self.wiring.planning.rebalance
            bands = Bands(rebalance_settings.band_absolute, rebalance_settings.band_relative)
            after = _max_drift(portfolio, master, self.weights, bands)
            record = {"fired_at": fired.isoformat(), "batch": batch_id, "drift_after": str(after["max"])}
            self._write(record | {"finished_at": now.isoformat()})

    async def _read_account(self, symbols: set[str]) -> tuple[Portfolio, SecurityMaster]:
        from oms.bootstrap import make_reference

        broker = self.wiring.broker
        try:
            portfolio = await portfolio_from_broker(broker)
            master = await build_master(
                symbols | set(portfolio.positions),
                user=self.wiring.master,
                reference=make_reference(broker, self.wiring.settings),
                cache=ReferenceCache.in_folder(self.wiring.settings.data_path),
                settings=self.wiring.settings.reference,
            )
        except (BrokerError, IntakeError) as exc:
            log.warning("schedule.account_unreadable", error=str(exc)[:300])
            raise
        return portfolio, master

    async def _venue_now(self) -> datetime:
        clock = await self.wiring.broker.clock()
        return clock.at if clock is not None else datetime.now(UTC)

    def _write(self, record: dict[str, Any]) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")


def _max_drift(
    portfolio: Portfolio, master: SecurityMaster, targets: dict[str, Decimal], bands: Bands
) -> dict[str, Any]:
    _, rows = drift_table(portfolio, master, targets, bands)
    largest = max((abs(row.drift) for row in rows), default=Decimal(0))
    return {"max": largest.quantize(Decimal("0.000001")), "outside": any(row.outside for row in rows)}


def _local(at: datetime) -> str:
    return at.astimezone(EXCHANGE_TIME).strftime("%Y-%m-%d %H:%M %Z")
