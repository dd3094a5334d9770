"""The "why" of an order that was checked but has not gone out: held, waiting for funds, or for a person."""

from __future__ import annotations

from datetime import UTC, datetime

from oms.cli.views import order_document
from oms.domain import Order, Side
from oms.domain.facts import Note

NOTE_APPROVED, NOTE_HELD, NOTE_RISK = Note.APPROVED, Note.HELD, Note.RISK

AT = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def checked(symbol: str = "TLT") -> Order:
    order = Order.create(symbol, Side.SELL, 10, at=AT, batch_id="B1", client_order_id="B1-0001")
    order.validate(at=AT)
    return order


def test_an_order_held_until_the_open_says_so() -> None:
    """A held note's message becomes the order's reason in `oms status`."""
    order = checked()
    message = "the market is closed (holiday); held until the open at 2026-11-27 09:30 EST (14:30 UTC)"
    order.note(NOTE_HELD, at=AT, until="2026-11-27T14:30:00+00:00", reason=message)
    assert order_document(order)["reason"] == message


def test_a_buy_waiting_for_proceeds_says_what_it_waits_for() -> None:
    """A funding hold (no time) gives the funding decision's reason."""
    order = checked()
    reason = "held: $5,000.00 needed, $0.00 of cash above the $1,000.00 floor"
    order.note(NOTE_HELD, at=AT, reason=reason)
    assert order_document(order)["reason"] == reason


def test_a_warned_order_waits_for_approval_until_approved() -> None:
    """An unapproved warning names the approval it needs; once approved, and for plain orders, there is no reason."""
    order = checked()
    assert order_document(order)["reason"] is None
    order.note(NOTE_RISK, at=AT, code="ADV_LIMIT", outcome="warn", message="large")
    assert "awaiting approval" in order_document(order)["reason"]
    order.note(NOTE_APPROVED, at=AT, by="ana")
    assert order_document(order)["reason"] is None
