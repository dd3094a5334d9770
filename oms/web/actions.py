"""What an operator does from the dashboard: approve, halt, resume, cancel an order or a whole batch.

The one seam between the web layer and the engine: each function calls the same lowest-level operations the
`oms` commands use (engine.approve, operator.halt/resume, engine.cancel_order) and records in the audit trail
who did it, in which role and from which address. Point these at a use-case layer when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from oms.config import Settings
from oms.domain import BatchStatus, InvalidTransition, OrderStatus
from oms.domain.batch import CANCELLED_BY
from oms.execution import controls
from oms.execution.engine import BatchNotFound
from oms.store import ConcurrencyConflict, Ledger

__all__ = ["ActionRefused", "Actor", "approve", "cancel_batch", "cancel_order", "halt", "resume"]


class ActionRefused(Exception):
    """The action cannot be done in the state the ledger is in; the message says why."""


@dataclass(frozen=True)
class Actor:
    role: str
    client: str

    @property
    def name(self) -> str:
        return f"web {self.role}@{self.client}"


MODES = ("manual", "paper", "live")


def _engine(settings: Settings, ledger: Ledger, actor: Actor, *, broker: str, mode: str) -> Any:
    from oms.bootstrap import wire

    mode = mode if mode in MODES else "paper"
    return wire(settings, broker_name=broker, mode=mode, actor=actor.name, ledger=ledger).engine


def _audit(ledger: Ledger, actor: Actor, action: str, subject: str, **details: Any) -> None:
    with ledger.unit_of_work() as uow:
        controls.record(uow, actor.name, f"web.{action}", subject, role=actor.role, client=actor.client, **details)
        uow.commit()


def _batch(ledger: Ledger, batch_id: str) -> Any:
    with ledger.reading() as uow:
        batch = uow.batches.get(batch_id)
    if batch is None:
        raise BatchNotFound(f"no batch {batch_id!r} in the ledger")
    return batch


def approve(
    settings: Settings, ledger: Ledger, actor: Actor, batch_id: str, *, order_ids: Sequence[str], all_orders: bool
) -> list[str]:
    """Approve as `oms approve` does: warned orders only when named, or with all. Returns the approved ids."""
    batch = _batch(ledger, batch_id)
    if not batch.status.is_open:
        raise ActionRefused(f"batch {batch.id} is {batch.status.value}; there is nothing to approve")
    engine = _engine(settings, ledger, actor, broker=batch.broker, mode=batch.mode)
    _, approved = engine.approve(batch.id, actor.name, order_ids=list(order_ids), include_warnings=all_orders)
    ids = [o.id for o in approved]
    _audit(ledger, actor, "approve", batch.id, orders=len(ids), named=len(order_ids), all=all_orders)
    return ids


async def halt(settings: Settings, ledger: Ledger, actor: Actor, *, reason: str) -> int:
    """The kill switch on every account with an open batch (the simulator's when there is none)."""
    cancelled = 0
    for broker, mode in _accounts(ledger):
        engine = _engine(settings, ledger, actor, broker=broker, mode=mode)
        await engine.broker.connect()
        try:
            cancelled += len(await engine.halt(actor=actor.name, reason=reason))
        finally:
            await engine.broker.close()
    _audit(ledger, actor, "halt", "kill-switch", reason=reason, cancelled=cancelled)
    return cancelled


async def resume(settings: Settings, ledger: Ledger, actor: Actor) -> list[str]:
    """Lift every kill switch that is on, as `oms resume` does: what a halt cut short is sent again (buys still wait
    for filled proceeds). A switch whose cancels the broker has not confirmed yet stays on; their client order ids
    are returned, so the page can say who must act."""
    from oms.bootstrap import wire
    from oms.operations.halting import resume as resume_account

    with ledger.reading() as uow:
        keys = _halted_accounts(uow)
    modes = dict(_accounts(ledger))
    waiting: list[str] = []
    for broker, _account in keys:
        mode = modes.get(broker, "paper")
        wiring = wire(
            settings, broker_name=broker, mode=mode if mode in MODES else "paper", actor=actor.name, ledger=ledger
        )
        await wiring.broker.connect()
        try:
            # Manual mode has no process working the batch: the tickets go to the desk at once, as `oms resume` does.
            report = await resume_account(wiring, actor=actor.name, release_now=broker == "manual")
        finally:
            await wiring.broker.close()
        waiting += report.unconfirmed
    _audit(ledger, actor, "resume", "kill-switch", accounts=len(keys), waiting=len(waiting))
    return waiting


def _halted_accounts(uow: Any) -> list[tuple[str, str]]:
    from oms.web.queries import halts

    found = []
    for entry in halts(uow):
        _, broker, account = entry["key"].split(":", 2)
        found.append((broker, "" if account == "default" else account))
    return found


def _accounts(ledger: Ledger) -> list[tuple[str, str]]:
    with ledger.reading() as uow:
        open_batches = uow.batches.list(open_only=True, limit=1000)
    seen = {b.broker: b.mode for b in open_batches}
    return sorted(seen.items()) or [("sim", "paper")]


async def cancel_order(settings: Settings, ledger: Ledger, actor: Actor, order_id: str, *, reason: str) -> str:
    """Cancel one order through the engine's cancel path; returns its status after."""
    with ledger.reading() as uow:
        order = uow.orders.get(order_id)
    if order is None:
        raise BatchNotFound(f"no order {order_id!r} in the ledger")
    if not order.is_open:
        raise ActionRefused(f"order {order.client_order_id} is {order.status.value}; nothing to cancel")
    mode = _batch(ledger, order.batch_id).mode if order.batch_id else "paper"
    engine = _engine(settings, ledger, actor, broker=order.broker or "sim", mode=mode)
    after = await _cancel_with(engine, order.id, actor, reason)
    _audit(ledger, actor, "cancel_order", order.batch_id or order.id, order=order.client_order_id, reason=reason)
    return after


async def _cancel_with(engine: Any, order_id: str, actor: Actor, reason: str) -> str:
    await engine.broker.connect()
    try:
        return str((await engine.cancel_order(order_id, actor=actor.name, reason=reason)).status.value)
    except InvalidTransition as exc:
        raise ActionRefused(str(exc)) from None
    finally:
        await engine.broker.close()


async def cancel_batch(settings: Settings, ledger: Ledger, actor: Actor, batch_id: str, *, reason: str) -> int:
    """Cancel a whole batch: unsent orders end here, working ones are cancelled at the broker.

    The batch is marked cancelled at once when nothing is left at the broker; otherwise the daemon finishes it
    when the broker confirms the cancels. Returns how many orders were asked to cancel.
    """
    batch = _batch(ledger, batch_id)
    if not batch.status.is_open:
        raise ActionRefused(f"batch {batch.id} is {batch.status.value}; there is nothing to cancel")
    engine = _engine(settings, ledger, actor, broker=batch.broker, mode=batch.mode)
    _mark_cancelled(ledger, batch.id, actor.name, reason)
    with ledger.reading() as uow:
        tops = [o for o in uow.orders.for_batch(batch.id, open_only=True) if o.parent_id is None]
    for order in tops:
        if order.status is not OrderStatus.PENDING_CANCEL:
            await _cancel_with(engine, order.id, actor, reason)
    _close_if_empty(ledger, batch.id)
    _audit(ledger, actor, "cancel_batch", batch.id, orders=len(tops), reason=reason)
    return len(tops)


def _mark_cancelled(ledger: Ledger, batch_id: str, actor: str, reason: str) -> None:
    """Say who cancelled the batch, so the cycle ends it cancelled (not finished) once the broker confirms."""
    ledger.merge_batch_details(batch_id, {CANCELLED_BY: actor, "cancel_reason": reason})


def _close_if_empty(ledger: Ledger, batch_id: str) -> None:
    for _ in range(5):
        with ledger.unit_of_work() as uow:
            batch = uow.batches.get(batch_id)
            if batch is None or not batch.status.is_open or uow.orders.count_open(batch_id):
                return
            batch.status = BatchStatus.CANCELLED
            try:
                uow.batches.save(batch)
                uow.commit()
            except ConcurrencyConflict:
                continue
            return
