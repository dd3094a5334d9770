"""What a manual ticket says about how to work its order: the plan's algorithm, the slice, and every resize.

A ticket must agree with the plan. When the plan said TWAP, VWAP or IS and the ticket says "one order at once", it
says why; a ticket prepared outside the session schedules from the next open instead of collapsing to one order;
a child says which slice of which parent it is; a quantity the engine shrank says from what, to what, and why.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from oms.domain import Algo, EventKind, Order
from oms.domain.values import utcnow
from oms.execution.algos.volume_profile import NEW_YORK, TradingSession, regular_session, session_of
from oms.text import quantity as format_quantity
from oms.text import shares

PARENT_ALGOS = (Algo.TWAP, Algo.VWAP, Algo.IS)


def working_session(now: datetime) -> tuple[datetime, TradingSession, bool]:
    """Return when a schedule made `now` starts, its session, and whether that is a later day's session.

    Before the open a schedule waits for the open; after the close, or on a weekend, it starts at the next
    weekday's open (the regular session: holidays are the person's to know).
    """
    session = session_of(now)
    day = now.astimezone(NEW_YORK).date()
    if now < session.close and day.weekday() < 5:
        return now, session, False
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    session = regular_session(day)
    return session.open, session, True


def algorithm_words(
    order: Order, *, fractional: bool = False, settings: Any = None, now: datetime | None = None
) -> str:
    """How to work the order, in a desk's words, saying the plan's algorithm and why it was replaced if it was."""
    from oms.execution.algos import ScheduleError, build_schedule
    from oms.execution.algos.settings import AlgoSettings
    from oms.execution.algos.slices import LotRules
    from oms.execution.algos.words import describe

    algo = order.algo or (Algo.LIMIT if order.limit_price is not None else Algo.MARKET)
    settings = settings or AlgoSettings()
    start, session, later = working_session(now or utcnow())
    kind = "limit" if order.limit_price is not None else "market"
    try:
        schedule = build_schedule(
            parent_client_order_id=order.client_order_id or order.id,
            quantity=order.unfilled_quantity,
            side=order.side,
            algo=algo,
            start=start,
            session=session,
            urgency=order.urgency,
            lots=LotRules.from_settings(settings, fractional=fractional),
            settings=settings,
        )
    except ScheduleError as exc:
        plain = f"One {kind} order for {shares(order.unfilled_quantity)}"
        if algo not in PARENT_ALGOS:
            return plain
        return f"{algo.value.upper()} planned; {plain.lower()} instead: no schedule could be built ({exc})"
    words = describe(schedule)
    if algo not in PARENT_ALGOS:
        return words
    name = algo.value.upper()
    if len(schedule.slices) > 1:
        opening = f", from the open on {start.astimezone(NEW_YORK):%a %Y-%m-%d}" if later else ""
        return f"{name}: {words}{opening}"
    return f"{name} planned; one {kind} order for {shares(schedule.quantity)} instead: {_why_one(order, settings)}"


def _why_one(order: Order, settings: Any) -> str:
    minimum = settings.min_child_quantity
    if order.unfilled_quantity < 2 * minimum:
        return (
            f"{shares(order.unfilled_quantity)} is less than two slices of the minimum child size "
            f"({format_quantity(minimum)}, [algos] min_child_quantity)"
        )
    return (
        f"the time left in the session holds one {settings.slice_interval_minutes}-minute slice only "
        "([algos] slice_interval_minutes)"
    )


def slice_words(order: Order) -> str | None:
    """For a child order: "slice 2 of 4 of B1-0003" (the engine writes it as the child's reason)."""
    if order.parent_id is None or not order.reason.startswith("slice "):
        return None
    return order.reason


def resizes(order: Order) -> tuple[str, ...]:
    """Every change of quantity on the order's trail: "78.5156 to 73.5687 shares: <reason>"."""
    return tuple(
        f"{format_quantity(_d(e.details.get('previous')))} to {shares(_d(e.details.get('quantity')))}: "
        f"{e.details.get('reason') or 'no reason recorded'}"
        for e in order.events
        if e.kind is EventKind.AMENDED
    )


def _d(text: str | None) -> Decimal:
    return Decimal(text or "0")
