"""One way to write numbers for people (oms.text) and one way to write a file (oms.files)."""

from __future__ import annotations

import stat
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from oms import text
from oms.files import write_atomically
from oms.reporting.ticket_fields import dollars
from oms.text import clock_duration, duration, money, percent, quantity, shares


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1234.125", "$1,234.13"),  # half up, the same in a check message and on a ticket
        ("-197.525", "-$197.53"),
        ("-0.001", "$0.00"),  # rounds to zero cents: no sign left
        ("0", "$0.00"),
        ("62000", "$62,000.00"),
    ],
)
def test_money_rounds_half_up_to_the_cent(value: str, text: str) -> None:
    """Money is dollars to the cent, rounded half up, the sign before the dollar sign."""
    assert money(Decimal(value)) == text


def test_tickets_and_risk_messages_share_the_money_format() -> None:
    """The ticket's dollars and the risk rules' money are the one formatter."""
    from oms.risk import funds

    assert dollars is money
    assert funds.money is money


@pytest.mark.parametrize(
    ("value", "text"), [("1000", "1,000"), ("12.50", "12.5"), ("0", "0"), ("0.000000001", "0.000000001")]
)
def test_quantities_are_exact(value: str, text: str) -> None:
    """Quantities keep every digit, lose trailing zeros and get thousands separators."""
    assert quantity(Decimal(value)) == text


def test_shares_and_percentages_and_durations() -> None:
    """One share, many shares; percentages half up with a floor for tiny ones; spans in words and as a clock."""
    assert (shares(Decimal(1)), shares(Decimal(1000))) == ("1 share", "1,000 shares")
    assert percent(Decimal("0.25345")) == "25.35%"
    assert percent(Decimal("0.00001")) == "<0.01%"
    assert percent(Decimal(0)) == "0.00%"
    assert duration(timedelta(hours=1, minutes=30)) == "1 hour 30 minutes"
    assert duration(timedelta(0)) == "0 seconds"
    assert clock_duration(timedelta(minutes=4, seconds=10)) == "0:04:10"
    assert clock_duration(None) == "–"


def test_a_file_is_written_whole_and_user_only(tmp_path: Path) -> None:
    """write_atomically replaces the file in one rename, leaves no temporary file and creates it 0600."""
    target = tmp_path / "tickets.md"
    target.write_text("old")
    write_atomically(target, "new text\n")
    assert target.read_text() == "new text\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["tickets.md"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    """A write that fails midway leaves the old content and no temporary file."""
    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomically(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_money_puts_the_minus_before_the_dollar() -> None:
    assert text.money(Decimal("-197.52")) == "-$197.52"
    assert text.money(Decimal("1234.505")) == "$1,234.51"
    assert text.money(Decimal("-0.004")) == "$0.00"
    assert text.money(None) == "–"


def test_quantity_is_exact_with_separators() -> None:
    assert text.quantity(Decimal("1250")) == "1,250"
    assert text.quantity(Decimal("73.56870")) == "73.5687"
    assert text.quantity(Decimal("1E+3")) == "1,000"


def test_percent_points_and_clock_durations() -> None:
    assert text.percent_points(Decimal("2.5")) == "2.5%"
    assert text.percent_points(Decimal("-0.04")) == "0.0%"
    assert text.clock_duration(timedelta(seconds=250)) == "0:04:10"
    assert text.clock_duration(timedelta(days=1, hours=2)) == "1d 2:00:00"
    assert text.clock_duration(timedelta(seconds=-30134)) == "–"
