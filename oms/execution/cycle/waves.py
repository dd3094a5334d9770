"""Which orders of a batch may go now: the lowest wave with orders waiting, and whether it is final.

A wave is *final* when every order of the earlier waves is terminal: no more sell proceeds can arrive for it, so a
buy that cash cannot cover now will never be covered and is shrunk or cancelled. Before that, a buy goes out only
when filled proceeds already cover it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from oms.domain import Order, OrderStatus
from oms.domain.facts import held_until, is_approved, needs_naming


@dataclass
class ReleasePlan:
    wave: int = 0
    orders: list[Order] = field(default_factory=list)
    final: bool = True


def plan_release(
    orders: Sequence[Order],
    *,
    now: datetime,
    require_approval: bool,
    supervised: bool = False,
    before_open: bool = False,
) -> ReleasePlan:
    """The waiting orders of the lowest wave that has any, skipping those held or awaiting a person.

    `before_open` (a manual desk that takes tickets for the open) keeps orders held until the open in the plan:
    the release decides again whether each goes to the desk now.
    """
    # Children go out on their parent's schedule, not with the wave.
    waiting = [o for o in orders if o.status is OrderStatus.VALIDATED and o.parent_id is None]
    if not waiting:
        return ReleasePlan()
    wave = min(o.wave for o in waiting)
    final = all(o.is_terminal for o in orders if o.wave < wave)
    ready = [
        o
        for o in waiting
        if o.wave == wave
        and (before_open or not _held_past(o, now))
        and not (require_approval and needs_naming(o, supervised=supervised) and not is_approved(o))
    ]
    return ReleasePlan(wave=wave, orders=ready, final=final)


def _held_past(order: Order, now: datetime) -> bool:
    """Held by a check until a time still ahead (the market opens later)."""
    until = held_until(order)
    return until is not None and until > now
