"""RESTRICTED_SYMBOL, DUPLICATE_ORDER, DAILY_NOTIONAL and ORDER_RATE."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from oms.domain import Side
from oms.risk import OpenOrder, Outcome, ReasonCode, RestrictedEntry, RiskLimits
from tests.unit.risk.support import NOW, Market, buy, check, outcome_of, result, sell

MARKET = Market().add("AAA", "100").add("XYZ", "100")


@pytest.mark.parametrize(
    ("expires", "expected"),
    [(NOW.date(), Outcome.BLOCK), (NOW.date() - timedelta(days=1), Outcome.PASS), (None, Outcome.BLOCK)],
)
def test_restricted_symbol_until_its_expiry(expires: date | None, expected: Outcome) -> None:
    """An entry restricts through its expiry date and not a day after; no date restricts until removed."""
    entry = RestrictedEntry(symbol="XYZ", reason="insider window", expires=expires)
    limits = RiskLimits(restricted_symbols=(entry,))
    found = outcome_of(ReasonCode.RESTRICTED_SYMBOL, sell("XYZ", 1), MARKET, limits=limits)
    assert found.outcome is expected


def test_restricted_message_gives_the_reason() -> None:
    """The block names the symbol, the expiry and the reason."""
    limits = RiskLimits(restricted_symbols=({"symbol": "XYZ", "reason": "insider window", "expires": "2026-12-31"},))
    found = outcome_of(ReasonCode.RESTRICTED_SYMBOL, buy("XYZ", 1), MARKET, limits=limits)
    assert found.message == "XYZ is restricted until 2026-12-31: insider window"
    assert outcome_of(ReasonCode.RESTRICTED_SYMBOL, buy("AAA", 1), MARKET, limits=limits).outcome is Outcome.PASS


def test_duplicate_of_an_open_order_same_side_only() -> None:
    """An open buy of AAA blocks another buy of AAA, not a sell of it nor a buy of something else."""
    open_orders = [OpenOrder("other-batch-1", "AAA", Side.BUY, Decimal(5))]
    assert outcome_of(ReasonCode.DUPLICATE_ORDER, buy("AAA", 1), MARKET, open_orders=open_orders).outcome is (
        Outcome.BLOCK
    )
    assert outcome_of(ReasonCode.DUPLICATE_ORDER, sell("AAA", 1), MARKET, open_orders=open_orders).outcome is (
        Outcome.PASS
    )
    assert outcome_of(ReasonCode.DUPLICATE_ORDER, buy("XYZ", 1), MARKET, open_orders=open_orders).outcome is (
        Outcome.PASS
    )


def test_duplicate_within_one_batch() -> None:
    """The second order of the same symbol and side in one batch is the duplicate."""
    first, second = check([buy("AAA", 1), buy("AAA", 2)], MARKET)
    assert result(first, ReasonCode.DUPLICATE_ORDER).outcome is Outcome.PASS
    assert result(second, ReasonCode.DUPLICATE_ORDER).outcome is Outcome.BLOCK


@pytest.mark.parametrize(("quantity", "expected"), [(500, Outcome.PASS), (501, Outcome.BLOCK)])
def test_daily_notional_at_threshold(quantity: int, expected: Outcome) -> None:
    """With $50,000 sent today and a $100,000 cap, $50,000 more passes and $50,100 is blocked."""
    limits = RiskLimits(daily_notional_cap=Decimal(100_000))
    found = outcome_of(
        ReasonCode.DAILY_NOTIONAL, buy("AAA", quantity), MARKET, limits=limits, notional_today=Decimal(50_000)
    )
    assert found.outcome is expected


def test_daily_notional_adds_up_the_batch() -> None:
    """Sells and buys alike count toward the cap, order by order."""
    limits = RiskLimits(daily_notional_cap=Decimal(100_000))
    first, second = check([buy("AAA", 600), buy("XYZ", 401)], MARKET, limits=limits)
    assert result(first, ReasonCode.DAILY_NOTIONAL).outcome is Outcome.PASS
    assert result(second, ReasonCode.DAILY_NOTIONAL).outcome is Outcome.BLOCK


def test_order_rate_at_threshold_on_release() -> None:
    """With 4 sent in the last minute and a cap of 5, the next order passes and the one after is blocked."""
    limits = RiskLimits(max_orders_per_minute=5)
    first, second = check(
        [buy("AAA", 1), buy("XYZ", 1)], MARKET, limits=limits, submissions_last_minute=4, releasing=True
    )
    assert result(first, ReasonCode.ORDER_RATE).outcome is Outcome.PASS
    found = result(second, ReasonCode.ORDER_RATE)
    assert found.outcome is Outcome.BLOCK
    assert found.message == "this would be order 6 in the last minute against a cap of 5"


def test_order_rate_is_not_applied_when_validating() -> None:
    """A batch being validated is not being sent, so its size is no rate problem."""
    limits = RiskLimits(max_orders_per_minute=1)
    checks = check([buy("AAA", 1), buy("XYZ", 1)], MARKET, limits=limits, submissions_last_minute=5)
    assert all(result(c, ReasonCode.ORDER_RATE).outcome is Outcome.PASS for c in checks)
