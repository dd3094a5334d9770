"""The execution engine: batches in, orders out through the broker, every step committed to the ledger first.

The engine is a service layer over the ledger and one broker account. Each public method loads what it needs,
changes domain objects, and commits through a unit of work; broker calls happen only after the state that
explains them is committed (write-ahead), so a crash at any point leaves the ledger able to resume: run the same
command again and the engine picks up where it stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR
from typing import Any

from oms.domain import Batch, BatchStatus, InvalidTransition, Order, OrderStatus, Side, TimeInForce
from oms.domain.market import Portfolio
from oms.domain.values import decimal_text, utcnow
from oms.execution import controls
from oms.execution.algo_settings import AlgoSettings
from oms.execution.booking import BookingResult, apply_report, book_fills
from oms.execution.children import ALGO_PARENTS, NOTE_REPRICE, allocate, make_children, plan_parent, schedule_for
from oms.execution.describe import describe
from oms.execution.identity import client_order_id
from oms.execution.notes import (
    NOTE_APPROVED,
    NOTE_ARRIVAL,
    NOTE_HELD,
    NOTE_NOT_FOUND,
    NOTE_RESENT,
    NOTE_RISK,
    events_since_last,
    held_until_noted,
    is_approved,
    last_note_or_submit,
    needs_approval,
    on_hold,
    submitted_at,
)
from oms.execution.release import ReleasePlan, plan_release
from oms.execution.riskgate import RiskGate, portfolio_json
from oms.execution.settings import ExecutionSettings
from oms.execution.volume_profile import TradingSession
from oms.logging import get_logger
from oms.planning.plan import Plan
from oms.ports import Broker, BrokerRejected, BrokerUnavailable, MarketData, OrderNotFound, OrderRequest
from oms.store import ConcurrencyConflict, Ledger

log = get_logger("oms.engine")


class BatchNotFound(Exception):
    """No batch with that id (or prefix) in the ledger."""


class Halted(Exception):
    """The kill switch is on; nothing is sent until `oms resume`."""


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
        self._venue_now: datetime | None = None  # the venue's clock, read once per cycle when parents work

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
    ) -> tuple[Batch, bool]:
        """Store a batch and its orders, or find the batch this same input made before. Returns (batch, created)."""
        with self.ledger.unit_of_work() as uow:
            if not new:
                existing = uow.batches.by_content_hash(content_hash, broker=self.broker.name)
                if existing is not None:
                    return existing, False
            now = self.clock()
            details: dict[str, str] = {"auto": "true" if auto else "false"}
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
                order.note(NOTE_RISK, at=now, **result)
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
                if order.id in named or include_warnings or not needs_approval(order):
                    order.note(NOTE_APPROVED, at=now, by=actor)
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
            await self._poll(report)
            await self._check_in_flight(report)
            # Expire before releasing: once the session has closed, nothing unsent goes out, and a buy whose sell
            # expired at the close expires with it instead of being judged unfunded.
            await self._expire_unsent(report)
            halted = self.halted().active
            if not halted:
                await self._release(report)
            await self._work_parents(report, sending=not halted)
            self._finish_batches(report)
            return report

    async def _poll(self, report: CycleReport) -> None:
        with self.ledger.reading() as uow:
            batches = uow.batches.list(open_only=True, limit=10_000)
            tracked = [o for b in batches for o in uow.orders.for_batch(b.id) if o.broker == self.broker.name]
            tracked += [o for o in uow.orders.open_orders(broker=self.broker.name) if o.batch_id is None]
        sent = [o for o in tracked if submitted_at(o) is not None]
        report.working = sum(1 for o in sent if o.status.is_at_broker)
        if not sent:
            return
        since = min(t for o in sent if (t := submitted_at(o)) is not None) - timedelta(minutes=5)
        try:
            order_reports = await self.broker.order_reports(open_only=False, since=since)
            fill_reports = await self.broker.fill_reports(since=since)
        except BrokerUnavailable as exc:
            report.anomalies.append(f"broker reports unavailable: {exc}")
            log.warning("broker.poll_failed", error=str(exc))
            return
        finally:
            report.broker_calls += 2
        by_coid = {o.client_order_id: o for o in sent if o.client_order_id}
        result = BookingResult()
        book_fills(by_coid, fill_reports, result)
        for unknown in list(result.unknown_fills):
            with self.ledger.reading() as uow:
                owner = uow.orders.by_client_order_id(unknown.client_order_id)
            if owner is not None:
                by_coid[unknown.client_order_id] = owner
                result.unknown_fills.remove(unknown)
                book_fills(by_coid, [unknown], result)
        for broker_report in order_reports:
            order = by_coid.get(broker_report.client_order_id)
            if order is not None:
                apply_report(order, broker_report, result)
        self._allocate_to_parents(tracked, result)
        self._save_all(result.changed.values())
        for order in result.changed.values():
            if order.batch_id:
                self._new_fills[order.batch_id] = True
        report.fills_booked += result.fills_booked
        report.duplicate_fills += result.duplicate_fills
        report.anomalies += result.anomalies

    def _allocate_to_parents(self, tracked: Sequence[Order], result: BookingResult) -> None:
        """Book the children's new executions on their parents in the same commit, so that a parent's open
        quantity (what risk and funding count as still to buy or sell) never lags behind the venue's cash."""
        parents = {o.id: o for o in tracked if o.is_parent}
        touched = {o.parent_id for o in result.changed.values() if o.parent_id in parents}
        for parent_id in touched:
            parent = parents[str(parent_id)]
            kids = [o for o in tracked if o.parent_id == parent_id]
            if allocate(parent, kids):
                result.changed[parent.id] = parent

    async def _check_in_flight(self, report: CycleReport) -> None:
        """A submitted order the broker never acknowledged is looked up by client order id, never guessed."""
        now = self.clock()
        threshold = timedelta(seconds=self.settings.in_flight_seconds)
        with self.ledger.reading() as uow:
            candidates = [
                o
                for o in uow.orders.open_orders(broker=self.broker.name, statuses=[OrderStatus.SUBMITTED])
                if o.broker_order_id is None
                and not o.is_parent
                and (t := last_note_or_submit(o)) is not None
                and now - t >= threshold
            ]
        for order in candidates:
            report.broker_calls += 1
            try:
                found = await self.broker.find_order(order.client_order_id or "")
            except BrokerUnavailable as exc:
                log.warning("order.lookup_failed", **_order_fields(order), error=str(exc))
                continue
            except OrderNotFound:
                await self._not_found(order, report)
                continue
            result = BookingResult()
            apply_report(order, found, result)
            self._save_all(result.changed.values())

    async def _not_found(self, order: Order, report: CycleReport) -> None:
        misses = 1 + sum(1 for e in events_since_last(order, NOTE_RESENT) if e.details.get("note") == NOTE_NOT_FOUND)
        order.note(NOTE_NOT_FOUND, at=self.clock(), attempt=str(misses))
        if misses < self.settings.lookup_attempts:
            self._save_all([order])
            return
        # Definitely not at the broker after several lookups: the submit never arrived. Sending it again with the
        # same client order id is safe (a broker refuses a duplicate id), so the order is not lost.
        order.note(NOTE_RESENT, at=self.clock(), after=f"{misses} lookups found nothing")
        self._save_all([order])
        log.warning("order.resent", **_order_fields(order), lookups=misses)
        await self._send(order, report)

    async def _release(self, report: CycleReport) -> None:
        with self.ledger.reading() as uow:
            executing = [b for b in uow.batches.list(open_only=True, limit=10_000) if b.status is BatchStatus.EXECUTING]
            work = [(b, uow.orders.for_batch(b.id)) for b in executing if b.broker == self.broker.name]
        for batch, orders in work:
            require_approval = batch.supervised or batch.details.get("auto") == "true"
            plan = plan_release(orders, now=self.clock(), require_approval=require_approval)
            if not plan.orders:
                continue
            if not plan.final and not self._new_fills.get(batch.id, True):
                continue  # buys waiting for proceeds: nothing changed since they were last looked at
            self._new_fills[batch.id] = False
            await self._release_wave(batch, plan, report)

    async def _release_wave(self, batch: Batch, plan: ReleasePlan, report: CycleReport) -> None:
        """Fund the buys from filled proceeds, check every order against the world as it is now, then send."""
        now = self.clock()
        if not self.broker.capabilities.fractional:
            self._whole_shares(plan, now)
        candidates = [o for o in plan.orders if o.side is Side.SELL] if plan.final else []
        funded = await self.risk.fund([o for o in plan.orders if o.side is Side.BUY], batch)
        for order, decision in funded:
            if decision.action == "release":
                candidates.append(order)
            elif plan.final and decision.action == "shrink":
                order.amend_quantity(decision.quantity, decision.reason, at=now)
                candidates.append(order)
            elif plan.final:
                order.cancel(f"not funded: {decision.reason}", at=now)
            elif not on_hold(order):
                order.note(NOTE_HELD, at=now, reason=decision.reason)
        verdicts = await self.risk.check(candidates, batch, releasing=True)
        to_send: list[Order] = []
        for order in candidates:
            verdict = verdicts[order.id]
            if verdict.blocked and not plan.final:
                # Earlier waves still work: the portfolio is not yet what this order was planned against (a sell
                # still holds the exposure it will remove). Wait for them; the block is final only then.
                if not on_hold(order):
                    reason = f"waiting for wave {plan.wave - 1} to finish: {verdict.block_reason}"
                    order.note(NOTE_HELD, at=now, reason=reason)
            elif verdict.blocked:
                for result in verdict.problems:
                    order.note(NOTE_RISK, at=now, stage="release", **result)
                order.reject(verdict.block_reason, at=now)
                report.rejected += 1
            elif verdict.hold_until is not None:
                if not held_until_noted(order, verdict.hold_until):
                    order.note(NOTE_HELD, at=now, until=verdict.hold_until.isoformat(), reason=verdict.hold_reason)
            else:
                to_send.append(order)
        self._save_all([o for o in plan.orders if o.stored_event_count != len(o.events)])
        for order in to_send:
            if order.algo in ALGO_PARENTS and not self.broker.capabilities.manual:
                # A person works an algorithm from its ticket ("4 orders of 250 shares, one every 15 minutes").
                await self._split(order, report)
            else:
                await self._send(order, report)
        if to_send:
            log.info("batch.wave_released", batch_id=batch.id, wave=plan.wave, orders=len(to_send), final=plan.final)

    def _whole_shares(self, plan: ReleasePlan, now: datetime) -> None:
        """A broker that trades whole shares only gets whole shares: round down, saying so; none left, cancel."""
        for order in list(plan.orders):
            whole = order.quantity.to_integral_value(rounding=ROUND_FLOOR)
            if whole == order.quantity:
                continue
            why = f"{self.broker.name} trades whole shares only: {order.quantity} rounded down to {whole}"
            if whole > 0:
                order.amend_quantity(whole, why, at=now)
            else:
                order.cancel(why, at=now)
                plan.orders.remove(order)
            log.info("order.amended", **_order_fields(order), reason=why)

    async def _send(self, order: Order, report: CycleReport) -> None:
        """Write-ahead submit: commit `submitted` and the client order id, then call the broker."""
        if order.status is OrderStatus.VALIDATED:
            quote = self.market.quote(order.symbol)
            venue_at = self._venue_now.isoformat() if self._venue_now else None
            price = decimal_text(quote.price) if quote is not None else None
            order.note(NOTE_ARRIVAL, at=self.clock(), arrival_price=price, venue_at=venue_at)
            order.submit(order.client_order_id, at=self.clock())
            try:
                self._save_all([order])
            except ConcurrencyConflict:
                log.warning("order.conflict", **_order_fields(order))
                return
            log.info("broker.submitting", **_order_fields(order), account=self.account)
        request = OrderRequest(
            client_order_id=order.client_order_id or "",
            symbol=order.symbol,
            side=order.side,
            quantity=order.quantity,
            order_type=order.order_type,
            time_in_force=order.time_in_force,
            limit_price=order.limit_price,
            stop_price=order.stop_price,
            extended_hours=order.extended_hours,
        )
        report.broker_calls += 1
        try:
            answer = await self.broker.submit(request)
        except BrokerRejected as exc:
            refusal = f"{exc.code}: {exc.reason}"
            self._update(order.id, lambda o: o.reject(refusal, at=self.clock()))
            report.rejected += 1
            return
        except BrokerUnavailable as exc:
            # Outcome unknown: the order stays `submitted`; the in-flight check asks the broker by client order id.
            log.warning("order.submit_unknown", **_order_fields(order), error=str(exc))
            return
        report.submitted += 1
        if answer.broker_order_id:
            self._update(order.id, lambda o: o.acknowledge(answer.broker_order_id, at=self.clock()))

    # ----------------------------------------------------------------- parents
    async def _venue_time(self) -> tuple[datetime, TradingSession | None]:
        """The venue's own now (the simulator runs ahead of the wall clock) and the session it is in."""
        clock = await self.broker.clock()
        if clock is None:
            self._venue_now = self.clock()
            return self._venue_now, None
        self._venue_now = clock.at
        session = None
        if clock.is_open and clock.next_close is not None:
            opened = min(clock.at, clock.next_close - timedelta(hours=6, minutes=30))
            session = TradingSession(open=opened, close=clock.next_close)
        return clock.at, session

    async def _split(self, parent: Order, report: CycleReport) -> None:
        """Turn a released TWAP/VWAP/IS order into its children; a one-slice schedule is sent as it is."""
        venue_now, session = await self._venue_time()
        report.broker_calls += 1
        schedule = schedule_for(
            parent,
            venue_now=venue_now,
            horizon=timedelta(minutes=self.settings.algo_horizon_minutes),
            session=session,
            security=self.market.security(parent.symbol),
            settings=self.algo_settings,
            broker_fractional=self.broker.capabilities.fractional,
        )
        if len(schedule.slices) <= 1:
            await self._send(parent, report)
            return
        now = self.clock()
        children = make_children(parent, schedule, now=now)
        quote = self.market.quote(parent.symbol)
        if quote is not None:  # the parent's arrival is when its first child could go (TCA measures from it)
            parent.note(NOTE_ARRIVAL, at=now, arrival_price=decimal_text(quote.price), venue_at=venue_now.isoformat())
        parent.split(len(children), at=now, plan=describe(schedule), start=schedule.start.isoformat())
        parent.submit(parent.client_order_id, at=now)
        with self.ledger.unit_of_work() as uow:
            uow.orders.save(parent)
            uow.orders.add_many(children)
            uow.commit()
        log.info("order.split", **_order_fields(parent), children=len(children), plan=describe(schedule))

    async def _work_parents(self, report: CycleReport, *, sending: bool) -> None:
        """Allocate child executions to parents, then send, reprice, replace or settle as each parent needs."""
        with self.ledger.reading() as uow:
            parents = [o for o in uow.orders.open_orders(broker=self.broker.name) if o.is_parent]
            children = uow.orders.children_of([p.id for p in parents])
        if not parents:
            return
        if sending:
            await self._venue_time()
            report.broker_calls += 1
        for parent in parents:
            kids = children.get(parent.id, [])
            allocate(parent, kids)
            if not sending:
                self._save_all([parent])
                continue
            quote = self.market.quote(parent.symbol)
            step = plan_parent(
                parent,
                kids,
                venue_now=self._venue_now or self.clock(),
                reference=quote.price if quote else None,
                settings=self.algo_settings,
                collar_pct=self.settings.reprice_collar_pct,
                now=self.clock(),
            )
            for child, limit in step.cancel:
                parent.note(NOTE_REPRICE, at=self.clock(), child=child.client_order_id, limit=decimal_text(limit))
            if step.settle and parent.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
                parent.request_cancel(at=self.clock())
            if step.settle and parent.status is OrderStatus.PENDING_CANCEL:
                if step.settle_expired:
                    parent.expire(at=self.clock())
                else:
                    parent.cancel(step.settle, at=self.clock())
            with self.ledger.unit_of_work() as uow:
                uow.orders.save(parent)
                uow.orders.add_many(step.replacements)
                uow.commit()
            for child, _ in step.cancel:
                await self.cancel_order(child.id, actor=self.actor, reason="reprice: cancel then new")
            for child in [*step.replacements, *step.send]:
                await self._send(child, report)

    # ------------------------------------------------------------------ expiry
    async def _expire_unsent(self, report: CycleReport) -> None:
        """DAY orders a batch did not send before the close of its session expire (working ones expire at the venue).

        A batch's session is the one open when it starts executing, or the next one when it starts while the market
        is closed; its close is stored on the batch the first time it is needed.
        """
        with self.ledger.reading() as uow:
            executing = [b for b in uow.batches.list(open_only=True, limit=10_000) if b.status is BatchStatus.EXECUTING]
            waiting = {
                b.id: [
                    o
                    for o in uow.orders.for_batch(b.id, statuses=[OrderStatus.VALIDATED])
                    if o.time_in_force is TimeInForce.DAY
                ]
                for b in executing
                if b.broker == self.broker.name
            }
        batches = [b for b in executing if waiting.get(b.id)]
        if not batches:
            return
        venue_now, _ = await self._venue_time()
        report.broker_calls += 1
        for batch in batches:
            day_ends = batch.details.get("day_ends")
            if day_ends is None:
                close = await self._session_close(venue_now)
                if close is None:
                    continue
                self._update_batch(batch.id, {"day_ends": close.isoformat()})
                continue
            if venue_now < datetime.fromisoformat(day_ends):
                continue
            for order in waiting[batch.id]:
                self._update(order.id, lambda o: o.expire(at=self.clock()))

    async def _session_close(self, venue_now: datetime) -> datetime | None:
        clock = await self.broker.clock()
        if clock is not None:
            return clock.next_close
        if self._calendar is None and self._calendar_factory is not None:
            self._calendar = self._calendar_factory()
        if self._calendar is None:
            return None
        state = self._calendar.state(venue_now)
        if state.is_open or state.next_open is None:
            return state.next_close
        return self._calendar.state(state.next_open).next_close

    def _update_batch(self, batch_id: str, details: dict[str, str]) -> None:
        for _ in range(5):
            with self.ledger.unit_of_work() as uow:
                batch = uow.batches.get(batch_id)
                if batch is None:
                    return
                batch.details = {**batch.details, **details}
                try:
                    uow.batches.save(batch)
                    uow.commit()
                except ConcurrencyConflict:
                    continue
                return

    # ---------------------------------------------------------- reconciliation
    async def reconcile(self, *, lookback: timedelta = timedelta(days=7)) -> Any:
        """Compare the ledger with the broker (the scheduler's periodic job), between cycles, never during one."""
        from oms.execution.reconcile import ReconcileFailed, reconcile

        async with self._lock:
            try:
                result = await reconcile(self.ledger, self.broker, since=self.clock() - lookback)
            except ReconcileFailed as exc:
                log.warning("reconcile.failed", error=str(exc))
                return None
        for difference in result.differences:
            log.warning("reconcile.difference", **difference.as_dict())
        return result

    # ------------------------------------------------------------ cancel, halt
    async def cancel_order(self, order_ref: str, *, actor: str, reason: str = "cancelled by request") -> Order:
        """Cancel one order: locally when the broker has not seen it, else ask the broker (a race is handled)."""
        order = self.find_order(order_ref)
        if order.is_parent:
            return await self._cancel_parent(order, actor=actor, reason=reason)
        if order.status in (OrderStatus.NEW, OrderStatus.VALIDATED):
            return self._update(order.id, lambda o: o.cancel(f"{reason} ({actor})", at=self.clock()))
        if order.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
            order = self._update(order.id, lambda o: o.request_cancel(at=self.clock()))
        if order.status is not OrderStatus.PENDING_CANCEL:
            raise InvalidTransition(f"order {order.client_order_id} is {order.status}; nothing to cancel")
        try:
            await self.broker.cancel(order.client_order_id or "", order.broker_order_id)
        except BrokerRejected as exc:
            refusal = exc.reason
            order = self._update(order.id, lambda o: o.reject_cancel(refusal, at=self.clock()))
        except BrokerUnavailable as exc:
            log.warning("order.cancel_unknown", **_order_fields(order), error=str(exc))
        return order

    async def _cancel_parent(self, parent: Order, *, actor: str, reason: str) -> Order:
        """Cancel a parent: its waiting children here, its live child at the broker; it settles when they end."""
        if parent.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
            parent = self._update(parent.id, lambda o: o.request_cancel(at=self.clock()))
        with self.ledger.reading() as uow:
            kids = uow.orders.children_of([parent.id]).get(parent.id, [])
        for child in kids:
            if child.status is OrderStatus.VALIDATED:
                self._update(child.id, lambda o: o.cancel(f"{reason} ({actor})", at=self.clock()))
            elif child.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
                await self.cancel_order(child.id, actor=actor, reason=reason)
        return parent

    def halted(self) -> controls.Halt:
        with self.ledger.reading() as uow:
            return controls.halt_state(uow, self.broker.name, self.account)

    async def halt(self, *, actor: str, reason: str) -> list[Order]:
        """The kill switch: refuse new submissions and cancel this OMS's open orders at the broker."""
        with self.ledger.unit_of_work() as uow:
            controls.set_halt(uow, self.broker.name, self.account, active=True, actor=actor, reason=reason)
            uow.commit()
        log.warning("oms.halted", by=actor, reason=reason, broker=self.broker.name, account=self.account)
        with self.ledger.reading() as uow:
            working = [
                o
                for o in uow.orders.open_orders(broker=self.broker.name)
                if o.status.is_at_broker and o.parent_id is None
            ]
        cancelled = []
        for order in working:
            if order.status is OrderStatus.PENDING_CANCEL:
                continue
            cancelled.append(await self.cancel_order(order.id, actor=actor, reason=f"halt: {reason}"))
        return cancelled

    def resume(self, *, actor: str) -> None:
        with self.ledger.unit_of_work() as uow:
            controls.set_halt(uow, self.broker.name, self.account, active=False, actor=actor)
            uow.commit()
        log.warning("oms.resumed", by=actor, broker=self.broker.name, account=self.account)

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

    def _update(self, order_id: str, change: Callable[[Order], object], attempts: int = 5) -> Order:
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

    def _save_all(self, orders: Any) -> None:
        with self.ledger.unit_of_work() as uow:
            for order in orders:
                uow.orders.save(order)
            uow.commit()

    def _finish_batches(self, report: CycleReport) -> None:
        with self.ledger.reading() as uow:
            done = [
                b.id
                for b in uow.batches.list(open_only=True, limit=10_000)
                if b.broker == self.broker.name
                and b.status is not BatchStatus.PLANNED
                and uow.orders.count_open(b.id) == 0
            ]
        if not done:
            return
        with self.ledger.unit_of_work() as uow:
            for batch_id in done:
                batch = uow.batches.get(batch_id)
                if batch is None or not batch.status.is_open or uow.orders.count_open(batch_id):
                    continue
                batch.status = BatchStatus.FINISHED
                uow.batches.save(batch)
                report.finished_batches.append(batch.id)
                log.info("batch.finished", batch_id=batch.id)
            uow.commit()

    def batch_orders(self, batch_id: str) -> list[Order]:
        with self.ledger.reading() as uow:
            return uow.orders.for_batch(batch_id)


def _order_fields(order: Order) -> dict[str, Any]:
    last = order.events[-1] if order.events else None
    return {
        "batch_id": order.batch_id,
        "order_id": order.id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": decimal_text(order.quantity),
        "from_status": last.from_status.value if last and last.from_status else None,
        "to_status": order.status.value,
    }
