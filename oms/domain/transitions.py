"""The order state machine: one table, every legal edge and nothing else.

Each action maps the statuses it may start from to where it leads. Two targets are not fixed statuses but rules:

- ``WORKING`` resolves to ``partially_filled`` when something is filled, else ``submitted``. A rejected cancel uses
  it to restore the status the order had before the cancel was asked for (fills may have arrived meanwhile);
- ``AFTER_FILL`` keeps the current status, except that an order with nothing left becomes ``filled`` and a
  ``submitted`` (or ``unknown``) order that received its first fill becomes ``partially_filled``. FIX books fills
  while a cancel is pending and after a cancel or an expiry, so those statuses hold until nothing is left.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from oms.domain.enums import OrderStatus

S = OrderStatus


class Action(StrEnum):
    VALIDATE = "validate"
    REJECT = "reject"
    SUBMIT = "submit"
    ACKNOWLEDGE = "acknowledge"
    FILL = "fill"
    REQUEST_CANCEL = "request_cancel"
    REJECT_CANCEL = "reject_cancel"
    CANCEL = "cancel"
    EXPIRE = "expire"
    AMEND = "amend"
    LOSE_TRACK = "lose_track"


class Rule(StrEnum):
    WORKING = "working"
    AFTER_FILL = "after_fill"
    SAME = "same"


Target = OrderStatus | Rule

_OPEN_BEFORE_BROKER = (S.NEW, S.VALIDATED)
_WORKING = (S.SUBMITTED, S.PARTIALLY_FILLED, S.PENDING_CANCEL)

TRANSITIONS: Final[dict[Action, dict[OrderStatus, Target]]] = {
    Action.VALIDATE: {S.NEW: S.VALIDATED},
    # A reject is only possible while nothing is filled; Order.reject enforces the quantity part.
    Action.REJECT: {
        S.NEW: S.REJECTED,
        S.VALIDATED: S.REJECTED,
        S.SUBMITTED: S.REJECTED,
        S.PENDING_CANCEL: S.REJECTED,
        S.UNKNOWN: S.REJECTED,
    },
    Action.SUBMIT: {S.VALIDATED: S.SUBMITTED},
    # The acknowledgement records the broker's order id; it may arrive after fills or a cancel.
    Action.ACKNOWLEDGE: {
        **dict.fromkeys(_WORKING, Rule.SAME),
        S.UNKNOWN: Rule.WORKING,  # the broker shows it after all: it works on
        S.FILLED: Rule.SAME,
        S.CANCELLED: Rule.SAME,
        S.EXPIRED: Rule.SAME,
    },
    Action.FILL: {
        **dict.fromkeys((*_WORKING, S.UNKNOWN), Rule.AFTER_FILL),
        S.CANCELLED: Rule.AFTER_FILL,
        S.EXPIRED: Rule.AFTER_FILL,
    },
    Action.REQUEST_CANCEL: {S.SUBMITTED: S.PENDING_CANCEL, S.PARTIALLY_FILLED: S.PENDING_CANCEL},
    # A cancel that lost the race to the last fill is rejected on an order that is already filled.
    Action.REJECT_CANCEL: {S.PENDING_CANCEL: Rule.WORKING, S.FILLED: Rule.SAME},
    Action.CANCEL: dict.fromkeys((*_OPEN_BEFORE_BROKER, *_WORKING, S.UNKNOWN), S.CANCELLED),
    Action.EXPIRE: dict.fromkeys((*_OPEN_BEFORE_BROKER, *_WORKING, S.UNKNOWN), S.EXPIRED),
    # Before the broker has seen it, an order may shrink (a buy that filled sells cannot fully fund).
    Action.AMEND: {S.NEW: Rule.SAME, S.VALIDATED: Rule.SAME},
    # Sent, never acknowledged, and the broker cannot rule out that it holds it (no unique-id guarantee).
    Action.LOSE_TRACK: {S.SUBMITTED: S.UNKNOWN},
}


def target_of(action: Action, status: OrderStatus) -> Target | None:
    """Return where `action` leads from `status`, or None when the table has no such edge."""
    return TRANSITIONS[action].get(status)
