"""Target weights from TOML (`[targets]` table of SYMBOL = weight) or CSV (`symbol, weight`).

Weights are fractions of the portfolio's value (0.25 is 25%). An optional `CASH` weight is a minimum cash share
on top of the configured floor; otherwise cash is what the other weights leave.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

from oms.planning.errors import IntakeError
from oms.planning.parsing import (
    QUANTITY_PLACES,
    FieldProblem,
    RowReader,
    parse_decimal,
    parse_symbol,
    read_csv_rows,
    read_text,
)

CASH = "CASH"
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")


def load_targets(path: Path) -> dict[str, Decimal]:
    """Read target weights; raise IntakeError listing every bad entry (`FILE:LINE: field: reason`)."""
    targets = _from_toml(path) if path.suffix.lower() == ".toml" else _from_csv(path)
    total = sum(targets.values(), Decimal(0))
    if total > 1:
        raise IntakeError(
            [f"{path}:1: weight: weights add up to {total} (more than 1); write them as fractions of the portfolio"],
            code="TARGETS_INVALID",
        )
    if not targets:
        raise IntakeError([f"{path}:1: file holds no targets"], code="TARGETS_EMPTY")
    return targets


def _weight(text: str) -> Decimal:
    weight = parse_decimal(text, non_negative=True, places=QUANTITY_PLACES)
    if weight > 1:
        raise FieldProblem(f"a fraction between 0 and 1 (0.25 is 25%), not {text}")
    return weight


def _from_csv(path: Path) -> dict[str, Decimal]:
    _, rows = read_csv_rows(path, required={"symbol", "weight"}, optional=set())
    targets: dict[str, Decimal] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for row in rows:
        cells = RowReader(row)
        symbol = cells.take("symbol", parse_symbol)
        weight = cells.take("weight", _weight)
        if symbol is not None and symbol in first_line:
            cells.note("symbol", f"{symbol} is listed twice (first on line {first_line[symbol]})")
        problems += [f"{path}:{row.line}: {problem}" for problem in cells.problems]
        if not cells.problems and symbol is not None and weight is not None:
            targets[symbol] = weight
            first_line[symbol] = row.line
    if problems:
        raise IntakeError(problems, code="TARGETS_INVALID")
    return targets


def _from_toml(path: Path) -> dict[str, Decimal]:
    text = read_text(path)
    try:
        # Floats arrive as their text so 0.15 stays exactly 0.15.
        data = tomllib.loads(text, parse_float=str)
    except RecursionError:
        raise IntakeError([f"{path}:1: not valid TOML: nested too deeply"], code="TARGETS_INVALID") from None
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        line = found.group(1) if found else "1"
        reason = _AT_LINE.sub("", str(exc)).strip()
        raise IntakeError([f"{path}:{line}: not valid TOML: {reason}"], code="TARGETS_INVALID") from None
    table = data.get("targets")
    if not isinstance(table, dict):
        raise IntakeError([f"{path}: targets: expected a [targets] table of SYMBOL = weight"], code="TARGETS_INVALID")
    lines = _key_lines(text)
    targets: dict[str, Decimal] = {}
    problems: list[str] = []
    for key, value in table.items():
        place = f"{path}:{lines.get(key, 1)}"
        if isinstance(value, bool) or not isinstance(value, int | str):
            problems.append(f"{place}: {key}: expected a number, not {value!r}")
            continue
        try:
            targets[parse_symbol(str(key))] = _weight(str(value))
        except FieldProblem as exc:
            problems.append(f"{place}: {key}: {exc}")
    if problems:
        raise IntakeError(problems, code="TARGETS_INVALID")
    return targets


def _key_lines(text: str) -> dict[str, int]:
    # TOML parsers do not report positions; find each key's line for the error message.
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        key, sep, _ = line.partition("=")
        if sep:
            lines.setdefault(key.strip().strip('"'), number)
    return lines
