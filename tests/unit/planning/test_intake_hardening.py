"""Nonsense in a trade file is refused with one placed line: bounds, quantity steps, notation, JSON shape."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from oms.planning.intake import IntakeError, load_recommendations
from oms.planning.securities import SecurityMaster

from .factories import security, write

MASTER = SecurityMaster(
    {
        "SPY": security("SPY", last_price=Decimal("600"), fractional=True),
        "TQQQ": security("TQQQ"),
    }
)


def problems_for(tmp_path: Path, body: str, header: str = "symbol,action,shares") -> list[str]:
    path = write(tmp_path, "trades.csv", f"{header}\n{body}\n")
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    return caught.value.problems


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("SPY,SELL,1e400", "shares: at most 1,000,000,000"),
        ("SPY,BUY,1e1000000", "shares: at most 1,000,000,000"),
        ("SPY,SELL,1e-30", "shares: SPY trades in steps of 0.0001"),
        ("SPY,BUY,1e-1000000", "shares: SPY trades in steps of 0.0001"),
        ("SPY,BUY,0.00005", "shares: SPY trades in steps of 0.0001"),
        ("TQQQ,BUY,1e-30", "shares: TQQQ trades in whole shares only"),
        ("SPY,BUY,１０", "shares: not a number in plain ASCII decimal notation: '１０'"),
        ("SPY,BUY,١٠", "shares: not a number in plain ASCII decimal notation: '١٠'"),
        ("SPY,BUY,1_000", "shares: not a number in plain ASCII decimal notation: '1_000'"),
        ("SPY,BUY,1 000", "shares: not a number: '1 000'"),
        ("SPY,BUY,1,000", "row: more cells than the header has columns"),
    ],
)
def test_nonsense_quantities_are_refused_with_the_reason(tmp_path: Path, row: str, expected: str) -> None:
    """Huge, tiny, off-step and non-ASCII quantities are one FILE:LINE: field: reason line each."""
    problems = problems_for(tmp_path, row)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'trades.csv'}:2: {expected}"), problems[0]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("SPY,BUY,1,limit,1e400,", "limit_price: at most 10,000,000"),
        ("SPY,BUY,1,limit,1e-1000000,", "limit_price: more than 8 decimal places"),
        ("ZZZ,BUY,1,,,1e400", "value: at most 1,000,000,000,000"),
        ("ZZZ,BUY,1,,,1e-900", "value: more than 8 decimal places"),
    ],
)
def test_nonsense_prices_and_values_are_refused(tmp_path: Path, row: str, expected: str) -> None:
    """Limit prices and values are bounded and have a sane number of decimal places."""
    problems = problems_for(tmp_path, row, "symbol,action,shares,order_type,limit_price,value")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'trades.csv'}:2: {expected}"), problems[0]


def test_the_quantity_step_is_a_parameter(tmp_path: Path) -> None:
    """A coarser configured step refuses what the default accepts, naming the step."""
    path = write(tmp_path, "trades.csv", "symbol,action,shares\nSPY,BUY,0.5\n")
    assert load_recommendations(path, MASTER)[0].shares == Decimal("0.5")
    with pytest.raises(IntakeError, match=r"SPY trades in steps of 1\b"):
        load_recommendations(path, MASTER, step=Decimal(1))


def test_a_line_longer_than_the_csv_field_limit_is_one_placed_line(tmp_path: Path) -> None:
    """A cell over 131,072 characters is named by its line instead of a csv traceback."""
    path = write(tmp_path, "trades.csv", 'symbol,action,shares\nSPY,BUY,1\nSPY,BUY,"' + "1" * 140_000 + '"\n')
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    assert caught.value.problems == [f"{path}:3: row: a cell longer than 131,072 characters"]


def test_deeply_nested_json_is_refused_without_recursion_error(tmp_path: Path) -> None:
    """A JSON file nested thousands of levels deep is a placed problem, not a RecursionError."""
    path = write(tmp_path, "trades.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    assert caught.value.problems == [f"{path}:1: not valid JSON: nested too deeply"]


def test_a_duplicated_json_key_is_refused(tmp_path: Path) -> None:
    """`{"shares": 1, "shares": 100}` names the key instead of silently taking the last value."""
    path = write(tmp_path, "trades.json", '[\n{"symbol": "SPY", "action": "BUY", "shares": 1, "shares": 100}\n]')
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    assert caught.value.problems == [f"{path}:item 1: shares: key appears twice in one object"]


def test_json_numbers_in_exotic_notation_are_refused(tmp_path: Path) -> None:
    """JSON strings carrying full-width digits are refused like CSV cells."""
    path = write(tmp_path, "trades.json", json.dumps([{"symbol": "SPY", "action": "BUY", "shares": "１０"}]))
    with pytest.raises(IntakeError, match="not a number in plain ASCII decimal notation"):
        load_recommendations(path, MASTER)
