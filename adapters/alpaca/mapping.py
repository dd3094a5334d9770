"""Alpaca's JSON to our report values and back: statuses, numeric strings, ticks and fill keys.

alpaca-py runs in raw mode (`raw_data=True`) so its pydantic models never see a status they do not know (they
would raise) and every number stays the exact string Alpaca sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from oms.domain.enums import Side
from oms.logging import get_logger
from oms.ports import FillReport, OrderReport, ReportStatus

log = get_logger("oms.adapters.alpaca")

# Every Alpaca order status and what it means for us. Documented in docs/adapters/alpaca.md; keep both in step.
STATUS_MAP: dict[str, ReportStatus] = {
    "accepted": ReportStatus.PENDING,  # received by Alpaca, not yet routed (POST answers this; also after hours)
    "pending_new": ReportStatus.PENDING,  # routed, not yet acknowledged by the exchange
    "accepted_for_bidding": ReportStatus.PENDING,  # waiting for an auction
    "held": ReportStatus.PENDING,  # held back (e.g. a bracket leg waiting for its parent)
    "suspended": ReportStatus.PENDING,  # on the books but not eligible for trading
    "pending_review": ReportStatus.PENDING,  # compliance review before it works
    "new": ReportStatus.WORKING,
    "stopped": ReportStatus.WORKING,  # a price is guaranteed, the fill is still to come
    "pending_replace": ReportStatus.WORKING,  # we never replace; someone else did, it works until answered
    "calculated": ReportStatus.WORKING,  # done for the day, settlement figures pending: refined by quantity below
    "partially_filled": ReportStatus.PARTIALLY_FILLED,
    "filled": ReportStatus.FILLED,
    "pending_cancel": ReportStatus.PENDING_CANCEL,
    "canceled": ReportStatus.CANCELLED,
    "replaced": ReportStatus.CANCELLED,  # superseded by a new order with a new id: this one will not fill again
    "expired": ReportStatus.EXPIRED,
    "done_for_day": ReportStatus.EXPIRED,  # a day order's leftover; a GTC order resumes tomorrow (see below)
    "rejected": ReportStatus.REJECTED,
}

_RESUMES_TOMORROW = frozenset({"gtc"})


def decimal(value: Any) -> Decimal | None:
    """An Alpaca number (a string, sometimes a float or null) as an exact Decimal."""
    if value is None or value == "":
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return None


def timestamp(value: Any) -> datetime | None:
    """An RFC 3339 time (nanoseconds allowed) as an aware UTC datetime."""
    if not value:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    raw = str(value).replace("Z", "+00:00")
    head, dot, rest = raw.partition(".")
    if dot:  # Python keeps microseconds; Alpaca may send nanoseconds
        digits = len(rest) - len(rest.lstrip("0123456789"))
        raw = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
    return datetime.fromisoformat(raw).astimezone(UTC)


def map_status(raw: dict[str, Any]) -> ReportStatus:
    """Our status for one Alpaca order; an unknown word is logged and treated as working, never a crash."""
    word = str(raw.get("status", ""))
    status = STATUS_MAP.get(word)
    if status is None:
        log.warning("alpaca.unknown_status", status=word, client_order_id=raw.get("client_order_id"))
        status = ReportStatus.WORKING
    if word == "done_for_day" and str(raw.get("time_in_force", "")).lower() in _RESUMES_TOMORROW:
        status = ReportStatus.WORKING
    if status is ReportStatus.WORKING:
        filled = decimal(raw.get("filled_qty")) or Decimal(0)
        quantity = decimal(raw.get("qty")) or Decimal(0)
        if filled and quantity and filled >= quantity:
            status = ReportStatus.FILLED
        elif filled:
            status = ReportStatus.PARTIALLY_FILLED
    return status


def order_report(raw: dict[str, Any]) -> OrderReport:
    """One Alpaca order (REST body or the `order` of a trade update) as our OrderReport."""
    status = map_status(raw)
    word = str(raw.get("status", ""))
    reason = None
    if word == "replaced":
        reason = f"replaced by order {raw.get('replaced_by')}"
    elif status is ReportStatus.REJECTED:
        reason = "rejected by Alpaca"
    return OrderReport(
        client_order_id=str(raw.get("client_order_id", "")),
        broker_order_id=str(raw.get("id", "")),
        symbol=str(raw.get("symbol", "")),
        side=Side(str(raw.get("side", "buy"))),
        quantity=decimal(raw.get("qty")) or Decimal(0),
        status=status,
        filled_quantity=decimal(raw.get("filled_qty")) or Decimal(0),
        average_fill_price=_positive(decimal(raw.get("filled_avg_price"))),
        reason=reason,
        updated_at=timestamp(raw.get("updated_at")),
        raw_status=word,
    )


def fill_key(broker_order_id: str, cumulative: Decimal) -> str:
    """The execution id we report: the order and its cumulative quantity after this execution.

    Each execution raises the order's cumulative quantity, so the pair names one execution whichever way we
    learn of it: the stream (`order.filled_qty` of the event) and the REST activities (`cum_qty`) give the same
    key, the same quantity and the same price. Alpaca's own ids differ between the two, so neither is used.
    """
    return f"{broker_order_id}@{format(cumulative.normalize(), 'f')}"


def fill_from_activity(activity: dict[str, Any], client_order_id: str) -> FillReport | None:
    """A FILL account activity as a FillReport (None when it lacks what a fill needs)."""
    cumulative, quantity, price = (decimal(activity.get(k)) for k in ("cum_qty", "qty", "price"))
    at = timestamp(activity.get("transaction_time"))
    order_id = str(activity.get("order_id", ""))
    if cumulative is None or not quantity or not price or at is None or not order_id:
        return None
    return FillReport(
        exec_id=fill_key(order_id, cumulative),
        client_order_id=client_order_id,
        broker_order_id=order_id,
        symbol=str(activity.get("symbol", "")),
        side=Side(str(activity.get("side", "buy")).split("_")[0]),
        quantity=quantity,
        price=price,
        at=at,
    )


def fill_from_trade_update(data: dict[str, Any]) -> FillReport | None:
    """A `fill` / `partial_fill` trade update as a FillReport; other events give None."""
    if data.get("event") not in ("fill", "partial_fill"):
        return None
    order = data.get("order") or {}
    cumulative, quantity, price = decimal(order.get("filled_qty")), decimal(data.get("qty")), decimal(data.get("price"))
    at = timestamp(data.get("timestamp"))
    if cumulative is None or not quantity or not price or at is None:
        return None
    return FillReport(
        exec_id=fill_key(str(order.get("id")), cumulative),
        client_order_id=str(order.get("client_order_id", "")),
        broker_order_id=str(order.get("id", "")),
        symbol=str(order.get("symbol", "")),
        side=Side(str(order.get("side", "buy"))),
        quantity=quantity,
        price=price,
        at=at,
    )


def to_tick(price: Decimal, side: Side | None = None) -> Decimal:
    """Round a price to Alpaca's tick: a cent at or above $1, a hundredth of a cent below.

    A limit rounds toward the safe side (a buy never pays more, a sell never takes less than asked); without a
    side (stop prices) it rounds half up.
    """
    tick = Decimal("0.01") if price >= 1 else Decimal("0.0001")
    rounding = {Side.BUY: ROUND_FLOOR, Side.SELL: ROUND_CEILING}.get(side, ROUND_HALF_UP) if side else ROUND_HALF_UP
    return price.quantize(tick, rounding=rounding)


def _positive(value: Decimal | None) -> Decimal | None:
    # Alpaca sends "0" as the average price of an order that has not filled (after hours).
    return value if value else None
