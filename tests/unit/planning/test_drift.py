"""Drift bands decide which holdings trade; cash-only invests cash or raises a withdrawal without other sells."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.domain.enums import Side
from oms.domain.market import Portfolio, Position
from oms.planning.drift import Bands, drift_table
from oms.planning.errors import PlanError
from oms.planning.rebalance import rebalance
from oms.planning.settings import RebalanceSettings

from .factories import master, security

D = Decimal
MASTER = master(
    *(security(s) for s in ("AAA", "BBB", "CCC", "DDD", "EEE")), security("LEV", leveraged=True, leverage_factor=D(3))
)
BANDED = RebalanceSettings(band_absolute=D("0.05"), band_relative=D("0.25"))


def portfolio(cash: str, **held: int) -> Portfolio:
    return Portfolio(D(cash), {s: Position(s, D(q)) for s, q in held.items()})


@pytest.mark.parametrize(
    ("current", "target", "outside"),
    [
        ("0.24", "0.20", False),  # 4pp: inside both 5pp and 25% of 20% (5pp)
        ("0.26", "0.20", True),  # 6pp
        ("0.05", "0.04", False),  # 1pp: the relative band (25% of 4% = 1pp) is the narrower
        ("0.0501", "0.04", True),
        ("0.01", None, True),  # not a target: always outside
        ("0", "0.10", True),  # 10pp below
    ],
)
def test_the_narrower_band_decides(current: str, target: str | None, outside: bool) -> None:
    bands = Bands(D("0.05"), D("0.25"))
    assert bands.outside(D(current), D(target) if target else None) is outside


def test_without_bands_every_drift_trades() -> None:
    assert Bands().outside(D("0.2001"), D("0.20"))
    assert not Bands().outside(D("0.20"), D("0.20"))


def test_holdings_inside_their_band_do_not_trade() -> None:
    held = portfolio("44000", AAA=240, BBB=220, CCC=100)  # $100 each: AAA 24%, BBB 22%, CCC 10%, cash 44% of 100k
    targets = {"AAA": D("0.20"), "BBB": D("0.20"), "CCC": D("0.20")}
    result = rebalance(targets, held, MASTER, BANDED)
    traded = {r.symbol: r.side for r in result.recommendations}
    assert traded == {"CCC": Side.BUY}
    assert any(s.startswith("AAA: 24.00% is within its band") for s in result.skipped)
    assert any(s.startswith("BBB: 22.00% is within its band") for s in result.skipped)


def test_a_limit_breach_trades_even_inside_a_band() -> None:
    held = portfolio("9000", AAA=300, BBB=330, CCC=280)  # cash 9% < 10% floor: every holding may be sold
    result = rebalance({"AAA": D("0.30"), "BBB": D("0.30"), "CCC": D("0.30")}, held, MASTER, BANDED)
    assert any(r.side is Side.SELL for r in result.recommendations)


def test_cash_only_buys_with_new_cash_and_sells_nothing() -> None:
    held = portfolio("46000", AAA=240, BBB=200, CCC=100)  # AAA 24% is over its 20% target: not sold
    targets = {"AAA": D("0.20"), "BBB": D("0.25"), "CCC": D("0.25")}
    result = rebalance(targets, held, MASTER, RebalanceSettings(), cash_only=True)
    assert all(r.side is Side.BUY for r in result.recommendations)
    spent = sum((r.value for r in result.recommendations), D(0))
    assert spent <= D(40000) - D("0.10") * D(100000)
    assert {r.symbol for r in result.recommendations} == {"BBB", "CCC"}


def test_withdrawal_sells_the_most_overweight_first_and_only_what_is_needed() -> None:
    held = portfolio("20000", AAA=180, BBB=170, CCC=160, DDD=150, EEE=140)  # $100k, AAA the most overweight
    targets = dict.fromkeys(("AAA", "BBB", "CCC", "DDD", "EEE"), D("0.18"))
    result = rebalance(targets, held, MASTER, RebalanceSettings(), cash_only=True, withdraw=D(12000))
    sells = [r for r in result.recommendations if r.side is Side.SELL]
    assert [r.symbol for r in sells] == ["AAA"]
    # $88k after the withdrawal must keep $8,800 cash; $8,000 is left after paying out, so $800 is raised
    assert sells[0].shares == 8
    assert not [r for r in result.recommendations if r.side is Side.BUY]
    plain = rebalance(targets, held, MASTER, RebalanceSettings(), withdraw=D(12000))
    assert {r.symbol for r in plain.recommendations if r.side is Side.SELL} == {"AAA", "BBB", "CCC"}


def test_withdrawing_more_than_the_portfolio_holds_is_refused() -> None:
    with pytest.raises(PlanError) as caught:
        rebalance({"AAA": D("0.5")}, portfolio("100", AAA=1), MASTER, RebalanceSettings(), withdraw=D(500))
    assert "after withdrawing $500.00" in caught.value.problems[0]


def test_limits_hold_with_bands_cash_only_and_withdrawals() -> None:
    held = portfolio("20000", AAA=200, BBB=200, LEV=400)  # LEV 40% leveraged
    targets = {"AAA": D("0.30"), "BBB": D("0.30"), "LEV": D("0.40")}
    for cash_only in (False, True):
        result = rebalance(targets, held, MASTER, BANDED, cash_only=cash_only, withdraw=D(5000))
        after = {s: p.quantity for s, p in held.positions.items()}
        cash = held.cash - D(5000)
        for r in result.recommendations:
            sign = 1 if r.side is Side.BUY else -1
            after[r.symbol] = after.get(r.symbol, D(0)) + sign * r.shares
            cash -= sign * r.value
        nav = cash + sum((q * 100 for q in after.values()), D(0))
        assert after["LEV"] * 100 / nav <= D("0.30") + D("0.01")
        assert cash / nav >= D("0.10") - D("0.001")


def test_drift_table_rows_for_held_and_targeted_symbols() -> None:
    nav, rows = drift_table(portfolio("50000", AAA=500), MASTER, {"BBB": D("0.5")}, Bands(D("0.05")))
    assert nav == D(100000)
    assert [(r.symbol, r.current, r.target, r.outside) for r in rows] == [
        ("AAA", D("0.5"), D(0), True),
        ("BBB", D(0), D("0.5"), True),
    ]
