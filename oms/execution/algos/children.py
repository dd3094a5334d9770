"""Parents and children: a TWAP, VWAP or IS order worked through child orders over a horizon.

The parent is an order in the ledger that never reaches a broker. When its wave is released it is split into
children (one per slice of its schedule, each an ordinary order with its own client order id and lifecycle). The
engine sends a child when the venue's clock reaches its slice and no other child of the parent is live; it
allocates each child execution to the parent as the parent's fill; it reprices an unfilled limit child by
cancel-then-new; and it settles the parent when its children are done. Every step is in the ledger, so a restart
carries on where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from oms.domain import Algo, Order, OrderStatus, TimeInForce
from oms.domain.facts import Note, Scheduled, pending_reprice, record, scheduled, sent_at_venue
from oms.domain.market import Security
from oms.execution.algos import build_schedule
from oms.execution.algos.child_ids import child_client_order_id
from oms.execution.algos.repricing import Reprice, RequestCancel, SubmitReplacement, decide_reprice, next_child_action
from oms.execution.algos.settings import AlgoSettings
from oms.execution.algos.slices import LotRules, Schedule
from oms.execution.algos.volume_profile import TradingSession, session_of

ALGO_PARENTS = (Algo.TWAP, Algo.VWAP, Algo.IS)
NOTE_REPRICE = Note.REPRICE  # the reprice fact, for tests that look for it in a parent's trail


def schedule_for(
    parent: Order,
    *,
    venue_now: datetime,
    horizon: timedelta,
    session: TradingSession | None,
    security: Security | None,
    settings: AlgoSettings,
    broker_fractional: bool = True,
) -> Schedule:
    """The parent's children in time, in venue time (the simulator's clock runs faster than the wall).

    Children are fractional only when both the security and the broker allow it.
    """
    fractional = broker_fractional and bool(security and security.fractional)
    lots = LotRules.from_settings(settings, fractional=fractional)
    return build_schedule(
        parent_client_order_id=parent.client_order_id or parent.id,
        quantity=parent.unfilled_quantity,
        side=parent.side,
        algo=parent.algo or Algo.TWAP,
        start=venue_now,
        horizon=horizon,
        session=session or session_of(venue_now),
        urgency=parent.urgency,
        lots=lots,
        settings=settings,
    )


def make_children(parent: Order, schedule: Schedule, *, now: datetime) -> list[Order]:
    """One validated child order per slice, each stamped with the venue time it may go."""
    children = []
    for piece in schedule.slices:
        reason = f"slice {piece.sequence} of {len(schedule.slices)} of {parent.client_order_id}"
        child = _child(parent, piece.quantity, piece.client_order_id, parent.limit_price, reason, now)
        record(child, Scheduled(piece.not_before, piece.due), at=now)
        children.append(child)
    return children


def _child(
    parent: Order, quantity: Decimal, client_order_id: str, limit_price: Decimal | None, reason: str, now: datetime
) -> Order:
    """A validated child of `parent`: same instrument, side, type and guidance, its own id and lifecycle."""
    child = Order.create(
        parent.symbol,
        parent.side,
        quantity,
        parent.order_type,
        limit_price=limit_price,
        time_in_force=TimeInForce.DAY,
        at=now,
        batch_id=parent.batch_id,
        broker=parent.broker,
        client_order_id=client_order_id,
        parent_id=parent.id,
        wave=parent.wave,
        priority=parent.priority,
        urgency=parent.urgency,
        decision_price=parent.decision_price,
        expected_cost_bps=parent.expected_cost_bps,
        reason=reason,
    )
    child.validate(at=now)
    return child


def allocate(parent: Order, children: Sequence[Order]) -> int:
    """Book every child execution not yet on the parent as the parent's fill; return how many were new."""
    booked = 0
    for child in children:
        for fill in child.fills:
            allocation_id = f"{child.client_order_id}/{fill.exec_id}"
            if not parent.has_fill(allocation_id) and parent.fill(
                allocation_id, fill.quantity, fill.price, fill.at, fill.commission
            ):
                booked += 1
    return booked


def attempt_of(child: Order) -> int:
    coid = child.client_order_id or ""
    tail = coid.rsplit("-", 1)[-1]
    return int(tail.split("r", 1)[1]) if "r" in tail else 0


def sequence_of(child: Order) -> int:
    tail = (child.client_order_id or "").rsplit("-", 1)[-1]
    return int(tail.split("r", 1)[0])


@dataclass
class ParentStep:
    """What the engine should do for one parent now."""

    send: list[Order]
    cancel: list[tuple[Order, Decimal]]  # (live child, the limit its replacement will take)
    replacements: list[Order]
    settle: str | None = None  # a reason when the parent's children are all done and it is not filled
    settle_expired: bool = False  # every child that ended unfilled expired at the close


def plan_parent(
    parent: Order,
    children: Sequence[Order],
    *,
    venue_now: datetime,
    reference: Decimal | None,
    settings: AlgoSettings,
    collar_pct: Decimal,
    now: datetime,
) -> ParentStep:
    """Decide, from the ledger alone, the next step of one parent: send, reprice, replace or settle."""
    step = ParentStep(send=[], cancel=[], replacements=[])
    live = [c for c in children if c.status.is_at_broker]
    replaced = {(sequence_of(c), attempt_of(c)) for c in children}
    for child in children:
        action = next_child_action(
            status=child.status,
            quantity=child.quantity,
            filled=child.filled_quantity,
            decision=_reprice_decision(parent, child, venue_now, reference, settings, collar_pct),
            pending_limit=pending_reprice(parent, child.client_order_id or ""),
            attempt=attempt_of(child),
        )
        if isinstance(action, RequestCancel) and child.status is not OrderStatus.PENDING_CANCEL:
            step.cancel.append((child, action.new_limit))
        elif isinstance(action, SubmitReplacement) and (sequence_of(child), action.attempt) not in replaced:
            step.replacements.append(_replacement(parent, child, action, now))
    if live or step.replacements:
        return step
    waiting = sorted((c for c in children if c.status is OrderStatus.VALIDATED), key=sequence_of)
    if waiting:
        first = waiting[0]
        slot = scheduled(first)
        ready_at = slot.not_before if slot else None
        if ready_at is None or ready_at <= venue_now:
            step.send.append(first)
        return step
    if parent.unfilled_quantity > 0 and all(c.is_terminal for c in children):
        ended = {c.status.value for c in children if c.unfilled_quantity > 0}
        step.settle_expired = ended == {OrderStatus.EXPIRED.value}
        step.settle = (
            f"children done with {parent.unfilled_quantity} of {parent.quantity} unfilled "
            f"({', '.join(sorted(ended)) or 'none left'})"
        )
    return step


def _reprice_decision(
    parent: Order,
    child: Order,
    venue_now: datetime,
    reference: Decimal | None,
    settings: AlgoSettings,
    collar_pct: Decimal,
) -> Reprice | None:
    if child.limit_price is None or reference is None or not child.status.is_at_broker:
        return None
    if child.status is OrderStatus.PENDING_CANCEL:
        return None
    started = sent_at_venue(child)
    if started is None:
        return None
    anchor = parent.decision_price or reference
    collar = anchor * (1 + collar_pct) if parent.side.sign > 0 else anchor * (1 - collar_pct)
    decision = decide_reprice(
        side=child.side,
        limit=child.limit_price,
        reference=reference,
        worked_for=venue_now - started,
        urgency=child.urgency,
        reprices_done=attempt_of(child),
        collar=collar,
        settings=settings,
    )
    return decision if isinstance(decision, Reprice) else None


def _replacement(parent: Order, child: Order, action: SubmitReplacement, now: datetime) -> Order:
    coid = child_client_order_id(parent.client_order_id or parent.id, sequence_of(child), action.attempt)
    reason = f"replaces {child.client_order_id} at {action.limit_price} (repriced)"
    return _child(parent, action.quantity, coid, action.limit_price, reason, now)
