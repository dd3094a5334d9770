"""Applying what a broker reports to the orders in the ledger: fills first, then status.

Pure functions over domain orders: the engine loads the orders, calls these, and saves what changed. A fill is
matched by client order id and booked by execution id (booked once however often it is reported). A status report
only moves an order forward; fills, never statuses, make an order filled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from oms.domain import InvalidTransition, Order, OrderStatus, Overfill
from oms.ports import FillReport, OrderReport, ReportStatus


@dataclass
class BookingResult:
    changed: dict[str, Order] = field(default_factory=dict)  # order id -> order with new events
    fills_booked: int = 0
    duplicate_fills: int = 0
    anomalies: list[str] = field(default_factory=list)  # things a person must look at (reconcile shows them)
    unknown_fills: list[FillReport] = field(default_factory=list)  # fills of orders this ledger does not have


def book_fills(orders_by_coid: dict[str, Order], fills: Iterable[FillReport], result: BookingResult) -> None:
    """Book each fill on its order; duplicates are counted, overfills and strays reported, nothing dropped."""
    for report in sorted(fills, key=lambda f: (f.at, f.exec_id)):
        order = orders_by_coid.get(report.client_order_id)
        if order is None:
            result.unknown_fills.append(report)
            continue
        if order.has_fill(report.exec_id):
            result.duplicate_fills += 1
            continue
        try:
            booked = order.fill(report.exec_id, report.quantity, report.price, report.at, report.commission)
        except (Overfill, InvalidTransition) as exc:
            result.anomalies.append(f"{order.client_order_id}: fill {report.exec_id} not booked: {exc}")
            continue
        if booked:
            result.fills_booked += 1
            result.changed[order.id] = order


def apply_report(order: Order, report: OrderReport, result: BookingResult) -> None:
    """Move the order as the broker's status says, when that is a step forward."""
    before = len(order.events)
    try:
        _apply(order, report)
    except InvalidTransition as exc:
        result.anomalies.append(f"{order.client_order_id}: report {report.status} not applied: {exc}")
    if len(order.events) != before:
        result.changed[order.id] = order


def _apply(order: Order, report: OrderReport) -> None:
    if report.broker_order_id and order.broker_order_id is None and order.status is not OrderStatus.REJECTED:
        order.acknowledge(report.broker_order_id, at=report.updated_at)
    if order.is_terminal:
        return
    status = report.status
    if status is ReportStatus.CANCELLED:
        order.cancel(report.reason or "cancelled at the broker", at=report.updated_at)
    elif status is ReportStatus.EXPIRED:
        order.expire(at=report.updated_at)
    elif status is ReportStatus.REJECTED:
        if order.filled_quantity:
            order.cancel(f"rejected after a partial fill: {report.reason or 'no reason given'}", at=report.updated_at)
        else:
            order.reject(report.reason or "rejected by the broker", at=report.updated_at)
    # WORKING, PENDING, PARTIALLY_FILLED, PENDING_CANCEL and FILLED need no step here: fills drive quantities, and
    # a pending cancel is the OMS's own request. A FILLED report with fills still missing waits for them.


def missing_fill_quantity(order: Order, report: OrderReport) -> bool:
    """Whether the broker says more is filled than the ledger has booked (fills to fetch or reconcile)."""
    return report.filled_quantity > order.filled_quantity
