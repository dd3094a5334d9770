"""Post-trade exposure checks at their thresholds, on a $1,000,000 portfolio of cash."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.risk import Outcome, ReasonCode, RiskLimits
from tests.unit.risk.support import Market, buy, check, outcome_of, portfolio, result, sell


@pytest.mark.parametrize(("quantity", "expected"), [(2500, Outcome.PASS), (2501, Outcome.BLOCK)])
def test_position_concentration_at_threshold(quantity: int, expected: Outcome) -> None:
    """A buy to exactly 25% of the portfolio passes; one share more is blocked."""
    found = outcome_of(ReasonCode.POSITION_CONCENTRATION, buy("AAA", quantity), Market().add("AAA", "100"))
    assert found.outcome is expected


def test_position_concentration_counts_what_is_held() -> None:
    """An existing holding plus the buy is what must stay under the limit; the message says both numbers."""
    book = portfolio(cash=800_000, AAA=2000)  # $200,000 held of $1,000,000
    found = outcome_of(ReasonCode.POSITION_CONCENTRATION, buy("AAA", 501), Market().add("AAA", "100"), book=book)
    assert found.outcome is Outcome.BLOCK
    assert found.message == (
        "after this order AAA would be 25.01% of the portfolio ($250,100.00 of $1,000,000.00), above the 25.00% limit"
    )


def test_a_sale_never_trips_concentration() -> None:
    """Selling part of an oversized position reduces it; the check passes."""
    book = portfolio(cash=0, AAA=900, BBB=100)
    market = Market().add("AAA", "100").add("BBB", "100")
    assert outcome_of(ReasonCode.POSITION_CONCENTRATION, sell("AAA", 10), market, book=book).outcome is Outcome.PASS


@pytest.mark.parametrize(("quantity", "expected"), [(3000, Outcome.PASS), (3001, Outcome.BLOCK)])
def test_leveraged_exposure_at_threshold(quantity: int, expected: Outcome) -> None:
    """Leveraged products up to 30% pass; above is blocked."""
    market = Market().add("LEV", "100", leveraged=True)
    assert outcome_of(ReasonCode.LEVERAGED_EXPOSURE, buy("LEV", quantity), market).outcome is expected


def test_leveraged_exposure_sums_every_leveraged_holding() -> None:
    """A second leveraged product counts what the first already holds."""
    market = Market().add("LEV", "100", leveraged=True).add("LEV2", "100", leveraged=True)
    book = portfolio(cash=800_000, LEV=2000)
    assert outcome_of(ReasonCode.LEVERAGED_EXPOSURE, buy("LEV2", 1000), market, book=book).outcome is Outcome.PASS
    assert outcome_of(ReasonCode.LEVERAGED_EXPOSURE, buy("LEV2", 1001), market, book=book).outcome is Outcome.BLOCK


@pytest.mark.parametrize(("quantity", "expected"), [(1000, Outcome.PASS), (1001, Outcome.BLOCK)])
def test_sector_limit_at_threshold(quantity: int, expected: Outcome) -> None:
    """With Energy held at 10% and a 20% limit, a buy of 10% more passes and one share more is blocked."""
    market = Market().add("OIL", "100", sector="Energy").add("GAS", "100", sector="Energy")
    limits = RiskLimits(sector_limits={"Energy": Decimal("0.20")})
    book = portfolio(cash=900_000, OIL=1000)
    found = outcome_of(ReasonCode.SECTOR_LIMIT, buy("GAS", quantity), market, book=book, limits=limits)
    assert found.outcome is expected


@pytest.mark.parametrize(("quantity", "expected"), [(1500, Outcome.PASS), (1501, Outcome.BLOCK)])
def test_asset_class_limit_at_threshold(quantity: int, expected: Outcome) -> None:
    """Commodities up to their 15% limit pass; above is blocked."""
    market = Market().add("GLD", "100", asset_class="commodity")
    limits = RiskLimits(asset_class_limits={"commodity": Decimal("0.15")})
    assert outcome_of(ReasonCode.ASSET_CLASS_LIMIT, buy("GLD", quantity), market, limits=limits).outcome is expected


def test_exposure_is_cumulative_across_the_batch() -> None:
    """Two buys of one symbol are judged together: the second is the one that crosses the limit."""
    market = Market().add("AAA", "100")
    first, second = check([buy("AAA", 2000), buy("AAA", 501)], market)
    assert result(first, ReasonCode.POSITION_CONCENTRATION).outcome is Outcome.PASS
    assert result(second, ReasonCode.POSITION_CONCENTRATION).outcome is Outcome.BLOCK


def test_a_blocked_buy_does_not_count_against_later_ones() -> None:
    """A buy blocked by any check is not traded, so the next buy sees the exposure without it."""
    market = Market().add("AAA", "100").add("BAD", "100", sector="Technology")
    limits = RiskLimits(
        sector_limits={"Technology": Decimal("0.25")}, restricted_symbols=("BAD",), max_position_pct=Decimal(1)
    )
    blocked_one, later = check([buy("BAD", 2000), buy("AAA", 2000)], market, limits=limits)
    assert blocked_one.blocked
    assert result(later, ReasonCode.SECTOR_LIMIT).outcome is Outcome.PASS
