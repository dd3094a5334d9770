"""Funding: buys are released only against filled cash above the floor; failed sells shrink or hold buys."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from oms.planning.funding import (
    BuyToRelease,
    ReleaseAction,
    available_cash,
    decide_release,
    plan_funding,
)

D = Decimal


def test_all_buys_released_when_cash_covers_them() -> None:
    """$10,000 free above the floor covers $6,000 of buys: both go out as planned."""
    buys = [BuyToRelease("AAA", D(20), D(100)), BuyToRelease("BBB", D(40), D(100))]
    decisions = decide_release(buys, cash_available=D(12_000), cash_floor=D(2_000))
    assert [(d.symbol, d.action, d.quantity) for d in decisions] == [
        ("BBB", ReleaseAction.RELEASE, D(40)),
        ("AAA", ReleaseAction.RELEASE, D(20)),
    ]


def test_priority_is_leveraged_first_then_larger_value() -> None:
    """A small leveraged buy is funded before a larger plain one."""
    buys = [BuyToRelease("BIG", D(50), D(100)), BuyToRelease("LEV", D(10), D(50), leveraged=True)]
    decisions = decide_release(buys, D(5_000), D(0))
    assert [(d.symbol, d.action, d.quantity) for d in decisions] == [
        ("LEV", ReleaseAction.RELEASE, D(10)),
        ("BIG", ReleaseAction.SHRINK, D(45)),
    ]


def test_rejected_sell_holds_the_buy_it_funded() -> None:
    """Sell of 100 @ $50 rejected: no proceeds, so a $5,000 buy waits instead of spending the floor."""
    cash = available_cash(D(1_000), filled_sell_proceeds=D(0), filled_buy_cost=D(0), committed_to_open_buys=D(0))
    decisions = decide_release([BuyToRelease("BUY", D(50), D(100))], cash, cash_floor=D(1_000))
    assert decisions[0].action is ReleaseAction.HOLD
    assert decisions[0].quantity == 0
    assert decisions[0].cost == 0
    assert decisions[0].reason.startswith("held: $5,000.00 needed, $0.00 of cash above the $1,000.00 floor")


def test_half_filled_sell_shrinks_the_buy_to_whole_shares() -> None:
    """Sell filled 50 of 100 @ $50 = $2,500: a 50-share $99 buy shrinks to 25 whole shares ($2,475)."""
    cash = available_cash(D(1_000), filled_sell_proceeds=D(2_500), filled_buy_cost=D(0), committed_to_open_buys=D(0))
    (decision,) = decide_release([BuyToRelease("BUY", D(50), D(99))], cash, cash_floor=D(1_000))
    assert (decision.action, decision.quantity, decision.cost) == (ReleaseAction.SHRINK, D(25), D(2_475))
    assert decision.planned_quantity == D(50)
    assert "shrunk from 50 to 25 shares" in decision.reason


def test_fractional_buy_shrinks_to_the_step() -> None:
    """A fractional-eligible buy shrinks to 0.0001-share steps: $1,000 / $300 = 3.3333 shares."""
    (decision,) = decide_release([BuyToRelease("VTI", D(10), D(300), fractional=True)], D(1_000), D(0))
    assert (decision.action, decision.quantity) == (ReleaseAction.SHRINK, D("3.3333"))


def test_open_buys_and_filled_buys_reduce_what_is_available() -> None:
    """Cash committed to open buys and spent on filled buys is not available twice."""
    cash = available_cash(D(10_000), D(5_000), filled_buy_cost=D(6_000), committed_to_open_buys=D(4_000))
    assert cash == D(5_000)
    (decision,) = decide_release([BuyToRelease("X", D(60), D(100))], cash, D(0))
    assert (decision.action, decision.quantity) == (ReleaseAction.SHRINK, D(50))


def test_a_later_smaller_buy_can_use_what_a_held_one_left() -> None:
    """When the first buy cannot get one share, a cheaper one later still fits."""
    buys = [BuyToRelease("PRICEY", D(1), D(900)), BuyToRelease("CHEAP", D(5), D(100))]
    decisions = decide_release(buys, D(600), D(0))
    assert [(d.symbol, d.action, d.quantity) for d in decisions] == [
        ("PRICEY", ReleaseAction.HOLD, D(0)),
        ("CHEAP", ReleaseAction.RELEASE, D(5)),
    ]


def test_below_the_floor_everything_is_held() -> None:
    """With cash already under the floor, no buy is released at all."""
    decisions = decide_release([BuyToRelease("A", D(1), D(1))], D(500), D(1_000))
    assert decisions[0].action is ReleaseAction.HOLD


def test_plan_funding_links_cash_then_sells_in_order() -> None:
    """Free cash pays first, then each sell's proceeds in sell order; the rest is a shortfall."""
    plan = plan_funding(
        sells=[("S1", D(3_000)), ("S2", D(1_000))],
        buys=[("B1", D(2_500)), ("B2", D(3_000))],
        cash=D(2_000),
        cash_floor=D(1_000),
    )
    b1, b2 = plan.links
    assert [(s.source, s.amount) for s in b1.sources] == [("CASH", D(1_000)), ("S1", D(1_500))]
    assert [(s.source, s.amount) for s in b2.sources] == [("S1", D(1_500)), ("S2", D(1_000))]
    assert b2.shortfall == D(500)
    assert plan.shortfall == D(500)
    assert plan.to_json()[0] == {
        "buy": "B1",
        "cost": "2500",
        "sources": [{"source": "CASH", "amount": "1000"}, {"source": "S1", "amount": "1500"}],
        "shortfall": "0",
    }


buy_strategy = st.builds(
    BuyToRelease,
    symbol=st.sampled_from(["A", "B", "C", "D", "E"]),
    quantity=st.decimals("1", "500", places=0),
    price=st.decimals("0.5", "900", places=2),
    fractional=st.booleans(),
    leveraged=st.booleans(),
)


@given(
    buys=st.lists(buy_strategy, max_size=5, unique_by=lambda buy: buy.symbol),
    cash=st.decimals("-1000", "200000", places=2),
    floor=st.decimals("0", "20000", places=2),
)
def test_released_cash_never_breaks_the_floor(buys: list[BuyToRelease], cash: Decimal, floor: Decimal) -> None:
    """For any buys and cash, what is released costs at most cash minus floor, never more than planned, on the step."""
    decisions = decide_release(buys, cash, floor)
    assert len(decisions) == len(buys)
    spent = sum((d.cost for d in decisions), D(0))
    assert spent <= max(cash - floor, D(0))
    by_symbol = {b.symbol: b for b in buys}
    for decision in decisions:
        assert 0 <= decision.quantity <= decision.planned_quantity
        if not by_symbol[decision.symbol].fractional:
            assert decision.quantity == decision.quantity.to_integral_value()
        assert (decision.action is ReleaseAction.HOLD) == (decision.quantity == 0)
