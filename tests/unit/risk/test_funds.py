"""CASH_FLOOR, BUYING_POWER and SHARES_AVAILABLE at their thresholds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.domain import Side
from oms.risk import OpenOrder, Outcome, ReasonCode
from tests.unit.risk.support import Market, buy, check, outcome_of, portfolio, result, sell

MARKET = Market().add("AAA", "100").add("BBB", "100")


@pytest.mark.parametrize(("quantity", "expected"), [(9000, Outcome.PASS), (9001, Outcome.BLOCK)])
def test_cash_floor_at_threshold(quantity: int, expected: Outcome) -> None:
    """Spending down to exactly 10% cash passes; one share more is blocked."""
    assert outcome_of(ReasonCode.CASH_FLOOR, buy("AAA", quantity), MARKET).outcome is expected


def test_cash_floor_counts_pending_buys() -> None:
    """A buy already open at the broker has claimed its cash."""
    pending = [OpenOrder("elsewhere", "BBB", Side.BUY, Decimal(1000))]
    found = outcome_of(ReasonCode.CASH_FLOOR, buy("AAA", 8001), MARKET, open_orders=pending)
    assert found.outcome is Outcome.BLOCK
    assert "floor of $100,000.00" in found.message


def test_cash_floor_counts_the_batch_sales_before_the_buy() -> None:
    """A sale earlier in the batch raises the cash the buys may leave behind."""
    book = portfolio(cash=100_000, BBB=9000)  # $1,000,000 in all, floor $100,000
    _, bought = check([sell("BBB", 1000), buy("AAA", 1000)], MARKET, book=book)
    assert result(bought, ReasonCode.CASH_FLOOR).outcome is Outcome.PASS
    (alone,) = check([buy("AAA", 1)], MARKET, book=book)
    assert result(alone, ReasonCode.CASH_FLOOR).outcome is Outcome.BLOCK


@pytest.mark.parametrize(("quantity", "expected"), [(50, Outcome.PASS), (51, Outcome.BLOCK)])
def test_buying_power_at_threshold(quantity: int, expected: Outcome) -> None:
    """A buy of exactly the cash plus filled sale proceeds passes; one share more is blocked."""
    book = portfolio(cash=3_000)
    found = outcome_of(
        ReasonCode.BUYING_POWER, buy("AAA", quantity), MARKET, book=book, filled_sell_proceeds=Decimal(2_000)
    )
    assert found.outcome is expected


def test_buying_power_on_release_counts_only_filled_proceeds() -> None:
    """At release a sale in flight funds nothing; at validation it may, and is checked again at release."""
    book = portfolio(cash=0, BBB=100)
    orders = [sell("BBB", 100), buy("AAA", 100)]
    _, validated = check(orders, MARKET, book=book)
    _, released = check(orders, MARKET, book=book, releasing=True)
    assert result(validated, ReasonCode.BUYING_POWER).outcome is Outcome.PASS
    assert "checked again when released" in result(validated, ReasonCode.BUYING_POWER).message
    assert result(released, ReasonCode.BUYING_POWER).outcome is Outcome.BLOCK


def test_buying_power_after_a_short_fill() -> None:
    """A sale that filled short funds only what it brought: the buy beyond it is blocked at release."""
    book = portfolio(cash=0)
    ok = outcome_of(
        ReasonCode.BUYING_POWER, buy("AAA", 60), MARKET, book=book, filled_sell_proceeds=Decimal(6000), releasing=True
    )
    short = outcome_of(
        ReasonCode.BUYING_POWER, buy("AAA", 61), MARKET, book=book, filled_sell_proceeds=Decimal(6000), releasing=True
    )
    assert (ok.outcome, short.outcome) == (Outcome.PASS, Outcome.BLOCK)


@pytest.mark.parametrize(("quantity", "expected"), [(70, Outcome.PASS), (71, Outcome.BLOCK)])
def test_shares_available_at_threshold(quantity: int, expected: Outcome) -> None:
    """With 100 held and 30 in an open sell, 70 may be sold and 71 may not."""
    book = portfolio(cash=0, AAA=100)
    committed = [OpenOrder("open-1", "AAA", Side.SELL, Decimal(30))]
    found = outcome_of(ReasonCode.SHARES_AVAILABLE, sell("AAA", quantity), MARKET, book=book, open_orders=committed)
    assert found.outcome is expected


def test_shares_available_across_the_batch() -> None:
    """Two sells of one symbol share the holding: the second may not sell what the first did."""
    book = portfolio(cash=0, AAA=100)
    first, second = check([sell("AAA", 60), sell("AAA", 41)], MARKET, book=book)
    assert result(first, ReasonCode.SHARES_AVAILABLE).outcome is Outcome.PASS
    found = result(second, ReasonCode.SHARES_AVAILABLE)
    assert found.outcome is Outcome.BLOCK
    assert found.message == "selling 41 AAA with 40 free (100 held, 60 already in open sells)"


def test_an_open_order_that_is_the_checked_order_is_not_counted_twice() -> None:
    """Re-checking an order at release, while it sits among the open orders, does not commit it twice."""
    book = portfolio(cash=0, AAA=100)
    order = sell("AAA", 100)
    itself = [OpenOrder.of(order)]
    assert outcome_of(ReasonCode.SHARES_AVAILABLE, order, MARKET, book=book, open_orders=itself).outcome is Outcome.PASS
    assert outcome_of(ReasonCode.DUPLICATE_ORDER, order, MARKET, book=book, open_orders=itself).outcome is Outcome.PASS
