"""A firing of the daemon's schedule on a real simulated account: no batch while every holding is inside its
band; otherwise one batch per firing, held for approval (supervised) or validated to go (auto)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.bootstrap import Wiring, wire
from oms.cli.scheduled import ScheduledRebalances
from oms.config import load_settings
from oms.domain import BatchStatus
from oms.domain.market import Portfolio, Position
from oms.planning.schedule import RebalanceSchedule
from oms.planning.settings import ScheduleSettings

FIRED = datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("America/New_York"))
HOLDINGS = Portfolio(Decimal(30_000), {"SPY": Position("SPY", Decimal(20)), "AGG": Position("AGG", Decimal(120))})


@pytest.fixture
def account(tmp_path: Path) -> Iterator[Wiring]:
    settings = load_settings(
        None,
        data_dir=str(tmp_path),
        sim={"speed": 60.0, "seed": 5, "start_date": "2026-03-02", "start_time": "10:00", "opening_positions": ""},
        rebalance={"band_absolute": "0.05"},
    )
    wiring = wire(settings, broker_name="sim", mode="paper", actor="test", opening=HOLDINGS)
    yield wiring
    asyncio.run(wiring.broker.close())
    wiring.ledger.close()


def loop(wiring: Wiring, targets: Path, approval: str) -> ScheduledRebalances:
    settings = ScheduleSettings(enabled=True, targets=targets, approval=approval)  # type: ignore[arg-type]
    log = wiring.settings.data_path / "schedule.jsonl"
    return ScheduledRebalances(
        wiring, settings, "paper", RebalanceSchedule(settings.cron), log, announce=lambda _: None
    )


def targets(tmp_path: Path, spy: str, agg: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(f"[targets]\nSPY = {spy}\nAGG = {agg}\n", encoding="utf-8")
    return path


def weights(wiring: Wiring) -> tuple[Decimal, Decimal]:
    spy, agg = wiring.master.security("SPY"), wiring.master.security("AGG")
    assert spy is not None
    assert agg is not None
    nav = HOLDINGS.cash + 20 * spy.last_price + 120 * agg.last_price
    return (20 * spy.last_price / nav).quantize(Decimal("0.01")), (120 * agg.last_price / nav).quantize(Decimal("0.01"))


def test_no_batch_while_every_holding_is_inside_its_band(account: Wiring, tmp_path: Path) -> None:
    spy, agg = weights(account)
    scheduled = loop(account, targets(tmp_path, str(spy), str(agg)), "auto")
    assert asyncio.run(scheduled.fire(FIRED)) is None
    [record] = [json.loads(line) for line in (tmp_path / "schedule.jsonl").read_text().splitlines()]
    assert record["batch"] is None
    assert record["note"] == "every holding inside its band"
    assert Decimal(record["drift_before"]) < Decimal("0.05")


def test_supervised_firing_holds_the_batch_for_approval_and_runs_once_per_slot(account: Wiring, tmp_path: Path) -> None:
    scheduled = loop(account, targets(tmp_path, "0.05", "0.05"), "supervised")
    batch_id = asyncio.run(scheduled.fire(FIRED))
    assert batch_id is not None
    batch = account.engine.find_batch(batch_id)
    assert batch.status is BatchStatus.AWAITING_APPROVAL
    assert {o.symbol for o in account.engine.batch_orders(batch_id)} == {"SPY", "AGG"}
    assert asyncio.run(scheduled.fire(FIRED)) == batch_id  # the same slot again (a restart): the same batch


def test_auto_firing_validates_the_batch_to_go(account: Wiring, tmp_path: Path) -> None:
    scheduled = loop(account, targets(tmp_path, "0.05", "0.05"), "auto")
    batch_id = asyncio.run(scheduled.fire(FIRED))
    assert batch_id is not None
    assert account.engine.find_batch(batch_id).status is not BatchStatus.AWAITING_APPROVAL
