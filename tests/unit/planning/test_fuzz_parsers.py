"""Fuzzing the planning parsers: whatever bytes a trade, positions or targets file holds, the answer is either
values or an IntakeError whose every line names the file and a line, never any other exception."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms.planning.intake import IntakeError, load_recommendations
from oms.planning.positions import load_positions
from oms.planning.securities import SecurityMaster
from oms.planning.targets import load_targets

from .factories import security

MASTER = SecurityMaster(
    {
        "SPY": security("SPY", last_price=Decimal("600"), fractional=True),
        "TQQQ": security("TQQQ"),
    }
)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Cells a person (or a broken export) might write: odd numbers, odd digits, odd symbols, quotes and separators.
NUMBERS = st.sampled_from(
    [
        "1",
        "0",
        "-1",
        "10.5",
        "1e400",
        "1e1000000",
        "1e-30",
        "1e-1000000",
        "NaN",
        "-Infinity",
        "sNaN",
        "１０",
        "١٠",
        "1_000",
        "1,000",
        "1 000",
        "0x10",
        "+5",
        ".5",
        "5.",
        "1e",
        "e5",
        "0.00005",
        "999999999999999999999",
        "",
        " ",
        "1e99999999999",
        "--1",
        "1.2.3",
    ]
)
SYMBOLS = st.sampled_from(["SPY", "TQQQ", "ZZZ", "spy", "", "S P Y", "BRK.B", "ＳＰＹ", "CASH", "A" * 40, "SP\x00Y"])
ACTIONS = st.sampled_from(["BUY", "SELL", "sell", "HOLD", "", "ＢＵＹ"])
CELLS = st.one_of(NUMBERS, SYMBOLS, ACTIONS, st.text(max_size=12))


def trades(path: Path) -> object:
    return load_recommendations(path, MASTER)


def placed(problems: list[str], path: Path) -> bool:
    """Every problem starts with FILE:LINE or FILE:item N."""
    pattern = re.compile(rf"^{re.escape(str(path))}:(\d+|item \d+): \S")
    return bool(problems) and all(pattern.match(problem) for problem in problems)


def csv_text(rows: list[list[str]], header: list[str]) -> str:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text

    return "\n".join(",".join(cell(c) for c in row) for row in [header, *rows]) + "\n"


def problems_of(load: Callable[[Path], object], text: str | bytes, suffix: str) -> list[str] | None:
    """Write the input to a fresh file and load it: None when it loads, else the IntakeError's problems (checked)."""
    with tempfile.TemporaryDirectory(prefix="oms-fuzz-") as folder:
        path = Path(folder) / f"input{suffix}"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        try:
            load(path)
        except IntakeError as exc:
            problems = exc.problems
        else:
            return None
        if not placed(problems, path):
            raise AssertionError(f"unplaced problems: {problems}")
        return problems


@FUZZ
@given(st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=6))
def test_trade_csv_answers_values_or_placed_problems(rows: list[list[str]]) -> None:
    """Random trade rows: recommendations or placed problems, nothing else escapes."""
    problems_of(trades, csv_text(rows, ["symbol", "action", "shares", "limit_price", "value"]), ".csv")


@FUZZ
@given(st.binary(max_size=200))
def test_trade_csv_from_arbitrary_bytes(raw: bytes) -> None:
    """Arbitrary bytes after a valid header never raise anything but a placed IntakeError."""
    problems_of(trades, b"symbol,action,shares\n" + raw, ".csv")


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), CELLS),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(CELLS, children, max_size=4)),
    max_leaves=20,
)


@FUZZ
@given(
    st.lists(
        st.one_of(
            st.fixed_dictionaries({"symbol": SYMBOLS, "action": ACTIONS, "shares": NUMBERS}),
            JSON_VALUES,
        ),
        max_size=5,
    )
)
def test_trade_json_answers_values_or_placed_problems(items: list[object]) -> None:
    """Random JSON documents: recommendations or problems placed by item."""
    problems_of(trades, json.dumps(items), ".json")


@FUZZ
@given(st.text(max_size=120))
def test_trade_json_from_arbitrary_text(text: str) -> None:
    """Arbitrary text as a JSON file is a placed problem."""
    problems_of(trades, text, ".json")


@FUZZ
@given(st.lists(st.lists(CELLS, min_size=0, max_size=4), max_size=6))
def test_positions_csv_answers_values_or_placed_problems(rows: list[list[str]]) -> None:
    """Random holdings rows: a portfolio or placed problems."""
    problems_of(load_positions, csv_text(rows, ["symbol", "quantity", "average_cost"]), ".csv")


@FUZZ
@given(st.lists(st.lists(CELLS, min_size=0, max_size=3), max_size=6))
def test_targets_csv_answers_values_or_placed_problems(rows: list[list[str]]) -> None:
    """Random target rows: weights or placed problems."""
    problems_of(load_targets, csv_text(rows, ["symbol", "weight"]), ".csv")


@FUZZ
@given(st.lists(st.tuples(SYMBOLS, st.one_of(NUMBERS, st.text(max_size=8))), max_size=6), st.text(max_size=40))
def test_targets_toml_answers_values_or_placed_problems(entries: list[tuple[str, str]], tail: str) -> None:
    """Random TOML target tables (valid or not): weights or placed problems."""
    body = "\n".join(f"{json.dumps(key)} = {value}" for key, value in entries)
    problems_of(load_targets, f"[targets]\n{body}\n{tail}\n", ".toml")
