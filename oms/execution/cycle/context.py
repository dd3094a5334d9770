"""What one cycle (or one operator action) works with: the engine's parts, read once, handed to every step."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oms.domain import Batch, Order
from oms.execution.algos.settings import AlgoSettings
from oms.execution.algos.volume_profile import TradingSession
from oms.execution.riskgate import RiskGate
from oms.execution.settings import ExecutionSettings
from oms.ports import Broker, MarketData
from oms.store import ConcurrencyConflict, Ledger


class BatchNotFound(Exception):
    """No batch (or order) with that id or prefix in the ledger."""


@dataclass
class CycleReport:
    """What one engine cycle did, for the progress display and the logs."""

    broker_calls: int = 0
    fills_booked: int = 0
    duplicate_fills: int = 0
    submitted: int = 0
    rejected: int = 0
    finished_batches: list[str] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    working: int = 0


class VenueClock:
    """The venue's own now (the simulator runs ahead of the wall clock), asked of the broker when a step needs it.

    A fast simulator's clock moves minutes while one cycle runs, so a step that schedules (expiry, splitting,
    working parents) reads it afresh rather than trusting an earlier step's reading; `known` is the last reading.
    """

    def __init__(self, broker: Broker, clock: Callable[[], datetime], report: CycleReport) -> None:
        self._broker = broker
        self._clock = clock
        self._report = report
        self._read: tuple[datetime, TradingSession | None] | None = None

    @property
    def known(self) -> datetime | None:
        """The venue time last read this cycle, else None (nothing needed it yet)."""
        return self._read[0] if self._read else None

    async def read(self) -> tuple[datetime, TradingSession | None]:
        """Return the venue's now and the regular session it is in (None outside one, or without a venue clock)."""
        self._report.broker_calls += 1
        clock = await self._broker.clock()
        if clock is None:
            self._read = (self._clock(), None)
        else:
            session = None
            if clock.is_open and clock.next_close is not None:
                opened = min(clock.at, clock.next_close - timedelta(hours=6, minutes=30))
                session = TradingSession(open=opened, close=clock.next_close)
            self._read = (clock.at, session)
        return self._read


@dataclass(frozen=True)
class CycleContext:
    """The inputs of the steps: the ledger, the broker account, the settings, the clocks and the calendar."""

    ledger: Ledger
    broker: Broker
    market: MarketData
    risk: RiskGate
    settings: ExecutionSettings
    algos: AlgoSettings
    account: str
    actor: str
    clock: Callable[[], datetime]
    venue: VenueClock
    # The exchange calendar (None when not wired): the authority for venues without a clock of their own.
    calendar: Callable[[], Any]
    # Per batch: whether fills arrived since its waiting buys were last weighed against the cash (engine memory).
    new_fills: dict[str, bool]
    # Per client order id: a gap between the broker's filled quantity and the booked fills (fill_gaps.Gap), kept
    # between cycles so its age can be told (engine memory).
    fill_gaps: dict[str, Any]
    # Whether this process may send orders of a batch (`oms run` works its own batch only, `oms daemon` those
    # submitted for it). Booking fills and reports is never limited by it.
    works: Callable[[Batch | None], bool] = lambda _batch: True

    def save_all(self, orders: Iterable[Order]) -> None:
        with self.ledger.unit_of_work() as uow:
            for order in orders:
                uow.orders.save(order)
            uow.commit()

    def update_order(self, order_id: str, change: Callable[[Order], object], attempts: int = 5) -> Order:
        """Apply `change` to the freshest copy of an order and commit; retry on a version conflict."""
        for _ in range(attempts):
            with self.ledger.unit_of_work() as uow:
                order = uow.orders.get(order_id)
                if order is None:
                    raise BatchNotFound(f"order {order_id} vanished from the ledger")
                change(order)
                try:
                    uow.orders.save(order)
                    uow.commit()
                except ConcurrencyConflict:
                    continue
                return order
        raise ConcurrencyConflict(f"order {order_id}: gave up after {attempts} conflicting writers")
