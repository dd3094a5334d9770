"""Approving a supervised batch: what was approved, what stays held and why, and who must act next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from oms.domain import Batch, Order, OrderStatus
from oms.domain.facts import is_approved, needs_naming, warnings


@dataclass
class Held:
    order: Order
    warnings: list[str]


@dataclass
class Approval:
    batch: Batch
    approved: list[Order] = field(default_factory=list)
    still_held: list[Held] = field(default_factory=list)
    next_step: str = ""


def approve(
    wiring: Any, batch_ref: str, *, actor: str, order_refs: Sequence[str] = (), all_orders: bool = False
) -> Approval:
    """Approve a batch; warned orders are approved only when named or with `all_orders`. Raises BatchNotFound."""
    engine = wiring.engine
    batch, approved = engine.approve(batch_ref, actor, order_ids=list(order_refs), include_warnings=all_orders)
    held = [
        Held(o, warnings_of(o))
        for o in engine.batch_orders(batch.id)
        if o.status is OrderStatus.VALIDATED and needs_naming(o, supervised=batch.supervised) and not is_approved(o)
    ]
    return Approval(batch, approved, held, next_step(batch))


def warnings_of(order: Order) -> list[str]:
    """The risk warnings recorded on an order, as `CODE: message`."""
    return [f"{w.code}: {w.message}" for w in warnings(order)]


def next_step(batch: Batch) -> str:
    """Who carries an approved batch on, as the exact command."""
    if batch.broker == "manual":
        return f"you: run `oms run {batch.source} --mode manual` again to print its tickets"
    if batch.details.get("origin") == "run":
        return f"you: run `oms run {batch.source}` again to execute it"
    return f"`oms daemon --broker {batch.broker}` executes it (start one if none is running)"
