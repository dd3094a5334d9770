"""Fills a person types or imports: read their times as New York wall time, and refuse what cannot be right.

A fill is refused (unless forced) when its price is on the wrong side of the order's limit or further from the
reference price than the collar (`[manual] fill_collar_pct`); it is always refused when its time falls before the
order was sent or in the future, because the ledger would not book it and the person would believe it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from oms.domain import Order, OrderStatus, Side
from oms.domain.facts import arrival, for_the_open, submitted_at

EXCHANGE_TIME = ZoneInfo("America/New_York")
DEFAULT_COLLAR_PCT = Decimal("0.10")
CLOCK_SKEW = timedelta(minutes=1)  # a fill stamped a moment ahead of this machine's clock is still believable


class FillRefused(ValueError):
    """A typed fill the ledger must not book; the message says why, with the numbers."""


@dataclass(frozen=True)
class TypedFill:
    """One execution as a person reports it, resolved to its order."""

    order: Order
    quantity: Decimal
    price: Decimal
    at: datetime
    exec_id: str | None = None
    commission: Decimal = Decimal(0)


def exchange_time(text: str) -> datetime:
    """An ISO 8601 time; without an offset it is the exchange's wall time (America/New_York). Raises ValueError."""
    when = datetime.fromisoformat(text.strip())
    if when.tzinfo is None:
        when = when.replace(tzinfo=EXCHANGE_TIME)
    return when.astimezone(UTC)


def collar_pct(settings: Any) -> Decimal:
    """`[manual] fill_collar_pct`: how far from the reference price a typed fill may be (0.10 = 10%)."""
    raw = settings.section("manual").get("fill_collar_pct", DEFAULT_COLLAR_PCT)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        value = Decimal(-1)
    if not (0 < value <= 1):
        raise ValueError(f"[manual] fill_collar_pct: must be a fraction above 0 and at most 1, got {raw!r}")
    return value


def check_fill(fill: TypedFill, *, now: datetime, collar: Decimal, reference: Decimal | None, force: bool) -> None:
    """Refuse a fill whose time or price cannot be right; `force` lets a price outside the collar through."""
    order, coid = fill.order, fill.order.client_order_id or fill.order.id
    sent = submitted_at(order)
    if order.status in (OrderStatus.NEW, OrderStatus.VALIDATED) or sent is None:
        raise FillRefused(f"{coid}: the order has not been released to the desk yet; no fill can be booked")
    if fill.at < sent:
        raise FillRefused(
            f"{coid}: fill time {_local(fill.at)} is before the order was sent at {_local(sent)};"
            " a time without an offset is New York time"
        )
    opens = for_the_open(order)
    if opens is not None and fill.at < opens:
        raise FillRefused(
            f"{coid}: fill time {_local(fill.at)} is before the open it was ticketed for ({_local(opens)});"
            " a time without an offset is New York time"
        )
    if fill.at > now + CLOCK_SKEW:
        raise FillRefused(f"{coid}: fill time {_local(fill.at)} is in the future (now {_local(now)})")
    if fill.commission < 0:
        raise FillRefused(f"{coid}: commission must not be negative, got {fill.commission}")
    if force:
        return
    limit = order.limit_price
    if limit is not None and order.side is Side.BUY and fill.price > limit:
        raise FillRefused(f"{coid}: price {fill.price} is above the buy limit {limit}; check it, or --force")
    if limit is not None and order.side is Side.SELL and fill.price < limit:
        raise FillRefused(f"{coid}: price {fill.price} is below the sell limit {limit}; check it, or --force")
    if reference and abs(fill.price - reference) > reference * collar:
        off = abs(fill.price - reference) / reference * 100
        raise FillRefused(
            f"{coid}: price {fill.price} is {off:.1f}% from the reference {reference} {order.symbol},"
            f" outside the {collar * 100:.0f}% collar; check it, or --force"
        )


def reference_price(order: Order, market: Any) -> Decimal | None:
    """The price a typed fill is compared with: the arrival price, else the decision price, else a quote."""
    recorded = arrival(order)
    found = (recorded.price if recorded is not None else None) or order.decision_price
    if found:
        return found
    quote = market.quote(order.symbol)
    return quote.price if quote is not None else None


def _local(when: datetime) -> str:
    return f"{when.astimezone(EXCHANGE_TIME):%Y-%m-%d %H:%M:%S %Z}"
