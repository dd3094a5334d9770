"""Interactive Brokers' vocabulary translated to the port's: statuses, error codes, order fields.

Pure functions over plain values, so every row of the table in docs/adapters/ibkr.md has a unit test.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.ports import BrokerRejected, OrderRequest, ReportStatus

# IB's "unset" double (sys.float_info.max) shows up where a value was never filled in.
_UNSET = 1e300


def map_status(raw: str, filled: Decimal, quantity: Decimal) -> ReportStatus:
    """Map an IB order status plus the filled quantity to a ReportStatus.

    The quantity decides between working and partially filled, and makes an order filled once everything is
    executed even if the gateway never sent `Filled` (market orders may only produce executions).
    """
    if quantity > 0 and filled >= quantity:
        return ReportStatus.FILLED
    if raw in ("PendingSubmit", "ApiPending"):
        return ReportStatus.PARTIALLY_FILLED if filled > 0 else ReportStatus.PENDING
    if raw in ("PreSubmitted", "Submitted", "ValidationError", "ApiUpdate"):
        # ValidationError is a warning on a live order (ib_async keeps it working); PreSubmitted is held by IB
        # until its trigger or the session opens, and can still execute.
        return ReportStatus.PARTIALLY_FILLED if filled > 0 else ReportStatus.WORKING
    if raw == "PendingCancel":
        return ReportStatus.PENDING_CANCEL
    if raw in ("Cancelled", "ApiCancelled"):
        return ReportStatus.CANCELLED
    if raw == "Filled":
        return ReportStatus.FILLED
    if raw == "Inactive":
        # Refused by IB or the exchange; when something had executed first, what is left is dead: cancelled.
        return ReportStatus.CANCELLED if filled > 0 else ReportStatus.REJECTED
    return ReportStatus.PENDING


class ErrorKind(StrEnum):
    NOTICE = "notice"  # informational, nothing to do
    WARNING = "warning"  # about an order that lives on (399 held until the open, 10349 TIF preset...): no outcome
    REJECT = "reject"  # the order definitely does not exist at IB
    CANCELLED = "cancelled"  # the order was cancelled (confirm with the gateway before booking)
    CANCEL_REJECTED = "cancel_rejected"  # our cancel came too late or found nothing
    RETRY = "retry"  # the order was not taken; sending it again with a new id is safe
    CONNECTIVITY_LOST = "connectivity_lost"
    CLIENT_ID_IN_USE = "client_id_in_use"
    CONNECTIVITY_RESTORED = "connectivity_restored"
    ORDER_ERROR = "order_error"  # anything else about an order: confirm its state with the gateway


@dataclass(frozen=True, slots=True)
class ErrorMeaning:
    kind: ErrorKind
    meaning: str


ERRORS: dict[int, ErrorMeaning] = {
    100: ErrorMeaning(ErrorKind.REJECT, "pacing: more than 50 messages per second; the request was dropped"),
    103: ErrorMeaning(ErrorKind.RETRY, "duplicate order id; the order was not placed"),
    161: ErrorMeaning(ErrorKind.CANCEL_REJECTED, "cancel attempted while the order is not cancellable"),
    200: ErrorMeaning(ErrorKind.REJECT, "no security definition for the contract"),
    201: ErrorMeaning(ErrorKind.REJECT, "order rejected"),
    202: ErrorMeaning(ErrorKind.CANCELLED, "order cancelled"),
    10147: ErrorMeaning(ErrorKind.CANCEL_REJECTED, "the order to cancel was not found"),
    10148: ErrorMeaning(ErrorKind.CANCEL_REJECTED, "cancel too late: the order is already filled or done"),
    1100: ErrorMeaning(ErrorKind.CONNECTIVITY_LOST, "connectivity between the gateway and IB lost"),
    1101: ErrorMeaning(ErrorKind.CONNECTIVITY_RESTORED, "connectivity restored, data lost: resubscribe"),
    1102: ErrorMeaning(ErrorKind.CONNECTIVITY_RESTORED, "connectivity restored, data kept"),
    2110: ErrorMeaning(ErrorKind.CONNECTIVITY_LOST, "connectivity between TWS and IB's servers broken"),
    326: ErrorMeaning(ErrorKind.CLIENT_ID_IN_USE, "another API client is connected with this client id"),
}


# ib_async's own warning list (wrapper.error), plus 10349: an order these come about is still live at IB.
WARNING_CODES = frozenset({105, 110, 165, 321, 329, 399, 404, 434, 492, 10167, 10349})


def classify_error(code: int) -> ErrorMeaning:
    """What an IB error code means for the OMS; 2100-2199 are warnings and notices (farm connections and the
    like), except 2110, the link between TWS and IB's servers broken."""
    if code in ERRORS:
        return ERRORS[code]
    if code in WARNING_CODES:
        return ErrorMeaning(ErrorKind.WARNING, "warning: the order lives on")
    if 2100 <= code < 2200:
        return ErrorMeaning(ErrorKind.NOTICE, "informational notice")
    return ErrorMeaning(ErrorKind.ORDER_ERROR, "error about an order or request")


_TIF = {
    TimeInForce.DAY: "DAY",
    TimeInForce.GTC: "GTC",
    TimeInForce.IOC: "IOC",
    TimeInForce.FOK: "FOK",
    TimeInForce.OPG: "OPG",
    TimeInForce.CLS: "DAY",  # at the close is an order type at IB (MOC / LOC), sent with a DAY time in force
}


@dataclass(frozen=True, slots=True)
class OrderFields:
    """What goes into an ib_async `Order` for one request; floats only at this last step, for the SDK."""

    action: str
    total_quantity: float
    order_type: str
    tif: str
    limit_price: float | None
    aux_price: float | None
    outside_rth: bool
    order_ref: str
    account: str


def order_fields(request: OrderRequest, account: str) -> OrderFields:
    """Translate a request; raise BrokerRejected for what IB would refuse or the adapter does not send."""
    if request.quantity <= 0 or request.quantity != request.quantity.to_integral_value():
        raise BrokerRejected(
            f"{request.symbol}: quantity {request.quantity} is not a positive whole number of shares",
            code="IB_FRACTIONAL_QUANTITY",
        )
    order_type = {
        OrderType.MARKET: "MKT",
        OrderType.LIMIT: "LMT",
        OrderType.STOP: "STP",
        OrderType.STOP_LIMIT: "STP LMT",
    }[request.order_type]
    if request.time_in_force is TimeInForce.CLS:
        if request.order_type not in (OrderType.MARKET, OrderType.LIMIT):
            raise BrokerRejected("at-the-close orders must be market or limit", code="IB_UNSUPPORTED_ORDER")
        order_type = "MOC" if request.order_type is OrderType.MARKET else "LOC"
    if request.order_type.needs_limit_price and request.limit_price is None:
        raise BrokerRejected(f"{request.symbol}: a limit price is required", code="IB_MISSING_PRICE")
    if request.order_type.needs_stop_price and request.stop_price is None:
        raise BrokerRejected(f"{request.symbol}: a stop price is required", code="IB_MISSING_PRICE")
    return OrderFields(
        action="BUY" if request.side is Side.BUY else "SELL",
        total_quantity=float(request.quantity),
        order_type=order_type,
        tif=_TIF[request.time_in_force],
        limit_price=float(request.limit_price) if request.limit_price is not None else None,
        aux_price=float(request.stop_price) if request.stop_price is not None else None,
        outside_rth=request.extended_hours,
        order_ref=request.client_order_id,
        account=account,
    )


def utc_execution_time(text: str) -> str:
    """Give a zone-less `yyyymmdd-hh:mm:ss` execution time its zone: TWS means UTC, ib_async reads it as host-local.

    Any other form (already carrying a zone, or an epoch) is returned unchanged.
    """
    date, dash, clock = text.partition("-")
    if dash and len(date) == 8 and date.isdigit() and len(clock) == 8 and clock.count(":") == 2:
        return f"{date} {clock} UTC"
    return text


def side_of(action_or_side: str) -> Side:
    """BUY/BOT are buys, SELL/SLD/SSHORT are sells."""
    return Side.BUY if action_or_side.upper() in ("BUY", "BOT") else Side.SELL


def to_decimal(value: float | int | str | None) -> Decimal | None:
    """An SDK number as an exact Decimal (via its shortest text), or None when IB left it unset."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if abs(value) > _UNSET:
            return None
        if value.is_integer():
            return Decimal(int(value))  # share counts arrive as floats: 30.0 is 30
    return Decimal(str(value))
