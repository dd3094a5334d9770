"""Fill-gap repair: when a broker's order report says more is filled than the ledger has booked, for too long.

Pure functions (inputs in, decisions out); `polling` calls them once per cycle. A gap seen for `grace` seconds
asks the broker for a fresh read of its executions (Alpaca's activities, IB's reqExecutions); a gap still there
after twice that books the difference from the order report itself (cumulative quantity and average price) as
one fill whose execution id starts with `derived:`. Executions that arrive later and are already covered by a
derived fill are not booked a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from oms.domain import Order
from oms.domain.values import decimal_text
from oms.ports import FillReport, OrderReport

DERIVED_PREFIX = "derived:"


@dataclass(frozen=True, slots=True)
class Gap:
    client_order_id: str
    first_seen: datetime
    fresh_read: bool = False  # whether the broker was already asked for a fresh read of its executions


@dataclass(frozen=True, slots=True)
class DerivedFill:
    exec_id: str
    quantity: Decimal
    price: Decimal
    at: datetime


def track(
    orders: Mapping[str, Order], reports: Iterable[OrderReport], gaps: Mapping[str, Gap], now: datetime
) -> dict[str, Gap]:
    """The gaps open after this cycle: kept with their first sighting, new ones from now, closed ones dropped."""
    tracked: dict[str, Gap] = {}
    for report in reports:
        order = orders.get(report.client_order_id)
        if order is None or report.filled_quantity <= order.filled_quantity:
            continue
        tracked[report.client_order_id] = gaps.get(report.client_order_id) or Gap(report.client_order_id, now)
    return tracked


def needing_fresh_read(gaps: Mapping[str, Gap], now: datetime, grace: timedelta) -> list[str]:
    return [g.client_order_id for g in gaps.values() if not g.fresh_read and now - g.first_seen >= grace]


def needing_derived_fill(gaps: Mapping[str, Gap], now: datetime, grace: timedelta) -> list[str]:
    return [g.client_order_id for g in gaps.values() if g.fresh_read and now - g.first_seen >= 2 * grace]


def derive(order: Order, report: OrderReport, at: datetime) -> DerivedFill | None:
    """The fill that makes the ledger agree with the report, or None when the report cannot price it."""
    missing = report.filled_quantity - order.filled_quantity
    if missing <= 0 or report.average_fill_price is None or report.average_fill_price <= 0:
        return None
    booked_value = sum((f.quantity * f.price for f in order.fills), Decimal(0))
    price = (report.average_fill_price * report.filled_quantity - booked_value) / missing
    if price <= 0:
        price = report.average_fill_price  # rounding in the broker's average: its own figure is the best guess
    exec_id = f"{DERIVED_PREFIX}{report.client_order_id}@{decimal_text(report.filled_quantity)}"
    return DerivedFill(exec_id, missing, price.quantize(Decimal("0.000001")).normalize(), at)


def covered_by_derived(
    orders: Mapping[str, Order], fills: Sequence[FillReport], reports: Iterable[OrderReport]
) -> tuple[list[FillReport], list[FillReport]]:
    """Split fills into those to book and those a derived fill already stands for (booking them would double)."""
    reported = {r.client_order_id: r.filled_quantity for r in reports}
    room: dict[str, Decimal] = {}
    keep: list[FillReport] = []
    covered: list[FillReport] = []
    for fill in sorted(fills, key=lambda f: (f.at, f.exec_id)):
        order = orders.get(fill.client_order_id)
        if order is None or order.has_fill(fill.exec_id) or not _has_derived(order):
            keep.append(fill)
            continue
        ceiling = max(reported.get(fill.client_order_id, order.filled_quantity), order.filled_quantity)
        left = room.setdefault(fill.client_order_id, ceiling - order.filled_quantity)
        if fill.quantity <= left:
            room[fill.client_order_id] = left - fill.quantity
            keep.append(fill)
        else:
            covered.append(fill)
    return keep, covered


def _has_derived(order: Order) -> bool:
    return any(f.exec_id.startswith(DERIVED_PREFIX) for f in order.fills)
