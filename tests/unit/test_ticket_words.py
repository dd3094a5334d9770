"""The algorithm line of a manual ticket: it agrees with the plan, and says why when it cannot follow it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from oms.cli.views import algorithm_words
from oms.domain import Algo, Order, Side
from oms.reporting import ticket_plan
from oms.reporting.ticket_fields import Ticket, ticket_rows

D = Decimal
MONDAY_NOON_NY = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
MONDAY_EVENING_NY = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 18:00 in New York: after the close


def test_a_fractional_quantity_of_a_fractional_security_is_described() -> None:
    """A market sell of 22.1649 shares of a security trading in fractions reads as one market order of that size."""
    order = Order.create("QQQ", Side.SELL, "22.1649", algo=Algo.MARKET, client_order_id="B1-0004", batch_id="B1")
    assert algorithm_words(order, fractional=True) == "One market order for 22.1649 shares"


def test_a_schedule_that_cannot_be_built_says_the_plan_and_why() -> None:
    """A fractional TWAP parent of a whole-share security: the ticket says TWAP was planned and why it is not used.

    (It used to read "One limit order for 10.5 shares", hiding that the plan said TWAP: issue 18, item 5.)
    """
    order = Order.create("UPRO", Side.BUY, "10.5", "limit", "95.95", algo=Algo.TWAP, batch_id="B1")
    words = algorithm_words(order, fractional=False)
    assert words.startswith("TWAP planned; one limit order for 10.5 shares instead: no schedule could be built")
    assert "not whole shares" in words


def test_a_ticket_prepared_after_the_close_schedules_from_the_next_open() -> None:
    """At 18:00 New York a 1,000-share TWAP is not "one order at once": it is 26 slices from Tuesday's open."""
    order = Order.create("XLV", Side.BUY, "1000", algo=Algo.TWAP, client_order_id="B1-0001", batch_id="B1")
    words = ticket_plan.algorithm_words(order, now=MONDAY_EVENING_NY)
    assert (
        words
        == "TWAP: 26 orders of 38 to 39 shares (1,000 in all), one every 15 minutes, from the open on Tue 2026-03-03"
    )


def test_a_one_slice_schedule_says_why() -> None:
    """A 1-share TWAP cannot be two slices of the 1-share minimum child: the ticket says so."""
    order = Order.create("XLV", Side.BUY, "1", algo=Algo.IS, client_order_id="B1-0002", batch_id="B1")
    words = ticket_plan.algorithm_words(order, now=MONDAY_NOON_NY)
    assert words == (
        "IS planned; one market order for 1 share instead: 1 share is less than two slices of the minimum child size "
        "(1, [algos] min_child_quantity)"
    )


def test_a_ticket_carries_name_resize_slice_and_reference_time() -> None:
    """XLV shrank from 78.5156 to 73.5687 at release: the ticket says so, with the name and the price's time."""
    planned = datetime(2026, 3, 2, 14, 35, tzinfo=UTC)
    order = Order.create(
        "XLV",
        Side.BUY,
        "78.5156",
        algo=Algo.TWAP,
        client_order_id="B1-0003-02",
        batch_id="B1",
        at=planned,
        decision_price=D("145.10"),
        parent_id="o-parent",
        reason="slice 2 of 4 of B1-0003",
    )
    order.validate(at=planned)
    order.amend_quantity(D("73.5687"), "cash after sells covers 73.5687 shares", at=planned)
    ticket = Ticket.from_order(order, number=3, algorithm="TWAP: 4 orders", security_name="Health Care Select SPDR")
    rows = dict(ticket_rows(ticket))
    assert rows["Security"] == "Health Care Select SPDR"
    assert rows["Resized"] == "78.5156 to 73.5687 shares: cash after sells covers 73.5687 shares"
    assert rows["Slice"] == "slice 2 of 4 of B1-0003"
    assert rows["Reference price"] == "$145.10, decision price of Mon 2026-03-02 09:35 New York time"
    assert rows["Quantity"] == "73.5687 shares"
