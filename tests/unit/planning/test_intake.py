"""Trade recommendation intake: CSV and JSON, every row problem reported at once as FILE:LINE: field: reason."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oms.domain.enums import OrderType, Side, TimeInForce, Urgency
from oms.planning.intake import IntakeError, TradeRecommendation, load_recommendations
from oms.planning.securities import SecurityMaster

from .factories import security, write

MASTER = SecurityMaster(
    {
        "SPY": security("SPY", last_price=Decimal("600")),
        "TQQQ": security("TQQQ", leveraged=True, leverage_factor=Decimal(3)),
        "VTI": security("VTI", fractional=True),
    }
)


def problems_for(tmp_path: Path, body: str, header: str = "symbol,action,shares") -> list[str]:
    path = write(tmp_path, "trades.csv", f"{header}\n{body}\n")
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    return caught.value.problems


def test_reads_required_and_optional_columns_with_any_header_case(tmp_path: Path) -> None:
    """Headers are case-insensitive and optional columns become typed fields."""
    path = write(
        tmp_path,
        "trades.csv",
        "Symbol,ACTION,Shares,Order_Type,Limit_Price,Time_In_Force,Urgency,Priority,Reason\n"
        "spy,buy,10,limit,601.5,gtc,high,2,add core\n"
        "TQQQ,SELL,5,,,,,,cut leverage\n",
    )
    first, second = load_recommendations(path, MASTER)
    assert (first.symbol, first.side, first.shares) == ("SPY", Side.BUY, Decimal(10))
    assert (first.order_type, first.limit_price, first.time_in_force) == (
        OrderType.LIMIT,
        Decimal("601.5"),
        TimeInForce.GTC,
    )
    assert (first.urgency, first.priority, first.reason) == (Urgency.HIGH, 2, "add core")
    assert first.reference_price == Decimal("600")
    assert first.source == f"{path}:2"
    assert second.side is Side.SELL
    assert second.order_type is None
    assert second.urgency is None


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("SPY,BUY,0", "shares: must be greater than zero, not 0"),
        ("SPY,BUY,-3", "shares: must be greater than zero, not -3"),
        ("SPY,BUY,NaN", "shares: must be a finite number, not 'NaN'"),
        ("SPY,BUY,Infinity", "shares: must be a finite number, not 'Infinity'"),
        ("SPY,BUY,ten", "shares: not a number: 'ten'"),
        ("SPY,BUY,", "shares: required"),
        ("SPY,HOLD,5", "action: unknown action 'HOLD' (expected BUY or SELL)"),
        (",BUY,5", "symbol: required"),
        ("S P Y,BUY,5", "symbol: malformed symbol 'S P Y'"),
        ("NOPE,BUY,5", "symbol: NOPE is not in the security master; give a value (or limit_price) to price it"),
        ("TQQQ,BUY,1.5", "shares: TQQQ trades in whole shares only, not 1.5"),
        ("SPY,BUY,5,extra", "row: more cells than the header has columns"),
    ],
)
def test_each_bad_cell_is_named_with_file_line_and_field(tmp_path: Path, row: str, expected: str) -> None:
    """Every kind of bad required cell yields one FILE:LINE: field: reason line."""
    problems = problems_for(tmp_path, row)
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'trades.csv'}:2: {expected}")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("SPY,BUY,5,market,600", "limit_price: a market order takes no limit price"),
        ("SPY,BUY,5,stop,", "order_type: stop orders are not planned; use market or limit"),
        ("SPY,BUY,5,twap,", "order_type: unknown value 'twap' (expected one of market, limit, stop, stop_limit)"),
        ("SPY,BUY,5,limit,0", "limit_price: must be greater than zero, not 0"),
        ("SPY,BUY,5,,,forever,", "time_in_force: unknown value 'forever'"),
        ("SPY,BUY,5,,,,asap", "urgency: unknown value 'asap' (expected one of low, normal, high)"),
        ("SPY,BUY,5,,,,,1.5", "priority: a whole number of zero or more, not '1.5'"),
        ("SPY,BUY,5,,,,,,-10", "value: must be greater than zero, not -10"),
        ("SPY,BUY,5,,,,,,,maybe", "leveraged: expected true or false, not 'maybe'"),
    ],
)
def test_each_bad_optional_cell_is_named(tmp_path: Path, row: str, expected: str) -> None:
    """Optional columns are checked as strictly as the required ones."""
    header = "symbol,action,shares,order_type,limit_price,time_in_force,urgency,priority,value,leveraged"
    problems = problems_for(tmp_path, row, header)
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'trades.csv'}:2: {expected}")


def test_reports_every_problem_of_the_file_at_once(tmp_path: Path) -> None:
    """Three bad rows and one good one give three lines, in file order, and no recommendations."""
    problems = problems_for(tmp_path, "SPY,BUY,0\nVTI,BUY,1\nTQQQ,SELL,x\n,BUY,2")
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in problems] == ["2", "4", "5"]


def test_a_symbol_bought_and_sold_in_one_file_is_an_error(tmp_path: Path) -> None:
    """Buying and selling the same symbol is refused, naming the other row."""
    path = tmp_path / "trades.csv"
    problems = problems_for(tmp_path, "SPY,BUY,5\nVTI,BUY,1\nSPY,SELL,2")
    assert problems == [
        f"{path}:4: action: SPY is both bought and sold in one file (also at {path}:2); net the two into one trade"
    ]


def test_missing_and_unknown_columns_are_reported_on_the_header_line(tmp_path: Path) -> None:
    """A header without `shares` and with a misspelt column names both on line 1."""
    path = write(tmp_path, "trades.csv", "symbol,action,limit_pric\nSPY,BUY\n")
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    assert caught.value.problems[0] == f"{path}:1: shares: missing column"
    assert caught.value.problems[1].startswith(f"{path}:1: limit_pric: unknown column")


def test_empty_and_missing_files_are_errors(tmp_path: Path) -> None:
    """An empty file, a header-only file and a missing file each give one clear line."""
    for text, expected in [("", "file is empty"), ("symbol,action,shares\n", "file holds no recommendations")]:
        path = write(tmp_path, "trades.csv", text)
        with pytest.raises(IntakeError) as caught:
            load_recommendations(path, MASTER)
        assert caught.value.problems == [f"{path}:1: {expected}"]
    with pytest.raises(IntakeError, match="no such file"):
        load_recommendations(tmp_path / "absent.csv", MASTER)


def test_unknown_symbol_is_priced_from_value_over_shares(tmp_path: Path) -> None:
    """A symbol missing from the master is planned at value / shares when the row gives a value."""
    path = write(tmp_path, "trades.csv", "symbol,action,shares,value\nXYZ,BUY,40,1000\n")
    (rec,) = load_recommendations(path, MASTER)
    assert rec.reference_price == Decimal(25)
    assert rec.notional == Decimal(1000)


def test_comments_and_blank_lines_are_skipped_and_lines_still_counted(tmp_path: Path) -> None:
    """Line numbers in errors are the file's own lines, counting comments and blanks."""
    path = write(tmp_path, "trades.csv", "# my trades\nsymbol,action,shares\n\nSPY,BUY,0\n")
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    assert caught.value.problems[0].startswith(f"{path}:4: shares")


def test_json_list_is_read_with_exact_decimals(tmp_path: Path) -> None:
    """JSON numbers keep their exact decimal text (0.1 stays 0.1) and fractional shares are allowed when listed."""
    path = write(tmp_path, "trades.json", '[{"symbol": "VTI", "action": "BUY", "shares": 0.1, "urgency": "low"}]')
    (rec,) = load_recommendations(path, MASTER)
    assert rec.shares == Decimal("0.1")
    assert rec.urgency is Urgency.LOW


def test_json_problems_are_placed_by_item(tmp_path: Path) -> None:
    """Bad JSON items are reported as FILE:item N with the field, unknown keys included."""
    path = write(
        tmp_path,
        "trades.json",
        '{"recommendations": [{"symbol": "SPY", "action": "BUY", "shares": NaN},'
        ' {"symbol": "SPY", "action": "BUY", "shares": 1, "colour": "red"}, 7]}',
    )
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    assert caught.value.problems == [
        f"{path}:item 1: shares: must be a finite number, not 'NaN'",
        f"{path}:item 2: colour: unknown field",
        f"{path}:item 3: row: expected an object with symbol, action and shares",
    ]


def test_malformed_json_names_its_line(tmp_path: Path) -> None:
    """A JSON syntax error is one line naming the file and line."""
    path = write(tmp_path, "trades.json", '[\n{"symbol": "SPY",,}\n]')
    with pytest.raises(IntakeError) as caught:
        load_recommendations(path, MASTER)
    assert caught.value.problems[0].startswith(f"{path}:2: not valid JSON")


def test_the_model_itself_refuses_non_positive_shares_and_unknown_fields() -> None:
    """TradeRecommendation validates when built directly (as the rebalancer does), not only through the file reader."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        TradeRecommendation(symbol="SPY", side=Side.BUY, shares=Decimal(0), reference_price=Decimal(1))
    with pytest.raises(ValidationError):
        TradeRecommendation(symbol="SPY", side=Side.BUY, shares=Decimal(1), reference_price=Decimal(1), colour="red")  # type: ignore[call-arg]
