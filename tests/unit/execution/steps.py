"""Plain inputs for the cycle's steps: a real SQLite ledger, a `FakeBroker`, fixed quotes, a clock the test sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from oms.domain import Batch, BatchStatus, Order
from oms.domain.market import Quote, Security
from oms.execution.algos.settings import AlgoSettings
from oms.execution.cycle.context import CycleContext, CycleReport, VenueClock
from oms.execution.cycle.sender import OrderSender
from oms.execution.settings import ExecutionSettings
from oms.store import Ledger
from tests.fakes.fake_broker import FakeBroker


@dataclass
class Quotes:
    """MarketData with one fixed price per symbol."""

    prices: dict[str, Decimal] = field(default_factory=dict)
    at: datetime | None = None

    def security(self, symbol: str) -> Security | None:
        return None

    def quote(self, symbol: str) -> Quote | None:
        price = self.prices.get(symbol)
        return None if price is None or self.at is None else Quote(symbol, price, self.at)


@dataclass
class Steps:
    """What a step is handed, rebuilt per cycle as the engine does: `ctx`, `report`, `sender`."""

    ledger: Ledger
    broker: FakeBroker
    now: datetime
    settings: ExecutionSettings = field(default_factory=ExecutionSettings)
    calendar: Any = None
    new_fills: dict[str, bool] = field(default_factory=dict)
    fill_gaps: dict[str, Any] = field(default_factory=dict)

    def cycle(self) -> tuple[CycleContext, CycleReport, OrderSender]:
        report = CycleReport()
        clock: Callable[[], datetime] = lambda: self.now  # noqa: E731 - read at call time: tests move `now`
        ctx = CycleContext(
            ledger=self.ledger,
            broker=self.broker,
            market=Quotes({"AAPL": Decimal("150")}, self.now),
            risk=cast(Any, None),  # the steps tested here never weigh risk
            settings=self.settings,
            algos=AlgoSettings(),
            account="test",
            actor="test",
            clock=clock,
            venue=VenueClock(self.broker, clock, report),
            calendar=lambda: self.calendar,
            new_fills=self.new_fills,
            fill_gaps=self.fill_gaps,
        )
        return ctx, report, OrderSender(ctx, report)

    def store(self, *orders: Order, status: BatchStatus = BatchStatus.EXECUTING) -> Batch:
        """Store a batch of this broker holding `orders` (their batch id and broker set to it)."""
        batch = Batch.create(source="test", content_hash=str(len(orders)), at=self.now, broker=self.broker.name)
        batch.status = status
        for order in orders:
            order.batch_id = batch.id
            order.broker = self.broker.name
        with self.ledger.unit_of_work() as uow:
            uow.batches.add(batch)
            uow.orders.add_many(list(orders))
            uow.commit()
        return batch

    def load(self, order: Order) -> Order:
        with self.ledger.reading() as uow:
            found = uow.orders.get(order.id)
        assert found is not None
        return found


def steps(tmp_path: Path, now: datetime, **fields: Any) -> Steps:
    return Steps(Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}"), FakeBroker(now=now), now, **fields)


def validated(
    symbol: str = "AAPL", side: str = "buy", quantity: str = "10", *, number: int = 1, **fields: Any
) -> Order:
    """A validated market DAY order with a client order id, as the engine stores it before release."""
    order = Order.create(
        symbol, side, quantity, "market", at=fields.pop("at", None), client_order_id=f"b1-{number:04d}", **fields
    )
    order.validate(at=order.created_at)
    return order
