"""TCA metrics against values worked out by hand (the arithmetic is in each test's comments)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from oms.domain import Side
from oms.reporting.tca import (
    MarketContext,
    PricePoint,
    implementation_shortfall,
    order_tca,
    slippage_bps,
    twap,
    vwap,
)
from tests.tca_samples import D, at, sample_batch, submitted_order


def by_symbol() -> dict[str, object]:
    orders, contexts = sample_batch()
    return {o.symbol: order_tca(o, contexts[o.symbol]) for o in orders}


def test_buy_slippage_is_positive_when_paying_more() -> None:
    """A buy filled above its benchmark is a cost: (50.24 - 50.10) / 50.10 * 10^4."""
    assert slippage_bps(Side.BUY, D("50.24"), D("50.10")) == D("0.14") / D("50.10") * 10_000


def test_sell_slippage_is_positive_when_receiving_less() -> None:
    """A sell filled below its benchmark is a cost, above it a gain: -(19.80 - 20.00) / 20.00 * 10^4 = 100."""
    assert slippage_bps(Side.SELL, D("19.80"), D("20.00")) == D(100)
    assert slippage_bps(Side.SELL, D("101"), D("100")) == D(-100)


def test_slippage_refuses_a_zero_benchmark() -> None:
    """A benchmark of zero is a data error, not infinite slippage."""
    with pytest.raises(ValueError, match="positive"):
        slippage_bps(Side.BUY, D(1), D(0))


def test_filled_buy_with_commissions() -> None:
    """Buy 100: 60 @ 50.20 + 40 @ 50.30 = avg 50.24; decision 50.00, arrival 50.10, commission 0.30 + 0.20."""
    row = by_symbol()["AAPL"]
    assert row.average_fill_price == D("50.24")
    assert row.slippage_decision_bps == D(48)  # 0.24 / 50 * 10^4
    assert row.slippage_arrival_bps == D(1400) / D("50.10")
    assert row.commission == D("0.50")
    assert row.fill_rate == 1
    assert row.shortfall is not None
    # delay 100 * 0.10; spread 100 * 50.10 * 5bps = 2.505; impact 100 * 0.14 - 2.505; no remainder.
    assert (row.shortfall.delay, row.shortfall.spread, row.shortfall.impact) == (D(10), D("2.505"), D("11.495"))
    assert row.shortfall.opportunity == 0
    assert row.shortfall.total == D("24.50")
    assert row.shortfall_bps == D(49)  # 24.50 / 5000 * 10^4
    assert row.time_to_first_fill == timedelta(seconds=30)
    assert row.time_to_completion == timedelta(seconds=90)
    assert row.participation_pct_adv == D("0.2")  # 100 / 50 000 * 100


def test_partially_filled_sell_carries_opportunity_cost() -> None:
    """Sell 200, 150 @ 19.80 then cancelled; the 50 left are marked at the end price 19.50 against 20.00."""
    row = by_symbol()["MSFT"]
    assert row.fill_rate == D("0.75")
    assert row.slippage_decision_bps == D(100)
    assert row.slippage_arrival_bps == D(1000) / D("19.90")  # 0.10 / 19.90 * 10^4
    assert row.shortfall is not None
    assert row.shortfall.delay == D(15)  # -150 * (19.90 - 20.00)
    assert row.shortfall.spread + row.shortfall.impact == D(15)  # -150 * (19.80 - 19.90)
    assert row.shortfall.spread == D("0.597")  # 150 * 19.90 * 2 bps (half the 4 bps spread)
    assert row.shortfall.opportunity == D(25)  # -50 * (19.50 - 20.00)
    assert row.shortfall.commission == D(1)
    assert row.shortfall.total == D(56)
    assert row.shortfall_bps == D(140)  # 56 / 4000 * 10^4
    assert row.time_to_completion is None
    assert "PARTIALLY_FILLED" in row.notes


def test_unfilled_sell_is_all_opportunity_cost() -> None:
    """Sell 50 never filled: no slippage, opportunity -50 * (396 - 400) = 200 dollars."""
    row = by_symbol()["QQQ"]
    assert row.average_fill_price is None
    assert row.slippage_arrival_bps is None
    assert row.shortfall is not None
    assert row.shortfall.total == row.shortfall.opportunity == D(200)
    assert row.time_to_first_fill is None
    assert "NOT_FILLED" in row.notes


def test_rejected_order_keeps_its_reason_and_its_opportunity_cost() -> None:
    """A rejected buy of 10 costs 10 * (210 - 200) = 100 in opportunity and names the reject reason."""
    row = by_symbol()["TSLA"]
    assert row.shortfall is not None
    assert row.shortfall.opportunity == D(100)
    assert row.notes == ("REJECTED:RISK_MAX_ORDER_VALUE",)  # no stand-in notes: nothing was filled


def test_algo_order_against_interval_twap_and_vwap() -> None:
    """TWAP buy of 1000 at avg 11.10; interval prices 11.00..11.40 give TWAP 11.20 and VWAP 112500/10000."""
    row = by_symbol()["SPY"]
    assert row.average_fill_price == D("11.10")
    assert row.arrival_price == D("11.00")  # the reference price at submission
    assert "ARRIVAL_FROM_REFERENCE" in row.notes
    assert row.interval_twap == D("11.20")
    assert row.interval_vwap == D("11.25")
    assert row.vs_twap_bps == D("-0.10") / D("11.20") * 10_000
    assert row.vs_vwap_bps == D("-0.15") / D("11.25") * 10_000


def test_twap_and_vwap_of_nothing_are_unknown() -> None:
    """No samples, or samples without volume, give no benchmark rather than zero."""
    assert twap([]) is None
    assert vwap([PricePoint(at(0), D(10), D(0))]) is None


def test_manual_fill_without_arrival_falls_back_to_decision_price() -> None:
    """A fill typed in by hand, with no arrival recorded, is measured against the decision price, with a note."""
    order = submitted_order("IBM", "buy", "10", decision="100")
    order.fill("manual-1", "10", "100.50", at(120))
    row = order_tca(order)
    assert row.arrival_price == D(100)
    assert row.slippage_arrival_bps == D(50)
    assert "ARRIVAL_FROM_DECISION" in row.notes
    assert row.time_to_first_fill == timedelta(seconds=120)  # from the submitted event


def test_order_without_any_price_reports_no_benchmark() -> None:
    """No decision, arrival or reference price: slippage and shortfall are unknown, not zero."""
    order = submitted_order("IBM", "buy", "10", decision=None)
    order.fill("manual-1", "10", "100.50", at(120))
    row = order_tca(order)
    assert row.slippage_arrival_bps is None
    assert row.shortfall is None
    assert "NO_BENCHMARK" in row.notes


def test_cost_above_expectation_is_flagged() -> None:
    """AAPL's 27.9 bps against arrival exceeds its expected 20 bps; with a 10 bps margin it does not."""
    orders, contexts = sample_batch()
    assert "COST_ABOVE_EXPECTED" in order_tca(orders[0], contexts["AAPL"]).notes
    relaxed = order_tca(orders[0], contexts["AAPL"], warn_above_expected_bps=D(10))
    assert "COST_ABOVE_EXPECTED" not in relaxed.notes


def test_shortfall_parts_add_up_to_the_paper_portfolio_difference() -> None:
    """Whatever the prices, delay + spread + impact equals the fill's distance from decision on the filled part."""
    parts = implementation_shortfall(
        Side.SELL,
        decision_price=D("10"),
        arrival_price=D("10.2"),
        filled_quantity=D(7),
        average_fill_price=D("9.9"),
        unfilled_quantity=D(3),
        end_price=D("9"),
        commission=D("0.07"),
        spread_bps=D(8),
    )
    assert parts.delay + parts.spread + parts.impact == -7 * (D("9.9") - 10)
    assert parts.opportunity == -3 * (D(9) - 10)
    assert parts.total == D("0.7") + D(3) + D("0.07")


def test_fees_outside_the_fills_count_as_commission() -> None:
    """Fees typed in from a statement add to the fills' commissions."""
    orders, contexts = sample_batch()
    context = contexts["AAPL"]
    with_fees = MarketContext(arrival_price=context.arrival_price, end_price=context.end_price, fees=Decimal("1.25"))
    assert order_tca(orders[0], with_fees).commission == D("1.75")


def test_arrival_noted_by_the_engine_is_used() -> None:
    """An `arrival_price` noted on the order at release is the arrival benchmark, without a stand-in note."""
    order = submitted_order("IBM", "buy", "10", decision="100")
    order.note("arrival", at=at(5), arrival_price="100.20")
    order.fill("x-1", "10", "100.30", at(60))
    row = order_tca(order)
    assert row.arrival_price == D("100.20")
    assert row.slippage_arrival_bps == D("0.10") / D("100.20") * 10_000
    assert not any(n.startswith("ARRIVAL_") for n in row.notes)


def test_order_without_decision_price_is_measured_from_arrival() -> None:
    """No decision price: arrival stands in, so delay is zero and both slippages agree."""
    order = submitted_order("IBM", "sell", "10", decision=None)
    order.fill("f-1", "10", "99", at(30))
    row = order_tca(order, MarketContext(arrival_price=D(100)))
    assert row.decision_price == D(100)
    assert row.slippage_decision_bps == row.slippage_arrival_bps == D(100)
    assert row.shortfall is not None
    assert row.shortfall.delay == 0
    assert row.shortfall.total == D(10)  # -10 * (99 - 100)
    assert "DECISION_FROM_ARRIVAL" in row.notes
