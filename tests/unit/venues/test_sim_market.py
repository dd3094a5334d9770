"""The simulated market's pure pieces: shocks, the volume profile, slippage and ticks."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest

from adapters.sim import market
from oms.domain.enums import Side
from oms.domain.market import Security

SECURITY = Security("AAA", "A", "equity", "test", Decimal(100), Decimal(1_000_000), Decimal(10), Decimal("0.02"))


def test_shocks_depend_only_on_seed_symbol_and_step() -> None:
    """The same seed, symbol and step give the same shock; changing any one changes it; shocks look standard normal."""
    assert market.shock(1, "AAA", 5) == market.shock(1, "AAA", 5)
    assert len({market.shock(1, "AAA", 5), market.shock(2, "AAA", 5), market.shock(1, "BBB", 5)}) == 3
    sample = [market.shock(1, "AAA", step) for step in range(20_000)]
    assert statistics.fmean(sample) == pytest.approx(0, abs=0.03)
    assert statistics.stdev(sample) == pytest.approx(1, abs=0.03)


def test_the_walk_continues_from_where_it_stopped() -> None:
    """Walking 0→10 then 10→20 lands where walking 0→20 does, so the venue may advance in any chunks."""
    direct = market.walk(100.0, 0, 20, seed=9, symbol="AAA", sigma=0.01)
    middle = market.walk(100.0, 0, 10, seed=9, symbol="AAA", sigma=0.01)
    assert market.walk(middle, 10, 20, seed=9, symbol="AAA", sigma=0.01) == pytest.approx(direct, rel=1e-12)


def test_the_volume_profile_is_u_shaped_and_averages_one() -> None:
    """Volume is heavier at the open and close than at midday and averages to the ADV over the session."""
    weights = [market.volume_weight((i + 0.5) / 390) for i in range(390)]
    assert statistics.fmean(weights) == pytest.approx(1.0, rel=1e-3)
    assert weights[0] > weights[195] < weights[-1]


def test_slippage_grows_with_size_and_always_goes_against_the_order() -> None:
    """Buys pay above the ask and sells receive below the bid, more so for larger orders."""
    small_buy = market.impacted_price(Side.BUY, SECURITY, 100.0, Decimal(100), 1.0)
    large_buy = market.impacted_price(Side.BUY, SECURITY, 100.0, Decimal(100_000), 1.0)
    assert 100.05 < small_buy < large_buy
    assert large_buy == pytest.approx(100.05 + 100 * 0.02 * (0.1**0.5))
    assert market.impacted_price(Side.SELL, SECURITY, 100.0, Decimal(100), 1.0) < 99.95


def test_prices_round_to_the_tick_and_sizes_to_the_lot() -> None:
    """Prices get cents at or above $1 and hundredths of a cent below; sizes get whole or fractional shares."""
    assert market.to_tick(100.126) == Decimal("100.13")
    assert market.to_tick(0.51237) == Decimal("0.5124")
    assert market.lot(SECURITY, 12.9) == Decimal(12)
    fractional = Security("F", "F", "etf", "t", Decimal(1), Decimal(1), Decimal(1), Decimal(0), fractional=True)
    assert market.lot(fractional, 12.98765) == Decimal("12.9876")
