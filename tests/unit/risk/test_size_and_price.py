"""ORDER_VALUE_LIMIT, ADV_LIMIT, PRICE_COLLAR and STALE_PRICE at their thresholds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from oms.risk import Outcome, ReasonCode, RiskLimits
from tests.unit.risk.support import NOW, Market, buy, check, outcome_of, sell

LIMITS = RiskLimits(max_order_value=Decimal(50_000))


@pytest.mark.parametrize(("quantity", "expected"), [(500, Outcome.PASS), ("500.01", Outcome.BLOCK)])
def test_order_value_limit_at_threshold(quantity: str, expected: Outcome) -> None:
    """An order worth exactly the limit passes; a cent more is blocked with ORDER_VALUE_LIMIT."""
    found = outcome_of(ReasonCode.ORDER_VALUE_LIMIT, buy("AAA", quantity), Market().add("AAA", "100"), limits=LIMITS)
    assert found.outcome is expected


def test_order_value_message_carries_the_numbers() -> None:
    """The block says the order's value and the limit in dollars."""
    found = outcome_of(ReasonCode.ORDER_VALUE_LIMIT, buy("AAA", 620), Market().add("AAA", "100"), limits=LIMITS)
    assert found.message == "order value $62,000.00 is above the $50,000.00 limit"


def test_order_value_uses_the_limit_price() -> None:
    """A limit order is valued at its limit price, the most it may pay."""
    order = buy("AAA", 500, limit="100.01")
    found = outcome_of(ReasonCode.ORDER_VALUE_LIMIT, order, Market().add("AAA", "100"), limits=LIMITS)
    assert found.outcome is Outcome.BLOCK


def test_order_value_limit_zero_is_off() -> None:
    """max_order_value = 0 turns the check off."""
    limits = RiskLimits(max_order_value=Decimal(0))
    found = outcome_of(ReasonCode.ORDER_VALUE_LIMIT, buy("AAA", 10**6), Market().add("AAA", "100"), limits=limits)
    assert found.outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [(50_000, Outcome.PASS), (50_001, Outcome.WARN), (200_000, Outcome.WARN), (200_001, Outcome.BLOCK)],
)
def test_adv_limit_warns_then_blocks(quantity: int, expected: Outcome) -> None:
    """5% of ADV passes, just over warns; 20% warns, just over blocks (ADV 1,000,000)."""
    market = Market().add("AAA", "1", adv="1000000")
    assert outcome_of(ReasonCode.ADV_LIMIT, sell("AAA", quantity), market).outcome is expected


def test_adv_unknown_warns() -> None:
    """A security without an average daily volume is flagged, not silently passed."""
    market = Market().add("AAA", "10", adv="0")
    found = outcome_of(ReasonCode.ADV_LIMIT, buy("AAA", 1), market)
    assert found.outcome is Outcome.WARN
    assert "no average daily volume" in found.message


@pytest.mark.parametrize(
    ("limit", "expected"),
    [("110", Outcome.PASS), ("110.01", Outcome.BLOCK), ("90", Outcome.PASS), ("89.99", Outcome.BLOCK)],
)
def test_price_collar_on_both_sides(limit: str, expected: Outcome) -> None:
    """A limit 10% from the reference passes; a cent further, up or down, is blocked as a fat finger."""
    found = outcome_of(ReasonCode.PRICE_COLLAR, buy("AAA", 1, limit=limit), Market().add("AAA", "100"))
    assert found.outcome is expected
    assert found.code is ReasonCode.PRICE_COLLAR


def test_price_collar_ignores_market_orders() -> None:
    """A market order has no limit price to compare."""
    assert outcome_of(ReasonCode.PRICE_COLLAR, buy("AAA", 1), Market().add("AAA", "100")).outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("age", "releasing", "expected"),
    [
        (timedelta(minutes=15), True, Outcome.PASS),
        (timedelta(minutes=15, seconds=1), True, Outcome.BLOCK),
        (timedelta(minutes=15, seconds=1), False, Outcome.WARN),
    ],
)
def test_stale_price_at_threshold(age: timedelta, releasing: bool, expected: Outcome) -> None:
    """A quote exactly 15 minutes old passes; a second older blocks on release and warns at validation."""
    market = Market().add("AAA", "100", quoted_at=NOW - age)
    found = outcome_of(ReasonCode.STALE_PRICE, buy("AAA", 1), market, releasing=releasing)
    assert found.outcome is expected


def test_no_price_at_all_blocks_and_skips_value_checks() -> None:
    """An order nobody can value is blocked by STALE_PRICE and the value checks are not pretended to pass."""
    (checks,) = check([buy("ZZZ", 1)], Market())
    codes = {r.code for r in checks.results}
    assert checks.blocked
    assert ReasonCode.ORDER_VALUE_LIMIT not in codes
    assert [r.outcome for r in checks.results if r.code is ReasonCode.STALE_PRICE] == [Outcome.BLOCK]


def test_decision_price_values_an_unquoted_order() -> None:
    """Without a quote the order's decision price is the reference; its age is unknown, so it warns."""
    order = buy("AAA", 600, decision_price=Decimal(100))
    market = Market().add("AAA", "1", quoted_at=None)
    assert outcome_of(ReasonCode.ORDER_VALUE_LIMIT, order, market, limits=LIMITS).outcome is Outcome.BLOCK
    assert outcome_of(ReasonCode.STALE_PRICE, order, market).outcome is Outcome.WARN


def test_a_zero_quote_is_no_price() -> None:
    """A quote of $0 is bad data: the order is blocked as unpriced rather than divided by zero."""
    (checks,) = check([buy("AAA", 1, limit="10")], Market().add("AAA", "0"))
    assert checks.blocked
    assert [r.code for r in checks.problems()] == [ReasonCode.STALE_PRICE]
