"""Tick rounding (never more aggressive than computed) and the square-root expected cost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.enums import Side
from oms.planning.pricing import expected_cost_bps, round_limit, tick_size

from .factories import security


@pytest.mark.parametrize(
    ("price", "side", "expected"),
    [
        ("100.129", Side.BUY, "100.12"),
        ("100.121", Side.SELL, "100.13"),
        ("100.12", Side.BUY, "100.12"),
        ("100.12", Side.SELL, "100.12"),
        ("1.00", Side.BUY, "1.00"),
        ("1.009", Side.BUY, "1.00"),
        ("0.99995", Side.BUY, "0.9999"),
        ("0.99995", Side.SELL, "1.00"),
        ("0.123456", Side.BUY, "0.1234"),
        ("0.123401", Side.SELL, "0.1235"),
        ("0.00001", Side.BUY, "0.0001"),
    ],
)
def test_round_limit_buys_down_sells_up_on_the_right_tick(price: str, side: Side, expected: str) -> None:
    """Cents at or above $1, 0.0001 below; buys round down and sells up; never zero."""
    assert round_limit(Decimal(price), side) == Decimal(expected)
    assert str(round_limit(Decimal(price), side)) == expected


@given(
    price=st.decimals(min_value=Decimal("0.0002"), max_value=Decimal("100000"), places=6, allow_nan=False),
    side=st.sampled_from(list(Side)),
)
def test_rounded_limit_is_on_tick_and_not_more_aggressive(price: Decimal, side: Side) -> None:
    """For any price the rounded limit is a multiple of its tick and within one tick, on the passive side."""
    rounded = round_limit(price, side)
    assert rounded % tick_size(rounded) == 0
    if side is Side.BUY:
        assert price - tick_size(price) < rounded <= price
    else:
        assert price <= rounded < price + tick_size(price)


def test_expected_cost_is_half_spread_plus_square_root_impact() -> None:
    """4 bps spread, 2% daily vol, 1% of ADV, k=1: 2 + 200 * 0.1 = 22.00 bps."""
    name = security(spread_bps=Decimal(4), daily_volatility=Decimal("0.02"), adv=Decimal(1_000_000))
    assert expected_cost_bps(name, Decimal(10_000), Decimal(1)) == Decimal("22.00")
    assert expected_cost_bps(name, Decimal(10_000), Decimal("0.5")) == Decimal("12.00")
    assert expected_cost_bps(None, Decimal(10), Decimal(1)) is None
