"""Reconciliation: the ledger against the broker's own reports, on the read side of the port only.

Missing fills are booked (by execution id, so nothing is booked twice); statuses the broker finished are applied;
orders the broker has under our client order ids but the ledger does not are flagged, as are orders the ledger
thinks are working that the broker definitely does not know. A failed query is an error, never "the broker has
nothing".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from oms.domain import Order, OrderStatus
from oms.domain.facts import submitted_at
from oms.domain.transitions import Action, target_of
from oms.domain.values import decimal_text
from oms.execution.booking import BookingResult, apply_report, book_fills
from oms.ports import Broker, BrokerUnavailable, OrderNotFound
from oms.store import Ledger


@dataclass(frozen=True)
class Difference:
    kind: str  # missing_fill | status_applied | unknown_order | unknown_fill | missing_at_broker | position |
    # unknown_outcome
    subject: str
    detail: str
    fixed: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail, "fixed": self.fixed}


@dataclass
class Reconciliation:
    differences: list[Difference] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.differences


class ReconcileFailed(Exception):
    """The broker could not be asked; nothing is concluded from silence."""


async def reconcile(
    ledger: Ledger,
    broker: Broker,
    *,
    since: datetime,
    prefix: str = "",
    expected_positions: dict[str, Decimal] | None = None,
) -> Reconciliation:
    """Compare and repair what can be repaired. `prefix` limits 'unknown order' to ids this OMS could have made."""
    try:
        reports = await broker.order_reports(open_only=False, since=since)
        fills = await broker.fill_reports(since=since)
        positions = await broker.positions() if expected_positions is not None else []
    except BrokerUnavailable as exc:
        raise ReconcileFailed(f"the broker could not be asked ({exc}); nothing concluded") from exc
    result = Reconciliation()
    wanted = {r.client_order_id for r in reports} | {f.client_order_id for f in fills}
    with ledger.reading() as uow:
        known: dict[str, Order] = {}
        for coid in wanted:
            order = uow.orders.by_client_order_id(coid)
            if order is not None:
                known[coid] = order
        working = [o for o in uow.orders.open_orders(broker=broker.name) if o.status.is_at_broker and not o.is_parent]
    booking = BookingResult()
    unbookable = [
        f
        for f in fills
        if (o := known.get(f.client_order_id))
        and target_of(Action.FILL, o.status) is None
        and not o.has_fill(f.exec_id)
    ]
    for fill in unbookable:
        order = known[fill.client_order_id]
        result.differences.append(
            Difference(
                "missing_fill",
                fill.exec_id,
                f"{fill.side} {decimal_text(fill.quantity)} {fill.symbol} @ {decimal_text(fill.price)} for "
                f"{fill.client_order_id} is at the broker, not in the ledger; the order is {order.status}, "
                "so it cannot be booked: look into it",
            )
        )
    book_fills(known, [f for f in fills if f not in unbookable], booking)
    for report in reports:
        order = known.get(report.client_order_id)
        if order is None:
            if report.client_order_id.startswith(prefix):
                result.differences.append(
                    Difference(
                        "unknown_order",
                        report.client_order_id,
                        f"{report.side} {report.quantity} "
                        f"{report.symbol} {report.status} at the broker, not in the ledger",
                    )
                )
            continue
        before = order.status
        apply_report(order, report, booking)
        if order.status is not before:
            result.differences.append(
                Difference("status_applied", report.client_order_id, f"{before} -> {order.status}", fixed=True)
            )
    for fill in booking.unknown_fills:
        result.differences.append(
            Difference(
                "unknown_fill",
                fill.exec_id,
                f"{fill.side} {fill.quantity} {fill.symbol} @ {fill.price} "
                f"for unknown client order id {fill.client_order_id}",
            )
        )
    if booking.fills_booked:
        result.differences.append(
            Difference("missing_fill", "ledger", f"{booking.fills_booked} fill(s) booked from the broker", fixed=True)
        )
    result.differences += [Difference("anomaly", "ledger", text) for text in booking.anomalies] + [
        unknown_outcome(o) for o in working if o.status is OrderStatus.UNKNOWN and o.id not in booking.changed
    ]
    with ledger.unit_of_work() as uow:
        for order in booking.changed.values():
            uow.orders.save(order)
        uow.commit()
    reported = {r.client_order_id for r in reports}
    for order in working:
        coid = order.client_order_id or ""
        sent = submitted_at(order)
        if coid in reported or sent is None or sent < since or order.status is OrderStatus.UNKNOWN:
            continue
        try:
            await broker.find_order(coid)
        except OrderNotFound:
            result.differences.append(
                Difference("missing_at_broker", coid, "the ledger has it working; the broker does not know it")
            )
        except BrokerUnavailable as exc:
            raise ReconcileFailed(f"lookup of {coid} failed ({exc}); nothing concluded") from exc
    if expected_positions is not None:
        result.differences += _position_differences(expected_positions, {p.symbol: p.quantity for p in positions})
    return result


def unknown_outcome(order: Order) -> Difference:
    """An order sent that the broker never showed, at a broker that takes duplicate ids: a person must look."""
    return Difference(
        "unknown_outcome",
        order.client_order_id or order.id,
        f"{order.side} {decimal_text(order.quantity)} {order.symbol}: {order.status_reason or 'outcome unknown'}",
    )


def _position_differences(expected: dict[str, Decimal], actual: dict[str, Decimal]) -> list[Difference]:
    out = []
    for symbol in sorted(set(expected) | set(actual)):
        want, have = expected.get(symbol, Decimal(0)), actual.get(symbol, Decimal(0))
        if want != have:
            out.append(Difference("position", symbol, f"ledger {decimal_text(want)}, broker {decimal_text(have)}"))
    return out


def default_since(days: int = 7) -> datetime:
    from oms.domain.values import utcnow

    return utcnow() - timedelta(days=days)
