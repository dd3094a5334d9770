"""Repricing an unfilled limit child, and the cancel-then-new sequence that does it safely.

A resting limit child that has not filled after its patience (by urgency) is moved to the current reference
price, crossed by a few basis points for normal and high urgency, rounded to the tick in the side's favour and
never past an optional collar (the worst price the parent accepts). It is moved only toward the market: a
limit already at or through the reference waits, since the price is not what holds it back.

The engine never modifies in place and never has two live children of one slice: it cancels the child, waits for
the broker to confirm the cancel (a fill may still arrive while it waits), and only then sends a replacement for
what is left, with a new client order id (`child_client_order_id(..., attempt=n)`). `next_child_action` states
that sequence as a pure function of the child's status, so each step of it can be tested and resumed after a crash.

    working --(reprice wanted)--> RequestCancel --> pending_cancel --(confirmed)--> SubmitReplacement(leaves)
                                                                    --(filled meanwhile)--> ChildDone
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from oms.domain.enums import OrderStatus, Side, Urgency
from oms.execution.algos.settings import AlgoSettings
from oms.execution.ticks import round_to_tick

DEFAULT_SETTINGS = AlgoSettings()
BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class Wait:
    """Leave the child as it is; look again after `recheck_after` when that is known."""

    reason: str
    recheck_after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Reprice:
    """Replace the child with one limited at `new_limit` (by cancel-then-new)."""

    new_limit: Decimal
    reason: str


def decide_reprice(
    *,
    side: Side,
    limit: Decimal,
    reference: Decimal,
    worked_for: timedelta,
    urgency: Urgency,
    reprices_done: int = 0,
    collar: Decimal | None = None,
    settings: AlgoSettings = DEFAULT_SETTINGS,
) -> Wait | Reprice:
    """Decide whether an unfilled limit child should wait or be repriced, and to what limit."""
    if limit <= 0 or reference <= 0:
        raise ValueError(f"limit and reference must be positive, got {limit} and {reference}")
    patience = timedelta(seconds=settings.reprice_patience_seconds[urgency])
    if worked_for < patience:
        return Wait(f"resting less than its patience of {patience}", recheck_after=patience - worked_for)
    if reprices_done >= settings.max_reprices:
        return Wait(f"already repriced {reprices_done} times, the most allowed")
    if (side is Side.BUY and limit >= reference) or (side is Side.SELL and limit <= reference):
        return Wait("the limit is already at or through the reference price", recheck_after=patience)
    cross = reference * settings.reprice_cross_bps[urgency] / BPS
    target = round_to_tick(reference + cross if side is Side.BUY else reference - cross, side)
    capped = False
    if collar is not None:
        collar = round_to_tick(collar, side)
        if (side is Side.BUY and target > collar) or (side is Side.SELL and target < collar):
            target, capped = collar, True
    if (side is Side.BUY and target <= limit) or (side is Side.SELL and target >= limit):
        reason = "the limit is already at the collar" if capped else "no better tick to move to"
        return Wait(reason, recheck_after=patience)
    return Reprice(target, "at the collar" if capped else f"unfilled after {worked_for}; moved to the reference")


@dataclass(frozen=True, slots=True)
class NoAction:
    """Nothing to do now."""

    reason: str


@dataclass(frozen=True, slots=True)
class RequestCancel:
    """Cancel the child; remember `new_limit` and replace the child once the cancel is confirmed."""

    new_limit: Decimal


@dataclass(frozen=True, slots=True)
class SubmitReplacement:
    """Send a new child for `quantity` at `limit_price`; its id is `child_client_order_id(..., attempt)`."""

    quantity: Decimal
    limit_price: Decimal
    attempt: int


@dataclass(frozen=True, slots=True)
class ChildDone:
    """This slice needs nothing more: filled, rejected, or ended without a replacement pending."""

    reason: str


ChildAction = NoAction | RequestCancel | SubmitReplacement | ChildDone


def next_child_action(
    *,
    status: OrderStatus,
    quantity: Decimal,
    filled: Decimal,
    decision: Wait | Reprice | None = None,
    pending_limit: Decimal | None = None,
    attempt: int = 0,
) -> ChildAction:
    """Return the next step of cancel-then-new for a child in `status`.

    `pending_limit` is the limit the engine stored when it requested the cancel; it marks a cancel as ours, made
    to reprice. The replacement is sized from what is left *after* the cancel is confirmed, so a fill that raced
    the cancel is never traded twice. A cancel refused by the broker puts the child back to working: the engine
    clears `pending_limit` then and this function keeps the child working.
    """
    leaves = quantity - filled
    if leaves < 0:
        raise ValueError(f"filled {filled} is more than the child's quantity {quantity}")
    match status:
        case OrderStatus.NEW | OrderStatus.VALIDATED:
            return NoAction("not at the broker yet")
        case OrderStatus.SUBMITTED | OrderStatus.PARTIALLY_FILLED:
            if isinstance(decision, Reprice):
                return RequestCancel(decision.new_limit)
            return NoAction(decision.reason if decision else "working")
        case OrderStatus.PENDING_CANCEL:
            return NoAction("waiting for the broker to confirm the cancel; a fill may still arrive")
        case OrderStatus.FILLED:
            return ChildDone("filled")
        case OrderStatus.REJECTED:
            return ChildDone("rejected by the broker; not replaced automatically")
        case OrderStatus.CANCELLED | OrderStatus.EXPIRED:
            if leaves == 0:
                return ChildDone("filled before the cancel took effect")
            if status is OrderStatus.CANCELLED and pending_limit is not None:
                return SubmitReplacement(leaves, pending_limit, attempt + 1)
            return ChildDone(f"{status.value} with {leaves} left and no replacement asked for")
    raise ValueError(f"unknown status {status!r}")  # pragma: no cover - the match covers every status
