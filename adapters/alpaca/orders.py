"""Our OrderRequest as alpaca-py's request model: client order id always, prices on the tick before floats."""

from __future__ import annotations

from typing import Any

from adapters.alpaca.mapping import to_tick
from oms.domain.enums import OrderType
from oms.ports import BrokerRejected, OrderRequest

MAX_CLIENT_ORDER_ID = 48


def check_client_order_id(client_order_id: str) -> None:
    """Refuse, before sending anything, an id Alpaca would refuse (or that could not find the order again)."""
    if not client_order_id:
        raise BrokerRejected("an order needs a client order id", code="MISSING_CLIENT_ORDER_ID")
    if len(client_order_id) > MAX_CLIENT_ORDER_ID:
        raise BrokerRejected(
            f"client order id {client_order_id!r} is {len(client_order_id)} characters; Alpaca allows 48",
            code="CLIENT_ORDER_ID_TOO_LONG",
        )


def sdk_order_request(request: OrderRequest) -> Any:
    """Build the alpaca-py request model for one order."""
    from alpaca.trading.enums import OrderSide, TimeInForce
    from alpaca.trading.requests import (
        LimitOrderRequest,
        MarketOrderRequest,
        StopLimitOrderRequest,
        StopOrderRequest,
    )

    check_client_order_id(request.client_order_id)
    fields: dict[str, Any] = {
        "symbol": request.symbol,
        # The SDK sends quantities and prices as JSON floats; a Decimal on the tick survives that exactly.
        "qty": float(request.quantity),
        "side": OrderSide(request.side.value),
        "time_in_force": TimeInForce(request.time_in_force.value),
        "client_order_id": request.client_order_id,
    }
    if request.extended_hours:
        fields["extended_hours"] = True
    if request.order_type.needs_limit_price:
        if request.limit_price is None:
            raise BrokerRejected(f"{request.order_type} order without a limit price", code="INVALID_ORDER")
        fields["limit_price"] = float(to_tick(request.limit_price, request.side))
    if request.order_type.needs_stop_price:
        if request.stop_price is None:
            raise BrokerRejected(f"{request.order_type} order without a stop price", code="INVALID_ORDER")
        fields["stop_price"] = float(to_tick(request.stop_price))
    model = {
        OrderType.MARKET: MarketOrderRequest,
        OrderType.LIMIT: LimitOrderRequest,
        OrderType.STOP: StopOrderRequest,
        OrderType.STOP_LIMIT: StopLimitOrderRequest,
    }[request.order_type]
    try:
        return model(**fields)
    except ValueError as exc:  # pydantic's validation: a definite no, nothing was sent
        first = str(exc).splitlines()
        raise BrokerRejected(f"alpaca-py refused the order: {' '.join(first[:3])}", code="INVALID_ORDER") from None
