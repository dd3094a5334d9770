"""Alpaca's order rules, checked before anything is sent, so a batch is not refused one order at a time.

Pure: a request and the asset's flags (GET /v2/assets/{symbol}, read once per symbol per run) in, a definite
refusal with a reason code out, or None. The emulator enforces the same rules with Alpaca's own answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from oms.domain.enums import OrderType, TimeInForce
from oms.ports import BrokerRejected, OrderRequest

MIN_FRACTIONAL_NOTIONAL = Decimal(1)  # Alpaca: "cost basis must be >= 1"
_FRACTIONAL_TYPES = (OrderType.MARKET, OrderType.LIMIT)


def order_problem(request: OrderRequest, asset: Mapping[str, Any] | None) -> BrokerRejected | None:
    """Why Alpaca would refuse this order, or None. `asset` None: the flags could not be read, check the rest."""
    symbol = request.symbol
    fractional = request.quantity != request.quantity.to_integral_value()
    if asset is not None and not asset.get("tradable", True):
        return BrokerRejected(f"{symbol}: not tradable at Alpaca", code="ALPACA_NOT_TRADABLE")
    if fractional:
        if asset is not None and not asset.get("fractionable", False):
            return BrokerRejected(
                f"{symbol}: {request.quantity} shares is a fraction, and Alpaca does not trade {symbol} in fractions",
                code="ALPACA_NOT_FRACTIONABLE",
            )
        if request.time_in_force is not TimeInForce.DAY or request.order_type not in (
            OrderType.MARKET,
            OrderType.LIMIT,
        ):
            return BrokerRejected(
                f"{symbol}: a fractional order must be a DAY market or limit order at Alpaca",
                code="ALPACA_FRACTIONAL_NOT_DAY",
            )
        if request.limit_price is not None and request.quantity * request.limit_price < MIN_FRACTIONAL_NOTIONAL:
            return BrokerRejected(
                f"{symbol}: {request.quantity} x {request.limit_price} is under Alpaca's $1 minimum",
                code="ALPACA_MIN_NOTIONAL",
            )
    if request.extended_hours and (
        request.time_in_force is not TimeInForce.DAY or request.order_type is not OrderType.LIMIT
    ):
        return BrokerRejected(
            f"{symbol}: outside regular hours Alpaca takes DAY limit orders only", code="ALPACA_EXTENDED_HOURS_RULE"
        )
    return None
