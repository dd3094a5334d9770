"""Schedules in plain words, as printed on a manual ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from oms.domain.enums import Algo, Side, Urgency
from oms.execution.algos import LotRules, build_schedule, describe
from oms.execution.algos.volume_profile import NEW_YORK
from oms.execution.algos.words import format_duration, format_quantity

START = datetime(2026, 11, 24, 10, 0, tzinfo=NEW_YORK).astimezone(UTC)


def words(quantity: int | str, algo: Algo, horizon: timedelta | None, **more: object) -> str:
    result = build_schedule(
        parent_client_order_id="B1-1",
        quantity=quantity,
        side=Side.SELL,
        algo=algo,
        start=START,
        horizon=horizon,
        **more,  # type: ignore[arg-type]
    )
    return describe(result)


def test_twap_reads_as_count_size_and_interval() -> None:
    """The issue's own example: 1,000 shares over an hour is "4 orders of 250 shares, one every 15 minutes"."""
    assert words(1000, Algo.TWAP, timedelta(hours=1)) == "4 orders of 250 shares, one every 15 minutes"


def test_uneven_twap_gives_the_range_and_the_total() -> None:
    """Unequal children are described by their range and the total."""
    assert words(1001, Algo.TWAP, timedelta(hours=1)) == (
        "4 orders of 250 to 251 shares (1,001 in all), one every 15 minutes"
    )


def test_wider_spacing_is_worded_in_hours_and_minutes() -> None:
    """5 shares over 4 hours: "5 orders of 1 share, one every 48 minutes"; two over two hours: "one every hour"."""
    assert words(5, Algo.TWAP, timedelta(hours=4)) == "5 orders of 1 share, one every 48 minutes"
    assert words(2, Algo.TWAP, timedelta(hours=2)) == "2 orders of 1 share, one every hour"


def test_vwap_names_the_profile_and_the_sizes() -> None:
    """VWAP says how many orders, over how long, following which volume profile, and the size range."""
    assert words(10_000, Algo.VWAP, None) == (
        "12 orders over 6 hours, sized to the usual U-shaped intraday volume (568 to 1,818 shares each)"
    )


def test_is_says_it_is_front_loaded() -> None:
    """IS names its first and last sizes and its spacing."""
    assert words(1000, Algo.IS, timedelta(hours=1)) == (
        "4 orders over 1 hour, front-loaded: 395 shares first, then smaller, down to 135 shares, one every 15 minutes"
    )


@pytest.mark.parametrize(
    ("algo", "expected"),
    [(Algo.MARKET, "One market order for 1,500 shares"), (Algo.LIMIT, "One limit order for 1,500 shares")],
)
def test_single_orders_read_simply(algo: Algo, expected: str) -> None:
    """Market and limit parents are one order in words too."""
    assert words(1500, algo, timedelta(hours=1)) == expected


def test_a_parent_too_small_to_split_is_one_order() -> None:
    """A TWAP that ends up as one child says so plainly."""
    assert words(1, Algo.TWAP, timedelta(hours=1)) == "One order for 1 share, at once"


def test_fractional_quantities_print_without_float_artefacts() -> None:
    """12.5 shares in two children print as 6.25, not 6.250000000."""
    lots = LotRules(fractional=True, min_child_quantity=Decimal("0.01"), fractional_step=Decimal("0.01"))
    assert words("12.5", Algo.TWAP, timedelta(minutes=30), lots=lots) == "2 orders of 6.25 shares, one every 15 minutes"


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (timedelta(0), "0 seconds"),
        (timedelta(seconds=45), "45 seconds"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(minutes=12, seconds=30), "12 minutes 30 seconds"),
    ],
)
def test_durations_in_words(span: timedelta, expected: str) -> None:
    """Durations read as hours, minutes and seconds, singular where one."""
    assert format_duration(span) == expected


def test_quantities_have_separators_and_no_trailing_zeros() -> None:
    """1000 -> 1,000; 1E+3 -> 1,000; 12.500 -> 12.5; 0 -> 0."""
    assert format_quantity(Decimal(1000)) == "1,000"
    assert format_quantity(Decimal("1E+3")) == "1,000"
    assert format_quantity(Decimal("12.500")) == "12.5"
    assert format_quantity(Decimal(0)) == "0"


def test_uneven_spacing_is_not_called_regular() -> None:
    """When merging small IS children leaves uneven gaps, the words do not claim "one every N minutes"."""
    lots = LotRules(min_child_quantity=Decimal(4))
    text = words(20, Algo.IS, timedelta(hours=2), urgency=Urgency.HIGH, lots=lots)
    assert text == (
        "3 orders over 2 hours, front-loaded: 10 shares first, then smaller, down to 5 shares, "
        "at the start, then 24 minutes and 1 hour 12 minutes after it"
    )
