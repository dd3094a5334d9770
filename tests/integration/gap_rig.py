"""An engine on a real broker adapter (IB on the fake gateway, Alpaca on the emulator) with one order in flight,
its clock in the test's hands: enough to watch fill-gap repair cycle by cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from oms.domain import Order
from oms.domain.values import utcnow
from oms.execution.engine import ExecutionEngine
from oms.execution.riskgate import RiskGate
from oms.execution.settings import ExecutionSettings
from oms.ports import OrderRequest
from tests.integration.engine_rig import Rig, build_rig


@dataclass
class GapRig:
    rig: Rig
    engine: ExecutionEngine
    now: list[datetime]

    def advance(self, seconds: float) -> None:
        self.now[0] += timedelta(seconds=seconds)

    async def cycles(self, count: int, every: float) -> None:
        for _ in range(count):
            await self.engine.cycle()
            self.advance(every)

    def order(self, coid: str) -> Order:
        return self.engine.find_order(coid)

    def close(self) -> None:
        self.rig.close()


def gap_rig(workdir: Path, broker: Any, *, fill_gap_seconds: float = 5.0) -> GapRig:
    rig = build_rig(workdir, cash=Decimal(1_000_000), holdings=[])
    now = [utcnow()]
    settings = ExecutionSettings(in_flight_seconds=3600, fill_gap_seconds=fill_gap_seconds)
    risk = RiskGate(rig.ledger, broker, rig.master, rig.limits)
    engine = ExecutionEngine(
        rig.ledger, broker, market=rig.master, risk=risk, settings=settings, account="test", clock=lambda: now[0]
    )
    return GapRig(rig, engine, now)


async def send_tracked(gap: GapRig, request: OrderRequest) -> Order:
    """Record an unbatched order as the engine does (write-ahead, then send), and send it through the adapter."""
    order = Order.create(
        request.symbol,
        request.side,
        request.quantity,
        request.order_type,
        request.limit_price,
        time_in_force=request.time_in_force,
        broker=gap.engine.broker.name,
        at=gap.now[0] - timedelta(seconds=1),
    )
    order.validate(at=gap.now[0])
    order.submit(request.client_order_id, at=gap.now[0])
    with gap.rig.ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    await gap.engine.broker.submit(request)
    return order
