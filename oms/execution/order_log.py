"""The fields every order log line carries, so a line can be found by batch, order, client order id or symbol."""

from __future__ import annotations

from typing import Any

from oms.domain import Order
from oms.domain.values import decimal_text


def order_fields(order: Order) -> dict[str, Any]:
    """The fields every order log line carries (batch, ids, symbol, side, quantity, from and to status)."""
    last = order.events[-1] if order.events else None
    return {
        "batch_id": order.batch_id,
        "order_id": order.id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": decimal_text(order.quantity),
        "from_status": last.from_status.value if last and last.from_status else None,
        "to_status": order.status.value,
    }
