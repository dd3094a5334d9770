"""Guidance thresholds: order type, limit price by urgency, time in force and the algorithm selector."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.domain.enums import Algo, OrderType, Side, TimeInForce, Urgency
from oms.planning.guidance import AlgoSelector, guide
from oms.planning.settings import GuidanceSettings

from .factories import recommendation, security

SETTINGS = GuidanceSettings()  # limit at vol >= 3% or spread >= 10 bps; buffers 5 / 25 bps


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, OrderType.MARKET),
        ({"leveraged": True, "leverage_factor": Decimal(2)}, OrderType.LIMIT),
        ({"daily_volatility": Decimal("0.03")}, OrderType.LIMIT),
        ({"daily_volatility": Decimal("0.0299")}, OrderType.MARKET),
        ({"spread_bps": Decimal(10)}, OrderType.LIMIT),
        ({"spread_bps": Decimal("9.99")}, OrderType.MARKET),
    ],
)
def test_order_type_thresholds(overrides: dict[str, object], expected: OrderType) -> None:
    """Limit for leveraged names, at or above the volatility and spread thresholds; market otherwise."""
    advice = guide(recommendation(), security(**overrides), SETTINGS)
    assert advice.order_type is expected
    assert (advice.limit_price is None) == (expected is OrderType.MARKET)


def test_unknown_security_gets_a_limit_at_its_row_price() -> None:
    """A symbol outside the master is a limit order priced from the row, with no cost estimate."""
    advice = guide(recommendation(reference_price=Decimal(25)), None, SETTINGS)
    assert advice.order_type is OrderType.LIMIT
    assert advice.limit_price == Decimal("25.01")  # 25 * (1 + 5 bps), rounded down
    assert advice.expected_cost_bps is None


@pytest.mark.parametrize(
    ("side", "urgency", "expected"),
    [
        # reference 100, spread 20 bps (half 10): low rests at 100; normal 10+5 = 15 bps; high 10+25 = 35 bps.
        (Side.BUY, Urgency.LOW, "100.00"),
        (Side.BUY, Urgency.NORMAL, "100.15"),
        (Side.BUY, Urgency.HIGH, "100.35"),
        (Side.SELL, Urgency.LOW, "100.00"),
        (Side.SELL, Urgency.NORMAL, "99.85"),
        (Side.SELL, Urgency.HIGH, "99.65"),
    ],
)
def test_limit_price_by_side_and_urgency(side: Side, urgency: Urgency, expected: str) -> None:
    """The limit crosses half the spread plus the urgency buffer, in the trade's direction."""
    advice = guide(recommendation(side=side, urgency=urgency), security(spread_bps=Decimal(20)), SETTINGS)
    assert advice.limit_price == Decimal(expected)


def test_limit_rounding_direction_on_an_awkward_price() -> None:
    """33.33 * 1.0015 = 33.379995: a buy rounds down to 33.37, the mirrored sell 33.280005 rounds up to 33.29."""
    wide = security(last_price=Decimal("33.33"), spread_bps=Decimal(20))
    buy = guide(recommendation(reference_price=Decimal("33.33")), wide, SETTINGS)
    sell = guide(recommendation(side=Side.SELL, reference_price=Decimal("33.33")), wide, SETTINGS)
    assert (buy.limit_price, sell.limit_price) == (Decimal("33.37"), Decimal("33.29"))


def test_requested_fields_win_and_off_tick_limit_is_rounded_passively() -> None:
    """A requested order type, limit, TIF and urgency are kept; an off-tick buy limit rounds down."""
    rec = recommendation(
        order_type=OrderType.LIMIT,
        limit_price=Decimal("99.999"),
        time_in_force=TimeInForce.GTC,
        urgency=Urgency.LOW,
    )
    advice = guide(rec, security(), SETTINGS)
    assert (advice.order_type, advice.limit_price) == (OrderType.LIMIT, Decimal("99.99"))
    assert (advice.time_in_force, advice.urgency) == (TimeInForce.GTC, Urgency.LOW)
    assert "rounded to the tick" in advice.reason


def test_market_requested_on_a_leveraged_name_is_kept() -> None:
    """The user's explicit market order is respected (risk checks may still flag it)."""
    rec = recommendation(order_type=OrderType.MARKET)
    advice = guide(rec, security(leveraged=True, leverage_factor=Decimal(3)), SETTINGS)
    assert advice.order_type is OrderType.MARKET
    assert advice.limit_price is None


@pytest.mark.parametrize(
    ("value", "pct_adv", "urgency", "volatility", "order_type", "expected"),
    [
        ("25000", "0.005", Urgency.NORMAL, "0.01", OrderType.MARKET, Algo.MARKET),
        ("25000", "0.005", Urgency.HIGH, "0.05", OrderType.LIMIT, Algo.LIMIT),
        ("25000.01", "0.001", Urgency.NORMAL, "0.01", OrderType.MARKET, Algo.TWAP),
        ("1000", "0.0051", Urgency.NORMAL, "0.01", OrderType.MARKET, Algo.TWAP),
        ("50000", "0.001", Urgency.HIGH, "0.01", OrderType.MARKET, Algo.IS),
        ("50000", "0.001", Urgency.NORMAL, "0.03", OrderType.LIMIT, Algo.IS),
        ("50000", "0.001", Urgency.NORMAL, "0.0299", OrderType.LIMIT, Algo.TWAP),
        ("50000", "0.02", Urgency.NORMAL, "0.01", OrderType.MARKET, Algo.VWAP),
        ("50000", "0.0199", Urgency.LOW, "0.01", OrderType.MARKET, Algo.TWAP),
    ],
)
def test_algo_selector_thresholds(
    value: str, pct_adv: str, urgency: Urgency, volatility: str, order_type: OrderType, expected: Algo
) -> None:
    """Single order when small in value and % ADV; else IS if urgent/volatile, VWAP if >= 2% ADV, else TWAP."""
    algo, reason = AlgoSelector(SETTINGS).choose(
        order_type=order_type,
        value=Decimal(value),
        pct_adv=Decimal(pct_adv),
        urgency=urgency,
        daily_volatility=Decimal(volatility),
    )
    assert algo is expected
    assert reason.startswith(("one", expected.value))


def test_algo_thresholds_come_from_settings() -> None:
    """Raising the single-order value limit turns a TWAP into one order."""
    roomy = GuidanceSettings(single_order_max_value=Decimal(100_000))
    algo, _ = AlgoSelector(roomy).choose(
        order_type=OrderType.MARKET,
        value=Decimal(50_000),
        pct_adv=Decimal("0.001"),
        urgency=Urgency.NORMAL,
        daily_volatility=Decimal("0.01"),
    )
    assert algo is Algo.MARKET
