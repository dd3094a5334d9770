"""Domain events: what happened to an order, in the past tense, enough to rebuild it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from oms.domain.enums import OrderStatus


class EventKind(StrEnum):
    CREATED = "created"
    VALIDATED = "validated"
    REJECTED = "rejected"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    FILLED = "fill"
    CANCEL_REQUESTED = "cancel_requested"
    CANCEL_REJECTED = "cancel_rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    AMENDED = "amended"
    NOTED = "noted"
    OUTCOME_UNKNOWN = "outcome_unknown"


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One entry of an order's audit trail. `details` holds JSON-safe strings only (decimals as text)."""

    order_id: str
    sequence: int
    kind: EventKind
    from_status: OrderStatus | None
    to_status: OrderStatus
    at: datetime
    details: dict[str, str | None] = field(default_factory=dict)
