"""build_plan: guided, sequenced orders with funding; holdings checked; the documented JSON shape."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest

from oms.config import ConfigError, load_settings
from oms.domain.enums import Algo, OrderType, Side
from oms.domain.market import Portfolio, Position
from oms.planning.bulk import collector_paused
from oms.planning.errors import PlanError
from oms.planning.plan import JSON_KEYS, build_plan, release_request
from oms.planning.settings import PlanningSettings

from .factories import master, recommendation, security

D = Decimal
SETTINGS = PlanningSettings()
MASTER = master(
    security("AAA"),
    security("LEV", last_price=D(50), leveraged=True, leverage_factor=D(3), sector="Broad Market"),
)


def test_plan_orders_carry_guidance_sequence_and_audit_fields() -> None:
    """Sell of a leveraged fund is wave 1 with a limit; the buy is wave 2; decision price and reason are kept."""
    recs = [
        recommendation("AAA", Side.BUY, "10", reason="add core"),
        recommendation("LEV", Side.SELL, "20", reference_price=D(50), reason="cut leverage"),
    ]
    plan = build_plan(recs, None, MASTER, SETTINGS)
    sell, buy = plan.orders
    assert (sell.symbol, sell.wave, sell.priority, sell.order_type) == ("LEV", 1, 1, OrderType.LIMIT)
    assert sell.limit_price == D("49.97")  # 50 * (1 - (1 + 5) bps) = 49.97
    assert (sell.leveraged, sell.sector, sell.reason, sell.decision_price) == (True, "Broad Market", "cut leverage", 50)
    assert (buy.symbol, buy.wave, buy.priority, buy.order_type, buy.algo) == (
        "AAA",
        2,
        2,
        OrderType.MARKET,
        Algo.MARKET,
    )
    assert buy.expected_cost_bps == D("1.32")  # 1 + 100 * sqrt(10 / 1,000,000) = 1.316
    assert [link.symbol for link in plan.funding.links] == ["AAA"]
    assert plan.funding.links[0].sources[0].source == "LEV"


def test_to_json_has_exactly_the_documented_keys_with_decimal_strings() -> None:
    """`{"orders": [...]}` with the twelve keys; quantities and prices as strings; wave and priority as ints."""
    plan = build_plan([recommendation("LEV", Side.BUY, "3", reference_price=D(50))], None, MASTER, SETTINGS)
    (order,) = plan.to_json()["orders"]
    assert tuple(order) == JSON_KEYS
    assert order["quantity"] == "3"
    assert order["limit_price"] == "50.03"
    assert (order["side"], order["order_type"], order["algo"], order["wave"], order["priority"]) == (
        "buy",
        "limit",
        "limit",
        1,
        1,
    )


def test_selling_more_than_held_is_refused_naming_the_row() -> None:
    """With positions given, a sell above the holding is a PlanError pointing at the recommendation's source."""
    book = Portfolio(D(0), {"AAA": Position("AAA", D(5))})
    with pytest.raises(PlanError) as caught:
        build_plan([recommendation("AAA", Side.SELL, "6")], book, MASTER, SETTINGS)
    assert caught.value.problems == [
        "test:AAA: shares: selling 6 AAA in all but the positions hold 5; never sell more than held"
    ]


def test_funding_uses_cash_above_the_floor_and_notes_a_shortfall() -> None:
    """NAV $10,000 (floor $1,000) with $1,500 cash: a $2,000 buy is $1,500 short and the plan says so."""
    book = Portfolio(D(1_500), {"AAA": Position("AAA", D(85))})
    plan = build_plan([recommendation("AAA", Side.BUY, "20")], book, MASTER, SETTINGS)
    assert plan.funding.cash_floor == D(1_000)
    assert plan.funding.links[0].sources[0].amount == D(500)
    assert plan.funding.shortfall == D(1_500)
    assert plan.notes[0].startswith("buys cost $1,500.00 more than cash above the $1,000.00 floor")


def test_settings_come_from_the_config_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """[guidance] and [rebalance] values from a user file reach the model; a bad value names its key."""
    good = tmp_path / "good.toml"
    good.write_text("[guidance]\nlimit_min_spread_bps = 3\n[rebalance]\nmax_position = 0.2\n")
    planning = PlanningSettings.from_settings(load_settings(good))
    assert planning.guidance.limit_min_spread_bps == D(3)
    assert planning.rebalance.max_position == D("0.2")
    bad = tmp_path / "bad.toml"
    bad.write_text("[rebalance]\nmin_cash = 1.5\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: rebalance\.min_cash: must be less than or equal to 1"):
        PlanningSettings.from_settings(load_settings(bad))


def test_release_request_prices_limit_buys_at_the_limit_and_market_buys_with_a_margin() -> None:
    """A limit buy is priced at its limit; a market buy at decision price + 50 bps; sells are refused."""
    plan = build_plan(
        [
            recommendation("AAA", Side.BUY, "10"),
            recommendation("LEV", Side.BUY, "4", reference_price=D(50)),
            recommendation("AAA2", Side.SELL, "1", value=D(100)),
        ],
        None,
        MASTER,
        SETTINGS,
    )
    by_symbol = {order.symbol: order for order in plan.orders}
    market = release_request(by_symbol["AAA"])
    assert (market.price, market.quantity, market.leveraged) == (D("100.5"), D(10), False)
    limit = release_request(by_symbol["LEV"], D(3))
    assert (limit.price, limit.quantity, limit.leveraged) == (D("50.03"), D(3), True)
    with pytest.raises(ValueError, match="only buys"):
        release_request(by_symbol["AAA2"])


def test_collector_is_paused_during_bulk_work_and_restored_even_on_error() -> None:
    """collector_paused disables gc inside, restores it after (also after an exception), and keeps it off if off."""
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
