"""The rebalancer: each allocation limit with hand-computed trades, and the limits as a property."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.domain.enums import Side
from oms.domain.market import Portfolio, Position
from oms.planning.errors import PlanError
from oms.planning.rebalance import rebalance
from oms.planning.settings import RebalanceSettings

from .factories import master, security

D = Decimal
LIMITS = RebalanceSettings()  # leveraged <= 30%, position <= 25%, cash >= 10%, trades >= $100 and 1 share
MASTER = master(
    security("AAA"),  # $100, whole shares
    security("BBB"),
    security("CCC"),
    security("DDD"),
    security("TEN", last_price=D(10)),
    security("THIRTY", last_price=D(30)),
    security("FRAC", fractional=True),
    security("LEV1", last_price=D(50), leveraged=True, leverage_factor=D(2)),
    security("LEV2", last_price=D(50), leveraged=True, leverage_factor=D(3)),
)


def portfolio(cash: str, **holdings: str) -> Portfolio:
    return Portfolio(D(cash), {s: Position(s, D(q)) for s, q in holdings.items()})


def trades(result: object) -> list[tuple[str, Side, Decimal]]:
    return [(r.symbol, r.side, r.shares) for r in result.recommendations]  # type: ignore[attr-defined]


def test_single_position_limit_caps_the_target_and_says_so() -> None:
    """Target 40% of $10,000 in AAA becomes 25%: buy 25 shares at $100; the change is a sentence."""
    result = rebalance({"AAA": D("0.40")}, portfolio("10000"), MASTER, LIMITS)
    assert trades(result) == [("AAA", Side.BUY, D(25))]
    assert result.adjustments == [
        "AAA: target 40.00% is above the 25.00% single-position limit; set to 25.00% and the 15.00% left stays in cash"
    ]
    assert result.recommendations[0].reason == (
        "Raise from 0.00% to target 25.00% (asked 40.00%; lowered for the single-position limit)"
    )


def test_leveraged_limit_scales_leveraged_targets_in_proportion() -> None:
    """LEV1 20% + LEV2 20% = 40% > 30%: each scaled by 0.75 to 15% = $15,000 / $50 = 300 shares."""
    result = rebalance({"LEV1": D("0.2"), "LEV2": D("0.2"), "AAA": D("0.2")}, portfolio("100000"), MASTER, LIMITS)
    assert sorted(trades(result)) == [("AAA", Side.BUY, D(200)), ("LEV1", Side.BUY, D(300)), ("LEV2", Side.BUY, D(300))]
    assert result.adjustments == [
        "leveraged targets (LEV1, LEV2) add up to 40.00%, above the 30.00% limit; each scaled by 0.7500 to total 30.00%"
    ]
    reasons = {r.symbol: r.reason for r in result.recommendations}
    assert reasons["LEV1"].endswith("(asked 20.00%; lowered for the leveraged limit)")
    assert reasons["AAA"] == "Raise from 0.00% to target 20.00%"


def test_cash_floor_scales_every_target() -> None:
    """Four 25% targets leave no cash: each scaled by 0.9 to 22.5% = 225 shares at $100, $90,000 in all."""
    targets = {s: D("0.25") for s in ("AAA", "BBB", "CCC", "DDD")}
    result = rebalance(targets, portfolio("100000"), MASTER, LIMITS)
    assert trades(result) == [(s, Side.BUY, D(225)) for s in ("AAA", "BBB", "CCC", "DDD")]
    assert result.adjustments == [
        "targets add up to 100.00%, leaving 0.00% cash, below the 10.00% floor; every target scaled by 0.9000 "
        "to leave 10.00% in cash"
    ]


def test_sells_round_up_and_never_exceed_the_holding() -> None:
    """NAV $400, THIRTY 10 @ $30 to 50%: $100 over target = 3.33 shares, sold as 4 (not 3) so 45% <= 50%."""
    limits = RebalanceSettings(max_position=D(1), min_cash=D(0))
    result = rebalance({"THIRTY": D("0.5")}, portfolio("100", THIRTY="10"), MASTER, limits)
    assert trades(result) == [("THIRTY", Side.SELL, D(4))]


def test_symbols_held_but_not_targeted_are_sold_whole_even_fractional() -> None:
    """A 2.5-share FRAC holding absent from the targets is sold in full, with the reason saying why."""
    result = rebalance({"AAA": D("0.1")}, portfolio("1000", FRAC="2.5"), MASTER, LIMITS)
    sell = next(r for r in result.recommendations if r.side is Side.SELL)
    assert (sell.symbol, sell.shares) == ("FRAC", D("2.5"))
    assert sell.reason == "Sell the whole holding (20.00%): not in the targets"


def test_fractional_buys_use_the_step_and_whole_share_names_round_down() -> None:
    """FRAC buys in 0.0001-share steps rounded down; TEN buys whole shares, here too few to trade."""
    result = rebalance({"FRAC": D("0.123456"), "TEN": D("0.0555")}, portfolio("1000"), MASTER, LIMITS)
    # FRAC: 123.456 / 100 = 1.23456 -> 1.2345 (0.0001 step, down); TEN: 55.5 / 10 = 5.55 -> 5 whole shares.
    assert trades(result) == [("FRAC", Side.BUY, D("1.2345"))]
    assert result.skipped == [
        "TEN: buy of 5 shares ($50.00) is below the minimum trade ($100.00 and 1 shares); skipped"
    ]


def test_sell_below_minimum_is_kept_when_it_restores_the_position_limit() -> None:
    """AAA at 26% must come down to 25% even though 1 share ($100) is below a $500 minimum."""
    limits = RebalanceSettings(min_trade_value=D(500))
    result = rebalance({"AAA": D("0.25")}, portfolio("7400", AAA="26"), MASTER, limits)
    assert trades(result) == [("AAA", Side.SELL, D(1))]
    assert result.recommendations[0].reason.endswith("kept below the minimum trade size because it restores a limit")


def test_buys_are_scaled_to_cash_left_after_sells_above_the_floor() -> None:
    """A skipped sell leaves $450 above the floor for a $1,050 buy: scaled by 0.4286 to 45 shares of TEN."""
    limits = RebalanceSettings(max_position=D(1), min_trade_shares=D(11))
    result = rebalance({"AAA": D("0.8"), "TEN": D("0.1")}, portfolio("1500", AAA="90"), MASTER, limits)
    assert trades(result) == [("TEN", Side.BUY, D(45))]
    assert result.skipped[0].startswith("AAA: sell of 6 shares ($600.00) is below the minimum trade")
    assert result.adjustments[-1] == (
        "buys need $1,050.00 but cash after sells leaves $450.00 above the 10.00% cash floor; "
        "every buy scaled by 0.4286"
    )


def test_unknown_symbol_and_empty_portfolio_are_errors() -> None:
    """A target without a price, or a portfolio worth nothing, cannot be rebalanced."""
    with pytest.raises(PlanError) as caught:
        rebalance({"NOPE": D("0.1")}, portfolio("1000"), MASTER, LIMITS, places={"NOPE": "targets.toml"})
    assert caught.value.problems == [
        "targets.toml: symbol: NOPE is not in the security master, so it has no price to rebalance with"
    ]
    with pytest.raises(PlanError, match="no value"):
        rebalance({"AAA": D("0.1")}, portfolio("0"), MASTER, LIMITS)


SYMBOLS = ["AAA", "BBB", "TEN", "THIRTY", "FRAC", "LEV1", "LEV2"]


@settings(max_examples=150, deadline=None)
@given(
    targets=st.dictionaries(st.sampled_from(SYMBOLS), st.decimals("0", "0.5", places=3), max_size=7),
    holdings=st.dictionaries(st.sampled_from(SYMBOLS), st.integers(0, 400), max_size=7),
    cash=st.integers(0, 50_000),
)
def test_after_the_trades_every_limit_holds(targets: dict[str, Decimal], holdings: dict[str, int], cash: int) -> None:
    """Whatever the targets and holdings, the traded portfolio meets all three limits and sells <= holdings."""
    total = sum(targets.values(), D(0))
    if total > 1:
        targets = {s: w / total for s, w in targets.items()}
    book = Portfolio(D(cash), {s: Position(s, D(q)) for s, q in holdings.items() if q})
    nav = book.cash + sum((p.quantity * MASTER.security(s).last_price for s, p in book.positions.items()), D(0))  # type: ignore[union-attr]
    if nav <= 0:
        return
    result = rebalance(targets, book, MASTER, LIMITS)
    after = {s: p.quantity for s, p in book.positions.items()}
    cash_after = book.cash
    for r in result.recommendations:
        if r.side is Side.SELL:
            assert r.shares <= book.quantity(r.symbol)
        after[r.symbol] = after.get(r.symbol, D(0)) + r.side.sign * r.shares
        cash_after -= r.side.sign * r.shares * r.reference_price
    value = {s: q * MASTER.security(s).last_price for s, q in after.items()}  # type: ignore[union-attr]
    assert cash_after >= LIMITS.min_cash * nav - D("0.000001")
    for symbol, amount in value.items():
        assert amount <= LIMITS.max_position * nav + D("0.000001"), symbol
    leveraged = sum((v for s, v in value.items() if MASTER.security(s).leveraged), D(0))  # type: ignore[union-attr]
    assert leveraged <= LIMITS.max_leveraged * nav + D("0.000001")
