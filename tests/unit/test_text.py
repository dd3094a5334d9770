"""One formatter for what people read: the sign before the dollar, exact quantities, no negative durations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms import text

D = Decimal


def test_money_puts_the_minus_before_the_dollar() -> None:
    assert text.money(D("-197.52")) == "-$197.52"
    assert text.money(D("1234.505")) == "$1,234.51"
    assert text.money(D("-0.004")) == "$0.00"
    assert text.money(None) == "–"


def test_quantity_is_exact_with_separators() -> None:
    assert text.quantity(D("1250")) == "1,250"
    assert text.quantity(D("73.56870")) == "73.5687"
    assert text.quantity(D("1E+3")) == "1,000"


def test_percent_and_duration() -> None:
    assert text.percent(D("2.5")) == "2.5%"
    assert text.percent(D("-0.04")) == "0.0%"
    assert text.duration(timedelta(seconds=250)) == "0:04:10"
    assert text.duration(timedelta(days=1, hours=2)) == "1d 2:00:00"
    assert text.duration(timedelta(seconds=-30134)) == "–"
