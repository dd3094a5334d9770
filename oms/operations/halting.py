"""The kill switch as a person uses it: halt cancels and remembers what it cut short; resume finishes or abandons.

What a halt cancelled is resumable. `resume` sends again what each halted order had left, under a new client order
id in the same wave, so the buys after it stay gated by sells that actually filled; `resume(abandon=True)` ends
those batches instead, saying who and when. Until one of the two happens, a batch a halt cut short is not finished.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oms.domain import Batch, BatchStatus, Order, OrderStatus
from oms.domain.facts import Approved, is_approved, record
from oms.execution import controls
from oms.execution.identity import client_order_id
from oms.logging import get_logger

log = get_logger("oms.operations")

HALT_CANCELLED = controls.HALT_CANCELLED
SETTLE_CYCLES = 25  # cycles to wait for a broker to confirm cancels before saying who must act
SETTLE_PAUSE_SECONDS = 0.2


@dataclass
class HaltReport:
    """What `halt` did on one broker account, order by order (client order ids)."""

    broker: str
    asked_to_cancel: list[str] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)
    unsent_held: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class ResumeReport:
    """What `resume` did: remainders sent again, batches abandoned, or cancels the broker has not confirmed yet."""

    broker: str
    resumed: bool = False
    resent: list[Order] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)


async def halt(wiring: Any, *, actor: str, reason: str) -> HaltReport:
    """Turn the kill switch on, learn what already filled, cancel what still works, remember it per batch."""
    engine = wiring.engine
    report = HaltReport(broker=wiring.broker.name)
    with engine.ledger.reading() as uow:
        before = {o.id for o in uow.orders.open_orders(broker=engine.broker.name) if o.parent_id is None}
    with engine.ledger.unit_of_work() as uow:
        controls.set_halt(uow, engine.broker.name, engine.account, active=True, actor=actor, reason=reason)
        uow.commit()
    log.warning("oms.halted", by=actor, reason=reason, broker=engine.broker.name, account=engine.account)
    await engine.cycle()  # halted: books fills and ends, sends nothing
    with engine.ledger.reading() as uow:
        still = {o.id: o for o in uow.orders.open_orders(broker=engine.broker.name) if o.parent_id is None}
        ended = [uow.orders.get(order_id) for order_id in before - set(still)]
    report.already_done = [o.client_order_id or o.id for o in ended if o is not None]
    cut: dict[str, list[str]] = {}
    for working in still.values():
        if not working.status.is_at_broker:
            report.unsent_held.append(working.client_order_id or working.id)
            continue
        order = working
        if order.status is not OrderStatus.PENDING_CANCEL:
            order = await engine.cancel_order(order.id, actor=actor, reason=f"halt: {reason}")
        if order.status is OrderStatus.PENDING_CANCEL or order.is_terminal:
            report.asked_to_cancel.append(order.client_order_id or order.id)
            if order.batch_id:
                cut.setdefault(order.batch_id, []).append(order.id)
        else:
            report.refused.append(order.client_order_id or order.id)
    for batch_id, order_ids in cut.items():
        _mark(engine, batch_id, order_ids)
    await engine.cycle()  # book the cancels a broker confirms at once (the manual book does)
    return report


async def resume(wiring: Any, *, actor: str, abandon: bool = False, release_now: bool = False) -> ResumeReport:
    """Lift the kill switch: send again what the halt cut short (or end those batches), in one transaction.

    `release_now` runs one cycle after lifting it (manual mode: the tickets go to the desk at once); otherwise the
    process that works the batch (`oms run`, `oms daemon`) sends them.
    """
    engine = wiring.engine
    report = ResumeReport(broker=wiring.broker.name)
    for attempt in range(SETTLE_CYCLES):
        await engine.cycle()  # still halted: books the cancels, sends nothing
        report.unconfirmed = _unconfirmed(engine)
        if not report.unconfirmed:
            break
        if attempt + 1 < SETTLE_CYCLES:
            await asyncio.sleep(SETTLE_PAUSE_SECONDS)
    if report.unconfirmed:
        return report  # the remainder is not known yet: still halted, the caller says who must act
    now = engine.clock()
    with engine.ledger.unit_of_work() as uow:
        for batch in _cut_batches(uow, engine.broker.name):
            orders = uow.orders.for_batch(batch.id)
            if abandon:
                _abandon(uow, batch, orders, actor, now)
                report.abandoned.append(batch.id)
            else:
                report.resent += _resend(uow, batch, orders, now)
        controls.set_halt(uow, engine.broker.name, engine.account, active=False, actor=actor)
        uow.commit()
    report.resumed = True
    if release_now:
        await engine.cycle()
    log.warning("oms.resumed", by=actor, broker=engine.broker.name, account=engine.account, abandon=abandon)
    return report


def _mark(engine: Any, batch_id: str, order_ids: list[str]) -> None:
    with engine.ledger.unit_of_work() as uow:
        batch = uow.batches.get(batch_id)
        if batch is None:
            return
        known = json.loads(batch.details.get(HALT_CANCELLED, "[]"))
        batch.details = {**batch.details, HALT_CANCELLED: json.dumps(sorted({*known, *order_ids}))}
        uow.batches.save(batch)
        uow.commit()


def _cut_batches(uow: Any, broker: str) -> list[Batch]:
    return [
        b
        for b in uow.batches.list(open_only=True, limit=10_000)
        if b.broker == broker and b.details.get(HALT_CANCELLED)
    ]


def _unconfirmed(engine: Any) -> list[str]:
    """Client order ids a halt asked to cancel whose end the broker has not reported yet."""
    with engine.ledger.reading() as uow:
        waiting = []
        for batch in _cut_batches(uow, engine.broker.name):
            for order_id in json.loads(batch.details[HALT_CANCELLED]):
                order = uow.orders.get(order_id)
                if order is not None and not order.is_terminal:
                    waiting.append(order.client_order_id or order.id)
        return waiting


def _resend(uow: Any, batch: Batch, orders: list[Order], now: datetime) -> list[Order]:
    """A new order for what each halted order left unfilled: same wave, new client order id, approval kept."""
    cut = set(json.loads(batch.details[HALT_CANCELLED]))
    sequence = sum(1 for o in orders if o.parent_id is None)
    resent = []
    for old in orders:
        left = old.unfilled_quantity
        if old.id not in cut or old.status not in (OrderStatus.CANCELLED, OrderStatus.EXPIRED) or left <= 0:
            continue
        sequence += 1
        order = Order.create(
            old.symbol,
            old.side,
            left,
            old.order_type,
            limit_price=old.limit_price,
            stop_price=old.stop_price,
            time_in_force=old.time_in_force,
            at=now,
            batch_id=batch.id,
            broker=batch.broker,
            client_order_id=client_order_id(batch.id, sequence),
            extended_hours=old.extended_hours,
            wave=old.wave,
            priority=old.priority,
            algo=old.algo,
            urgency=old.urgency,
            decision_price=old.decision_price,
            expected_cost_bps=old.expected_cost_bps,
            reason=f"the {left} {old.symbol} that {old.client_order_id} left when the halt cancelled it",
        )
        order.validate(at=now)
        if is_approved(old):
            record(order, Approved("resume (approved before the halt)"), at=now)
        uow.orders.add(order)
        resent.append(order)
    batch.details = {k: v for k, v in batch.details.items() if k != HALT_CANCELLED}
    uow.batches.save(batch)
    return resent


def _abandon(uow: Any, batch: Batch, orders: list[Order], actor: str, now: datetime) -> None:
    """End a halted batch: its unsent orders are cancelled with the reason, the batch is cancelled."""
    why = f"abandoned after the halt by {actor}"
    for order in orders:
        if order.status in (OrderStatus.NEW, OrderStatus.VALIDATED):
            order.cancel(why, at=now)
            uow.orders.save(order)
    batch.status = BatchStatus.CANCELLED
    details = {k: v for k, v in batch.details.items() if k != HALT_CANCELLED}
    batch.details = {**details, "abandoned_by": actor, "abandoned_at": now.isoformat()}
    uow.batches.save(batch)
    controls.record(uow, actor, "abandon", batch.id)
