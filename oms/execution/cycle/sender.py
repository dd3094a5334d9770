"""The one way out to the broker: write-ahead submits, parents split into children, cancels (a race handled)."""

from __future__ import annotations

from datetime import timedelta

from oms.domain import InvalidTransition, Order, OrderStatus
from oms.domain.facts import Arrival, record
from oms.execution.algos.children import ALGO_PARENTS, make_children, schedule_for
from oms.execution.algos.words import describe
from oms.execution.cycle.context import CycleContext, CycleReport
from oms.execution.order_log import order_fields
from oms.logging import get_logger
from oms.ports import BrokerRejected, BrokerUnavailable, OrderRequest
from oms.store import ConcurrencyConflict

log = get_logger("oms.engine")


class OrderSender:
    """Sends, splits and cancels for the steps of one cycle; counts its broker calls on the cycle's report."""

    def __init__(self, ctx: CycleContext, report: CycleReport) -> None:
        self.ctx = ctx
        self.report = report

    async def release(self, order: Order) -> None:
        """Send a released order; a TWAP/VWAP/IS parent is split into children (a person works it from a ticket)."""
        if order.algo in ALGO_PARENTS and not self.ctx.broker.capabilities.manual:
            await self.split(order)
        else:
            await self.send(order)

    async def split(self, parent: Order) -> None:
        """Turn a released TWAP/VWAP/IS order into its children; a one-slice schedule is sent as it is."""
        ctx = self.ctx
        venue_now, session = await ctx.venue.read()
        schedule = schedule_for(
            parent,
            venue_now=venue_now,
            horizon=timedelta(minutes=ctx.settings.algo_horizon_minutes),
            session=session,
            security=ctx.market.security(parent.symbol),
            settings=ctx.algos,
            broker_fractional=ctx.broker.capabilities.fractional,
        )
        if len(schedule.slices) <= 1:
            await self.send(parent)
            return
        now = ctx.clock()
        children = make_children(parent, schedule, now=now)
        quote = ctx.market.quote(parent.symbol)
        if quote is not None:  # the parent's arrival is when its first child could go (TCA measures from it)
            record(parent, Arrival.of_quote(quote, venue_now), at=now)
        parent.split(len(children), at=now, plan=describe(schedule), start=schedule.start.isoformat())
        parent.submit(parent.client_order_id, at=now)
        with ctx.ledger.unit_of_work() as uow:
            uow.orders.save(parent)
            uow.orders.add_many(children)
            uow.commit()
        log.info("order.split", **order_fields(parent), children=len(children), plan=describe(schedule))

    async def send(self, order: Order) -> None:
        """Write-ahead submit: commit `submitted` and the client order id, then call the broker."""
        ctx, report = self.ctx, self.report
        if order.status is OrderStatus.VALIDATED:
            quote = ctx.market.quote(order.symbol)
            record(order, Arrival.of_quote(quote, ctx.venue.known), at=ctx.clock())
            order.submit(order.client_order_id, at=ctx.clock())
            try:
                ctx.save_all([order])
            except ConcurrencyConflict:
                log.warning("order.conflict", **order_fields(order))
                return
            log.info("broker.submitting", **order_fields(order), account=ctx.account)
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
            answer = await ctx.broker.submit(request)
        except BrokerRejected as exc:
            refusal = f"{exc.code}: {exc.reason}"
            ctx.update_order(order.id, lambda o: o.reject(refusal, at=ctx.clock()))
            report.rejected += 1
            return
        except BrokerUnavailable as exc:
            # Outcome unknown: the order stays `submitted`; the in-flight check asks the broker by client order id.
            log.warning("order.submit_unknown", **order_fields(order), error=str(exc))
            return
        report.submitted += 1
        if answer.broker_order_id:
            ctx.update_order(order.id, lambda o: o.acknowledge(answer.broker_order_id, at=ctx.clock()))

    async def cancel(self, order: Order, *, actor: str, reason: str = "cancelled by request") -> Order:
        """Cancel one order: locally when the broker has not seen it, else ask the broker (a race is handled)."""
        ctx = self.ctx
        order = self._fresh(order)
        if order.is_parent:
            return await self.cancel_parent(order, actor=actor, reason=reason)
        if order.status in (OrderStatus.NEW, OrderStatus.VALIDATED):
            return ctx.update_order(order.id, lambda o: o.cancel(f"{reason} ({actor})", at=ctx.clock()))
        if order.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
            order = ctx.update_order(order.id, lambda o: o.request_cancel(at=ctx.clock()))
        if order.status is not OrderStatus.PENDING_CANCEL:
            raise InvalidTransition(f"order {order.client_order_id} is {order.status}; nothing to cancel")
        try:
            await ctx.broker.cancel(order.client_order_id or "", order.broker_order_id)
        except BrokerRejected as exc:
            refusal = exc.reason
            order = ctx.update_order(order.id, lambda o: o.reject_cancel(refusal, at=ctx.clock()))
        except BrokerUnavailable as exc:
            log.warning("order.cancel_unknown", **order_fields(order), error=str(exc))
        return order

    async def cancel_parent(self, parent: Order, *, actor: str, reason: str) -> Order:
        """Cancel a parent: its waiting children here, its live child at the broker; it settles when they end."""
        ctx = self.ctx
        if parent.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
            parent = ctx.update_order(parent.id, lambda o: o.request_cancel(at=ctx.clock()))
        with ctx.ledger.reading() as uow:
            kids = uow.orders.children_of([parent.id]).get(parent.id, [])
        for child in kids:
            if child.status is OrderStatus.VALIDATED:
                ctx.update_order(child.id, lambda o: o.cancel(f"{reason} ({actor})", at=ctx.clock()))
            elif child.status in (OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED):
                await self.cancel(child, actor=actor, reason=reason)
        return parent

    def _fresh(self, order: Order) -> Order:
        with self.ctx.ledger.reading() as uow:
            return uow.orders.get(order.id) or order
