"""Orders in every status, built only through the state machine's own methods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from oms.domain import Order, OrderStatus

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def new_order(quantity: str = "10", **fields: object) -> Order:
    return Order.create("AAPL", "buy", quantity, "limit", limit_price="150.00", at=T0, **fields)


def order_in(status: OrderStatus, quantity: str = "10") -> Order:
    """An order of `quantity` shares that reached `status` along the shortest ordinary path."""
    order = new_order(quantity)
    if status is OrderStatus.NEW:
        return order
    if status is OrderStatus.REJECTED:
        order.reject("test", at=T0)
        return order
    order.validate(at=T0)
    if status is OrderStatus.VALIDATED:
        return order
    order.submit("coid-1", at=T0)
    if status is OrderStatus.SUBMITTED:
        return order
    later = T0 + timedelta(seconds=1)
    if status is OrderStatus.PARTIALLY_FILLED:
        order.fill("x-part", Decimal(quantity) / 2, "150.00", later)
    elif status is OrderStatus.FILLED:
        order.fill("x-all", quantity, "150.00", later)
    elif status is OrderStatus.PENDING_CANCEL:
        order.request_cancel(at=later)
    elif status is OrderStatus.CANCELLED:
        order.cancel("test", at=later)
    elif status is OrderStatus.EXPIRED:
        order.expire(at=later)
    elif status is OrderStatus.UNKNOWN:
        order.lose_track("test", at=later)
    assert order.status is status
    return order
