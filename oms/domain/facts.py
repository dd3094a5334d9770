"""Facts an order's trail records beyond its status: approval, holds, arrival, lookups, resends, reprices, slices.

Each fact is a typed value. It is stored as a `noted` event whose `details["note"]` names its kind (so ledgers
written before these types existed read the same), and it is written and read back here only: `record` appends
one, `facts_of` returns them typed, and the questions the engine asks (`is_approved`, `held_until`, ...) are
answered from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from oms.domain.events import EventKind, OrderEvent
from oms.domain.market import Quote, VenueQuote
from oms.domain.order import Order
from oms.domain.values import decimal_text


class Note(StrEnum):
    """The kinds of fact, as stored in `details["note"]`."""

    RISK = "risk"
    APPROVED = "approved"
    HELD = "held"
    ARRIVAL = "arrival"
    NOT_FOUND = "not_found_at_broker"
    RESENT = "resent"
    REPRICE = "reprice"
    SCHEDULED = "scheduled"
    FOR_THE_OPEN = "for_the_open"


@dataclass(frozen=True)
class Approved:
    by: str


@dataclass(frozen=True)
class Held:
    """Not sent yet: until a time (a market-hours hold), or until something changes (funding, an earlier wave)."""

    reason: str
    until: datetime | None = None


@dataclass(frozen=True)
class Arrival:
    """The reference price when the order (or a parent's first child) could first go, and the venue's time then;
    with the quote's bid and ask, and when it was observed, where the broker gave them (TCA splits spread from
    impact with them)."""

    price: Decimal | None
    venue_at: datetime | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    quote_at: datetime | None = None

    @classmethod
    def of_quote(cls, quote: Quote | None, venue_now: datetime | None) -> Arrival:
        """The arrival of an order released now: a venue with a session clock of its own (the simulator) stamps
        its quotes on that clock, and the arrival is stamped on it too, so every duration is on one clock."""
        if isinstance(quote, VenueQuote):
            venue_now = quote.at
        if quote is None:
            return cls(None, venue_now)
        return cls(quote.price, venue_now, quote.bid, quote.ask, quote.at)


@dataclass(frozen=True)
class LookupMiss:
    """The broker definitely did not know the order when asked by its client order id."""

    attempt: int


@dataclass(frozen=True)
class Resent:
    after: str


@dataclass(frozen=True)
class Repriced:
    """A parent's child is being cancelled to be replaced at `limit`."""

    child: str
    limit: Decimal


@dataclass(frozen=True)
class Scheduled:
    """A child's slice: not to be sent before `not_before`, due by `due`."""

    not_before: datetime
    due: datetime


@dataclass(frozen=True)
class ForTheOpen:
    """A manual ticket handed to the desk while the market was closed: to be entered for the open at `opens_at`."""

    opens_at: datetime


@dataclass(frozen=True)
class RiskResult:
    """One pre-trade check's outcome stored on the order (`outcome` is pass, warn or block)."""

    code: str
    outcome: str
    message: str
    hold_until: str | None = None
    stage: str | None = None


Recorded = Approved | Held | Arrival | LookupMiss | Resent | Repriced | Scheduled | ForTheOpen  # through `record`
Fact = Recorded | RiskResult


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def record(order: Order, fact: Recorded, *, at: datetime) -> None:
    """Append `fact` to the order's trail (risk results are written by the risk gate's own fields)."""
    match fact:
        case Approved(by):
            order.note(Note.APPROVED, at=at, by=by)
        case Held(reason, until):
            if until is None:
                order.note(Note.HELD, at=at, reason=reason)
            else:
                order.note(Note.HELD, at=at, until=until.isoformat(), reason=reason)
        case Arrival(price, venue_at, bid, ask, quote_at):
            order.note(
                Note.ARRIVAL,
                at=at,
                arrival_price=decimal_text(price),
                bid=decimal_text(bid),
                ask=decimal_text(ask),
                quote_at=quote_at.isoformat() if quote_at else None,
                venue_at=venue_at.isoformat() if venue_at else None,
            )
        case LookupMiss(attempt):
            order.note(Note.NOT_FOUND, at=at, attempt=str(attempt))
        case Resent(after):
            order.note(Note.RESENT, at=at, after=after)
        case Repriced(child, limit):
            order.note(Note.REPRICE, at=at, child=child, limit=decimal_text(limit))
        case Scheduled(not_before, due):
            order.note(Note.SCHEDULED, at=at, not_before=not_before.isoformat(), due=due.isoformat())
        case ForTheOpen(opens_at):
            order.note(Note.FOR_THE_OPEN, at=at, opens_at=opens_at.isoformat())


def fact_of(event: OrderEvent) -> Fact | None:
    """The typed fact a `noted` event holds, or None for any other event (or a note of an unknown kind)."""
    if event.kind is not EventKind.NOTED:
        return None
    d = event.details
    note = d.get("note")
    if note == Note.APPROVED:
        return Approved(str(d.get("by") or ""))
    if note == Note.HELD:
        return Held(str(d.get("reason") or ""), _time(d.get("until")))
    if note == Note.ARRIVAL:
        price, bid, ask = d.get("arrival_price"), d.get("bid"), d.get("ask")
        return Arrival(
            Decimal(str(price)) if price else None,
            _time(d.get("venue_at")),
            Decimal(str(bid)) if bid else None,
            Decimal(str(ask)) if ask else None,
            _time(d.get("quote_at")),
        )
    if note == Note.NOT_FOUND:
        return LookupMiss(int(d.get("attempt") or 1))
    if note == Note.RESENT:
        return Resent(str(d.get("after") or ""))
    if note == Note.REPRICE:
        return Repriced(str(d.get("child")), Decimal(str(d.get("limit"))))
    if note == Note.SCHEDULED:
        return Scheduled(datetime.fromisoformat(str(d["not_before"])), datetime.fromisoformat(str(d["due"])))
    if note == Note.FOR_THE_OPEN:
        return ForTheOpen(datetime.fromisoformat(str(d["opens_at"])))
    if note == Note.RISK:
        return RiskResult(
            str(d.get("code")), str(d.get("outcome")), str(d.get("message") or ""), d.get("hold_until"), d.get("stage")
        )
    return None


def facts_of(order: Order) -> Iterator[tuple[OrderEvent, Fact]]:
    """The order's facts in the order they were recorded, each with its event (for its time)."""
    for event in order.events:
        fact = fact_of(event)
        if fact is not None:
            yield event, fact


def is_approved(order: Order) -> bool:
    return any(isinstance(fact, Approved) for _, fact in facts_of(order))


def needs_approval(order: Order) -> bool:
    """A risk warning (other than a market-hours hold) needs a person's explicit approval in supervised mode."""
    return any(
        isinstance(fact, RiskResult) and fact.outcome == "warn" and not fact.hold_until for _, fact in facts_of(order)
    )


def has_warning(order: Order) -> bool:
    """Any risk warning, a market-hours hold included: what a person approving a supervised batch must name."""
    return any(isinstance(fact, RiskResult) and fact.outcome == "warn" for _, fact in facts_of(order))


def needs_naming(order: Order, *, supervised: bool) -> bool:
    """Whether approving the batch leaves this order held until it is named (`--order`) or `--all` is given.

    In a supervised batch every warning counts (README: "orders with warnings need --order ID or --all"); a
    batch that went ahead by itself (`--auto`) was held only for warnings other than a market-hours hold.
    """
    return has_warning(order) if supervised else needs_approval(order)


def warnings(order: Order) -> list[RiskResult]:
    return [f for _, f in facts_of(order) if isinstance(f, RiskResult) and f.outcome == "warn"]


def latest_hold(order: Order) -> Held | None:
    """The most recent hold on the order, if any."""
    holds = [f for _, f in facts_of(order) if isinstance(f, Held)]
    return holds[-1] if holds else None


def held_until(order: Order) -> datetime | None:
    """The time the latest timed hold lasts until (a market-hours hold), else None."""
    for _, fact in reversed(list(facts_of(order))):
        if isinstance(fact, Held) and fact.until is not None:
            return fact.until
    return None


def was_held_until(order: Order, until: datetime) -> bool:
    """Whether a hold until exactly `until` is on the order already (one note per hold, not one per cycle)."""
    return any(isinstance(f, Held) and f.until == until for _, f in facts_of(order))


def on_hold(order: Order) -> bool:
    """Whether the order's latest note already says it is held (one hold note per episode, not one per cycle)."""
    for event in reversed(order.events):
        if event.kind is EventKind.NOTED:
            return isinstance(fact_of(event), Held)
        return False
    return False


def for_the_open(order: Order) -> datetime | None:
    """When the session opens that a ticket handed over while the market was closed is meant for, else None."""
    return next((f.opens_at for _, f in facts_of(order) if isinstance(f, ForTheOpen)), None)


def arrival(order: Order) -> Arrival | None:
    """The first arrival recorded on the order."""
    return next((f for _, f in facts_of(order) if isinstance(f, Arrival)), None)


def sent_at_venue(order: Order) -> datetime | None:
    """The venue's time when the order was last sent (recorded with its arrival), if known."""
    for _, fact in reversed(list(facts_of(order))):
        if isinstance(fact, Arrival) and fact.venue_at is not None:
            return fact.venue_at
    return None


def lookups_since_resend(order: Order) -> int:
    """How many lookups found nothing since the order was last resent (or first sent)."""
    misses = 0
    for _, fact in facts_of(order):
        if isinstance(fact, Resent):
            misses = 0
        elif isinstance(fact, LookupMiss):
            misses += 1
    return misses


def submitted_at(order: Order) -> datetime | None:
    return next((e.at for e in order.events if e.kind is EventKind.SUBMITTED), None)


def last_submit_or_lookup(order: Order) -> datetime | None:
    """When the order was last sent or last looked up: the in-flight timer counts from it."""
    for event in reversed(order.events):
        if event.kind is EventKind.SUBMITTED or isinstance(fact_of(event), LookupMiss | Resent):
            return event.at
    return None


def pending_reprice(parent: Order, child_client_order_id: str) -> Decimal | None:
    """The limit a replacement of that child should take, if its cancel was asked for to reprice it."""
    for _, fact in reversed(list(facts_of(parent))):
        if isinstance(fact, Repriced) and fact.child == child_client_order_id:
            return fact.limit
    return None


def scheduled(child: Order) -> Scheduled | None:
    return next((f for _, f in facts_of(child) if isinstance(f, Scheduled)), None)
