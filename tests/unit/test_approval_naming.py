"""Which warned orders a supervised approval must name: every warning, the market-hours hold included."""

from __future__ import annotations

from datetime import UTC, datetime

from oms.domain import Order
from oms.domain.facts import Approved, Note, record
from oms.execution.cycle.waves import plan_release

NOW = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def held_by_the_clock() -> Order:
    order = Order.create("TQQQ", "sell", 10, at=NOW)
    order.validate(at=NOW)
    order.note(
        Note.RISK, at=NOW, code="MARKET_HOURS", outcome="warn", message="closed", hold_until="2026-12-02T14:30+00:00"
    )
    return order


def test_a_supervised_batch_holds_an_order_with_a_market_hours_warning_until_approved() -> None:
    """Supervised: the warned order is not released until a person approves it by name or with --all."""
    order = held_by_the_clock()
    assert plan_release([order], now=NOW, require_approval=True, supervised=True).orders == []
    record(order, Approved("me"), at=NOW)
    assert plan_release([order], now=NOW, require_approval=True, supervised=True).orders == [order]


def test_an_auto_batch_is_not_held_for_a_market_hours_warning() -> None:
    """--auto: a market-hours hold lifts itself at the open; nobody has to approve it."""
    order = held_by_the_clock()
    assert plan_release([order], now=NOW, require_approval=True, supervised=False).orders == [order]
