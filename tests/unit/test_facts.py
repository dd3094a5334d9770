"""Typed facts on an order's trail: written and read in one place, and notes stored before the types still read."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms.domain import replay
from oms.domain.facts import (
    Approved,
    Arrival,
    Held,
    LookupMiss,
    Repriced,
    Resent,
    RiskResult,
    Scheduled,
    facts_of,
    held_until,
    is_approved,
    lookups_since_resend,
    needs_approval,
    on_hold,
    pending_reprice,
    record,
    sent_at_venue,
    was_held_until,
)
from tests.unit.builders import T0, new_order


def test_every_fact_reads_back_as_it_was_written() -> None:
    """Each typed fact survives the trip through the order's `noted` events, in order."""
    order = new_order()
    written = [
        Approved("ann"),
        Held("waiting for cash"),
        Held("market closed", T0 + timedelta(hours=1)),
        Arrival(Decimal("150.25"), T0),
        Arrival(None, None),
        LookupMiss(1),
        Resent("3 lookups found nothing"),
        Repriced("b1-0001-2", Decimal("150.10")),
        Scheduled(T0, T0 + timedelta(minutes=15)),
    ]
    for fact in written:
        record(order, fact, at=T0)
    assert [fact for _, fact in facts_of(order)] == written


def test_notes_stored_by_earlier_versions_read_as_typed_facts() -> None:
    """A ledger written with plain notes (strings in details) answers the same questions."""
    order = new_order()
    order.note("risk", at=T0, code="POSITION_CONCENTRATION", outcome="warn", message="above 25%", hold_until=None)
    order.note("approved", at=T0, by="bob")
    order.note("held", at=T0, until=(T0 + timedelta(hours=2)).isoformat(), reason="market closed")
    order.note("not_found_at_broker", at=T0, attempt="1")
    order.note("not_found_at_broker", at=T0, attempt="2")
    order.note("arrival", at=T0, arrival_price="99.5", venue_at=T0.isoformat())
    order.note("reprice", at=T0, child="c-1", limit="98.7")
    order.note("something_new", at=T0, value="x")  # an unknown kind is kept in the trail, not read as a fact
    assert needs_approval(order)
    assert is_approved(order)
    assert held_until(order) == T0 + timedelta(hours=2)
    assert was_held_until(order, T0 + timedelta(hours=2))
    assert lookups_since_resend(order) == 2
    assert sent_at_venue(order) == T0
    assert pending_reprice(order, "c-1") == Decimal("98.7")
    assert isinstance(next(f for _, f in facts_of(order)), RiskResult)
    assert replay(order.events) == order  # replay of stored notes still rebuilds the order


def test_a_resend_starts_the_lookup_count_again() -> None:
    """Misses are counted since the last resend; the latest note says whether the order is on hold."""
    order = new_order()
    record(order, LookupMiss(1), at=T0)
    record(order, Resent("1 lookup found nothing"), at=T0)
    record(order, LookupMiss(1), at=T0)
    assert lookups_since_resend(order) == 1
    assert not on_hold(order)
    record(order, Held("waiting for wave 1"), at=T0)
    assert on_hold(order)
    assert held_until(order) is None
