"""The real engine on a real simulated venue in one process, with a venue clock the test moves.

Built the way `oms.bootstrap.wire` builds it (ledger, sim broker, risk gate, engine), except that the venue's wall
clock is a `FakeWall`: simulated time passes only when the test says so, so what fills when is deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from adapters.registry import make_broker
from adapters.sim import SimulatedBroker, SimVenue
from oms.config import Settings, load_settings
from oms.domain import Batch, Order
from oms.domain.market import Portfolio, Position
from oms.execution.engine import CycleReport, ExecutionEngine
from oms.execution.identity import content_hash
from oms.execution.riskgate import RiskGate
from oms.planning.intake import load_recommendations
from oms.planning.plan import build_plan
from oms.planning.securities import SecurityMaster
from oms.planning.settings import PlanningSettings
from oms.risk.limits import RiskLimits, load_limits
from oms.store import Ledger
from tests.integration.venues.conftest import FakeWall


@dataclass
class Rig:
    settings: Settings
    master: SecurityMaster
    limits: RiskLimits
    ledger: Ledger
    broker: SimulatedBroker
    engine: ExecutionEngine
    wall: FakeWall
    workdir: Path

    @property
    def venue(self) -> SimVenue:
        return self.broker.venue

    async def start_batch(self, trades: str) -> Batch:
        """Plan a trade list (CSV text), store it as a batch and validate it, as `oms run` does."""
        path = self.workdir / f"trades-{len(list(self.workdir.glob('trades-*.csv')))}.csv"
        path.write_text(trades)
        plan = build_plan(load_recommendations(path, self.master), None, self.master, PlanningSettings())
        batch, _ = self.engine.create_batch(
            plan, source=str(path), content_hash=content_hash(trades), mode="paper", supervised=False
        )
        return await self.engine.validate_batch(batch.id)

    async def cycle(self, *, advance: float = 0.0) -> CycleReport:
        """Move the venue's clock by `advance` real seconds, then run one engine cycle."""
        self.wall.advance(advance)
        return await self.engine.cycle()

    def orders(self, batch: Batch) -> dict[str, Order]:
        return {o.symbol: o for o in self.engine.batch_orders(batch.id)}

    def cash_and_floor(self) -> tuple[Decimal, Decimal]:
        """The venue's cash now, and the floor: `min_cash_pct` of the account's value at the venue's prices."""
        account = self.venue.account()
        return account.cash, account.equity * self.limits.min_cash_pct

    def close(self) -> None:
        self.venue.close()
        self.ledger.close()


def build_rig(
    workdir: Path,
    *,
    cash: Decimal,
    holdings: Iterable[tuple[str, Decimal]],
    sim: dict[str, object] | None = None,
    execution: dict[str, object] | None = None,
) -> Rig:
    """An engine on a fresh ledger and venue in `workdir`, the venue opening with `cash` and `holdings`."""
    # The venue's clock starts at the real time: the engine asks for reports since its own (real) submit times.
    wall = FakeWall(time.time())
    sim_table = {"speed": 60.0, "seed": 5, "start_date": "2026-03-02", "start_time": "10:00", **(sim or {})}
    settings = load_settings(
        None,
        data_dir=str(workdir),
        sim=sim_table,
        execution={"in_flight_seconds": 3600, **(execution or {})},
        risk={"stale_price_minutes": 100_000},
    )
    master = SecurityMaster.load(PlanningSettings.from_settings(settings).securities)
    limits = load_limits(settings)
    ledger = Ledger.open(f"sqlite:///{workdir / 'oms.db'}")
    opening = Portfolio(
        cash=cash,
        positions={s: Position(s, q, master.security(s).last_price) for s, q in holdings},  # type: ignore[union-attr]
    )
    broker = make_broker("sim", settings, data_dir=workdir, opening=opening, wall=wall, securities=list(master))
    assert isinstance(broker, SimulatedBroker)
    execution_settings = settings.execution
    risk = RiskGate(ledger, broker, master, limits, market_buy_buffer_pct=execution_settings.market_buy_buffer_pct)
    engine = ExecutionEngine(ledger, broker, market=master, risk=risk, settings=execution_settings, account="sim")
    return Rig(settings, master, limits, ledger, broker, engine, wall, workdir)
