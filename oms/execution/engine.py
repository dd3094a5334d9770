"""The execution engine: batches in, orders out through the broker, every step committed to the ledger first.

The engine is a service layer over the ledger and one broker account. Each public method loads what it needs,
changes domain objects, and commits through a unit of work; broker calls happen only after the state that
explains them is committed (write-ahead), so a crash at any point leaves the ledger able to resume: run the same
command again and the engine picks up where it stopped.

This module holds the engine's state, its batches and the order of a cycle. `cycle()` builds one `CycleContext`
(ledger, broker, settings, clocks, calendar) and one `OrderSender`, and hands them to the steps in
`oms.execution.cycle`: `polling` (read and book the broker's reports), `closing` (expiry at the close, finished
batches), `releasing` (waves, funding), `parenting` (TWAP/VWAP/IS children). The steps never import the engine or
each other; `operator` holds what a person does (halt, resume, reconcile) on the same context.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from oms.domain import Batch, BatchStatus, Order, OrderStatus
from oms.domain.facts import Approved, Note, is_approved, needs_naming, record
from oms.domain.market import Portfolio
from oms.domain.values import utcnow
from oms.execution import controls, operator
from oms.execution.algos.settings import AlgoSettings
from oms.execution.cycle import closing, parenting, polling, releasing
from oms.execution.cycle.context import BatchNotFound, CycleContext, CycleReport, VenueClock
from oms.execution.cycle.sender import OrderSender
from oms.execution.identity import client_order_id
from oms.execution.riskgate import RiskGate, portfolio_json
from oms.execution.settings import ExecutionSettings
from oms.logging import get_logger
from oms.planning.plan import Plan
from oms.ports import Broker, MarketData
from oms.store import Ledger

log = get_logger("oms.engine")


__all__ = ["BatchNotFound", "CycleReport", "ExecutionEngine"]


class ExecutionEngine:
    """Runs batches against one broker account."""

    def __init__(
        self,
        ledger: Ledger,
        broker: Broker,
        *,
        market: MarketData,
        risk: RiskGate,
        settings: ExecutionSettings,
        account: str = "",
        actor: str = "oms",
        clock: Callable[[], datetime] = utcnow,
        algo_settings: AlgoSettings | None = None,
        calendar: Callable[[], Any] | None = None,
    ) -> None:
        self.ledger = ledger
        self.broker = broker
        self.market = market
        self.risk = risk
        self.settings = settings
        self.account = account
        self.actor = actor
        self.clock = clock
        self.algo_settings = algo_settings or AlgoSettings()
        # The exchange calendar, for venues without a clock of their own; built on first use (it takes a moment).
        self._calendar_factory = calendar
        self._calendar: Any = None
        self._lock = asyncio.Lock()
        # Per batch: whether fills arrived since its waiting buys were last weighed against the cash.
        self._new_fills: dict[str, bool] = {}
        self.fill_gaps: dict[str, Any] = {}  # client order id -> fill_gaps.Gap, kept between cycles
        # Which batches this process sends for (None: all of its broker's). `oms run` works its own batch only,
        # `oms daemon` the batches submitted for it; booking reports is never limited.
        self.scope: Callable[[Batch], bool] | None = None

    def works(self, batch: Batch | None) -> bool:
        """Whether this process may send orders of `batch`."""
        return batch is not None and (self.scope is None or self.scope(batch))

    def context(self, report: CycleReport) -> CycleContext:
        """The inputs of one cycle or one operator action, handed to every step."""
        return CycleContext(
            ledger=self.ledger,
            broker=self.broker,
            market=self.market,
            risk=self.risk,
            settings=self.settings,
            algos=self.algo_settings,
            account=self.account,
            actor=self.actor,
            clock=self.clock,
            venue=VenueClock(self.broker, self.clock, report),
            calendar=self._exchange_calendar,
            new_fills=self._new_fills,
            fill_gaps=self.fill_gaps,
            works=lambda batch: self.scope is None or self.works(batch),
        )

    def _exchange_calendar(self) -> Any:
        if self._calendar is None and self._calendar_factory is not None:
            self._calendar = self._calendar_factory()
        return self._calendar

    # ------------------------------------------------------------------ batches
    def create_batch(
        self,
        plan: Plan,
        *,
        source: str,
        content_hash: str,
        mode: str,
        supervised: bool,
        auto: bool = False,
        new: bool = False,
        portfolio: Portfolio | None = None,
        origin: str = "",
        snapshot: str = "",
    ) -> tuple[Batch, bool]:
        """Store a batch and its orders, or find the batch this same input made before. Returns (batch, created)."""
        with self.ledger.unit_of_work() as uow:
            if not new:
                existing = uow.batches.by_content_hash(content_hash, broker=self.broker.name)
                if existing is not None:
                    return existing, False
            now = self.clock()
            details: dict[str, str] = {"auto": "true" if auto else "false"}
            if origin:
                details["origin"] = origin  # the command that made it, and so the process that works it
            if snapshot:
                details["settings"] = snapshot  # what it was planned and checked with; later commands reuse it
            if portfolio is not None:
                details["positions"] = "file"
                details["portfolio"] = portfolio_json(portfolio)
            batch = Batch.create(
                at=now,
                source=source,
                content_hash=content_hash,
                mode=mode,
                broker=self.broker.name,
                account=self.account,
                supervised=supervised,
                details=details,
            )
            orders = [self._order_from_plan(batch, n, planned, now) for n, planned in enumerate(plan.orders, 1)]
            uow.batches.add(batch)
            uow.orders.add_many(orders)
            uow.commit()
        log.info("batch.created", batch_id=batch.id, orders=len(orders), source=source, mode=mode)
        return batch, True

    def _order_from_plan(self, batch: Batch, sequence: int, planned: Any, now: datetime) -> Order:
        return Order.create(
            planned.symbol,
            planned.side,
            planned.quantity,
            planned.order_type,
            limit_price=planned.limit_price,
            time_in_force=planned.time_in_force,
            at=now,
            batch_id=batch.id,
            broker=batch.broker,
            client_order_id=client_order_id(batch.id, sequence),
            wave=planned.wave,
            priority=planned.priority,
            algo=planned.algo,
            urgency=planned.urgency,
            decision_price=planned.decision_price,
            expected_cost_bps=planned.expected_cost_bps,
            reason=planned.reason,
        )

    def find_batch(self, batch_ref: str) -> Batch:
        """A batch by id or unique id prefix."""
        with self.ledger.reading() as uow:
            batch = uow.batches.get(batch_ref)
            if batch is None:
                matches = [b for b in uow.batches.list(limit=1000) if b.id.startswith(batch_ref)]
                if len(matches) == 1:
                    batch = matches[0]
        if batch is None:
            raise BatchNotFound(f"no batch {batch_ref!r} in the ledger")
        return batch

    async def validate_batch(self, batch_id: str) -> Batch:
        """Run the pre-trade checks: block rejects the order, warn is stored; then hold for approval or execute."""
        batch = self.find_batch(batch_id)
        if batch.status is not BatchStatus.PLANNED:
            return batch
        with self.ledger.reading() as uow:
            orders = [o for o in uow.orders.for_batch(batch.id) if o.status is OrderStatus.NEW]
        verdicts = await self.risk.check(orders, batch, releasing=False)
        now = self.clock()
        warnings = 0
        for order in orders:
            verdict = verdicts[order.id]
            for result in verdict.problems:
                order.note(Note.RISK, at=now, **result)
            if verdict.blocked:
                order.reject(verdict.block_reason, at=now)
            else:
                order.validate(at=now)
                warnings += verdict.needs_approval
        with self.ledger.unit_of_work() as uow:
            for order in orders:
                uow.orders.save(order)
            batch = uow.batches.get(batch.id) or batch
            auto = batch.details.get("auto") == "true"
            hold = batch.supervised or (auto and warnings > 0)
            batch.status = BatchStatus.AWAITING_APPROVAL if hold else BatchStatus.EXECUTING
            batch.details = {**batch.details, "warnings": str(warnings)}
            uow.batches.save(batch)
            uow.commit()
        log.info("batch.validated", batch_id=batch.id, status=batch.status.value, warnings=warnings)
        return batch

    def approve(
        self, batch_id: str, actor: str, *, order_ids: Sequence[str] = (), include_warnings: bool = False
    ) -> tuple[Batch, list[Order]]:
        """Approve a batch held for approval; orders with warnings need naming (or `include_warnings`)."""
        batch = self.find_batch(batch_id)
        now = self.clock()
        approved: list[Order] = []
        with self.ledger.unit_of_work() as uow:
            orders = uow.orders.for_batch(batch.id, open_only=True)
            named = {o.id for o in orders if any(o.id.startswith(ref) or o.client_order_id == ref for ref in order_ids)}
            for order in orders:
                if order.status is not OrderStatus.VALIDATED or is_approved(order):
                    continue
                if order.id in named or include_warnings or not needs_naming(order, supervised=batch.supervised):
                    record(order, Approved(actor), at=now)
                    uow.orders.save(order)
                    approved.append(order)
            if batch.status is BatchStatus.AWAITING_APPROVAL:
                batch.status = BatchStatus.EXECUTING
                uow.batches.save(batch)
            controls.record(uow, actor, "approve", batch.id, orders=len(approved))
            uow.commit()
        log.info("batch.approved", batch_id=batch.id, by=actor, orders=len(approved))
        return batch, approved

    # ------------------------------------------------------------------- cycle
    async def cycle(self) -> CycleReport:
        """One pass: read the broker's reports, book them, look up lost submissions, release, finish."""
        async with self._lock:
            report = CycleReport()
            ctx = self.context(report)
            sender = OrderSender(ctx, report)
            await polling.poll(ctx, report)
            await polling.check_in_flight(ctx, report, sender)
            # Expire before releasing: once the session has closed, nothing unsent goes out, and a buy whose sell
            # expired at the close expires with it instead of being judged unfunded.
            await closing.expire_unsent(ctx)
            halted = self.halted().active
            if not halted:
                await releasing.release(ctx, report, sender)
            await parenting.work_parents(ctx, sender, sending=not halted)
            closing.finish_batches(ctx, report)
            return report

    # ------------------------------------------------------ a person's actions
    async def cancel_order(self, order_ref: str, *, actor: str, reason: str = "cancelled by request") -> Order:
        """Cancel one order: locally when the broker has not seen it, else ask the broker (a race is handled)."""
        report = CycleReport()
        return await OrderSender(self.context(report), report).cancel(
            self.find_order(order_ref), actor=actor, reason=reason
        )

    async def halt(self, *, actor: str, reason: str) -> list[Order]:
        """The kill switch: refuse new submissions and cancel this OMS's open orders at the broker."""
        report = CycleReport()
        ctx = self.context(report)
        return await operator.halt(ctx, OrderSender(ctx, report), actor=actor, reason=reason)

    def resume(self, *, actor: str) -> None:
        operator.resume(self.context(CycleReport()), actor=actor)

    async def reconcile(self, *, lookback: timedelta = timedelta(days=7)) -> Any:
        """Compare the ledger with the broker (the scheduler's periodic job), between cycles, never during one."""
        async with self._lock:
            return await operator.reconcile(self.context(CycleReport()), lookback=lookback)

    def halted(self) -> controls.Halt:
        with self.ledger.reading() as uow:
            return controls.halt_state(uow, self.broker.name, self.account)

    # ----------------------------------------------------------------- helpers
    def find_order(self, order_ref: str) -> Order:
        """An order by id, client order id, or unique id prefix."""
        with self.ledger.reading() as uow:
            order = uow.orders.get(order_ref) or uow.orders.by_client_order_id(order_ref)
            if order is None:
                matches = [o for o in uow.orders.open_orders() if o.id.startswith(order_ref)]
                order = matches[0] if len(matches) == 1 else None
        if order is None:
            raise BatchNotFound(f"no order {order_ref!r} in the ledger")
        return order

    def update_order(self, order_id: str, change: Callable[[Order], object], attempts: int = 5) -> Order:
        """Apply `change` to the freshest copy of an order and commit; retry on a version conflict."""
        return self.context(CycleReport()).update_order(order_id, change, attempts)

    def save_all(self, orders: Any) -> None:
        self.context(CycleReport()).save_all(orders)

    def batch_orders(self, batch_id: str) -> list[Order]:
        with self.ledger.reading() as uow:
            return uow.orders.for_batch(batch_id)
