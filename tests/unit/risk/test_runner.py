"""run_checks over a batch: every code once per order, the worst outcome, and any order shape with the fields."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from oms.domain import OrderType, Side, TimeInForce
from oms.domain.market import Portfolio, Position
from oms.risk import Outcome, ReasonCode, RiskLimits
from tests.unit.risk.support import NOW, Market, buy, check, portfolio, result, sell

MARKET = Market().add("AAA", "100").add("BBB", "50")


@dataclass(frozen=True)
class Planned:
    """An order shape that is not the domain Order, as the planner makes them."""

    id: str
    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    extended_hours: bool = False
    decision_price: Decimal | None = None


def test_every_code_reported_once_per_order() -> None:
    """A priced order gets one result for each of the seventeen reason codes, in a fixed order."""
    (checks,) = check([buy("AAA", 10)], MARKET)
    assert sorted(r.code for r in checks.results) == sorted(ReasonCode)
    assert checks.worst is Outcome.PASS
    assert checks.problems() == []


def test_any_order_with_the_fields_can_be_checked() -> None:
    """The checks read orders through a protocol, so a planner's own order type works."""
    orders = [Planned("p1", "BBB", Side.SELL, Decimal(10)), Planned("p2", "AAA", Side.BUY, Decimal(5))]
    first, second = check(orders, MARKET, book=portfolio(cash=1_000, BBB=10))
    assert first.order is orders[0]
    assert result(second, ReasonCode.BUYING_POWER).outcome is Outcome.PASS


def test_worst_outcome_and_problems_worst_first() -> None:
    """A warn and a block on one order: worst is block, and problems lists the block first."""
    limits = RiskLimits(restricted_symbols=("AAA",), max_adv_pct_warn=Decimal("0.000001"))
    (checks,) = check([buy("AAA", 10)], MARKET, limits=limits)
    assert checks.worst is Outcome.BLOCK
    assert checks.blocked
    assert [(r.code, r.outcome) for r in checks.problems()] == [
        (ReasonCode.RESTRICTED_SYMBOL, Outcome.BLOCK),
        (ReasonCode.ADV_LIMIT, Outcome.WARN),
    ]


def test_results_render_as_json_values() -> None:
    """A result renders as code, outcome and message strings."""
    (checks,) = check([sell("AAA", 1)], MARKET, book=portfolio(cash=0))
    rendered = result(checks, ReasonCode.SHARES_AVAILABLE).as_dict()
    assert rendered == {
        "code": "SHARES_AVAILABLE",
        "outcome": "block",
        "message": "selling 1 AAA with 0 free (0 held, 0 already in open sells)",
    }


def test_sells_given_first_fund_the_buys() -> None:
    """In a rebalance the sales come first and the buys they fund pass every money check."""
    book = portfolio(cash=10_000, BBB=2_000)  # $110,000 in all
    orders = [sell("BBB", 2_000), buy("AAA", 270)]
    sold, bought = check(orders, MARKET, book=book)
    assert sold.worst is Outcome.PASS
    assert bought.worst is Outcome.PASS, bought.problems()


def test_without_a_portfolio_only_the_checks_that_need_none_run() -> None:
    """A dry run without positions reports no holdings or cash checks instead of inventing an empty account."""
    (checks,) = check([buy("AAA", 10)], MARKET, book=None, portfolio_known=False)
    codes = {r.code for r in checks.results}
    assert ReasonCode.BUYING_POWER not in codes
    assert ReasonCode.POSITION_CONCENTRATION not in codes
    assert ReasonCode.SHARES_AVAILABLE not in codes
    assert ReasonCode.ORDER_VALUE_LIMIT in codes
    assert checks.worst is Outcome.PASS


def test_unquoted_holding_is_valued_at_its_average_cost() -> None:
    """A position missing from the market data still counts in the portfolio value, at its average cost."""
    book = Portfolio(cash=Decimal(0), positions={"OLD": Position("OLD", Decimal(1000), Decimal(100))})
    (checks,) = check([buy("AAA", 250)], MARKET, book=book)
    assert "of $100,000.00" in result(checks, ReasonCode.POSITION_CONCENTRATION).message


def test_naive_time_is_refused() -> None:
    """A context time without a timezone is a programming error, never silently taken as local or UTC."""
    with pytest.raises(ValueError, match="timezone-aware"):
        check([buy("AAA", 1)], MARKET, now=NOW.replace(tzinfo=None))
