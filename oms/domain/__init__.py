"""The domain model: plain Python, no I/O. Orders, fills, batches and the rules of an order's life."""

from oms.domain.batch import Batch, BatchStatus
from oms.domain.enums import Algo, OrderStatus, OrderType, Side, TimeInForce, Urgency
from oms.domain.errors import DomainError, InvalidTransition, OrderValidationError, Overfill
from oms.domain.events import EventKind, OrderEvent
from oms.domain.fill import Fill
from oms.domain.order import Order
from oms.domain.replay import replay

__all__ = [
    "Algo",
    "Batch",
    "BatchStatus",
    "DomainError",
    "EventKind",
    "Fill",
    "InvalidTransition",
    "Order",
    "OrderEvent",
    "OrderStatus",
    "OrderType",
    "OrderValidationError",
    "Overfill",
    "Side",
    "TimeInForce",
    "Urgency",
    "replay",
]
