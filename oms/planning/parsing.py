"""Small, strict readers shared by the planning files: CSV rows with their line numbers, decimals, booleans.

Every parser returns a value or raises `FieldProblem` with a reason phrased for a person; the file readers turn
that into a `FILE:LINE: field: reason` line and carry on, so one run reports every bad row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from oms.planning.errors import IntakeError

# Upper-case letters and digits, with the class separators brokers use ("BRK.B", "BF-B"); at most 12 characters.
SYMBOL_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,9}(?:[.\-/][A-Z0-9]{1,4})?")
# Plain ASCII decimal notation only: Python's Decimal also reads full-width and Arabic-Indic digits and `1_000`,
# which a person never means in a trade file and which no broker would read back the same way.
_ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?")
# Sane ceilings: no figure in a planning file is larger, and bounding them keeps every later product finite.
MAX_MAGNITUDE = Decimal(1_000_000_000_000_000)
MAX_SHARES = Decimal(1_000_000_000)
MAX_PRICE = Decimal(10_000_000)
MAX_VALUE = Decimal(1_000_000_000_000)
PRICE_PLACES = 8
QUANTITY_PLACES = 9
_CSV_FIELD_LIMIT = csv.field_size_limit()
_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f", ""})
T = TypeVar("T")


class FieldProblem(ValueError):
    """A value that cannot be used; the message is the reason, without the place."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 1-based line number in the file and its cells keyed by lower-case header."""

    line: int
    cells: dict[str, str]
    overflow: bool = False  # more non-empty cells than the header has columns
    unknown: tuple[str, ...] = ()  # fields a JSON object has that the format does not know
    duplicates: tuple[str, ...] = ()  # keys a JSON object repeats

    def get(self, name: str) -> str:
        """Return the stripped cell, or "" when the column is absent or empty."""
        return self.cells.get(name, "")


def read_csv_rows(path: Path, *, required: set[str], optional: set[str]) -> tuple[list[str], Iterator[Row]]:
    """Open a CSV with case-insensitive headers; raise IntakeError for a missing file or a bad header line.

    Returns the normalised header and an iterator over the data rows (blank lines and `#` comments skipped).
    """
    text = read_text(path, encoding="utf-8-sig")
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), None)
    if header_index is None:
        raise IntakeError([f"{path}:1: file is empty"], code="FILE_EMPTY")
    try:
        header = [cell.strip().lower() for cell in next(csv.reader([lines[header_index]]))]
    except csv.Error as exc:
        raise IntakeError([f"{path}:{header_index + 1}: header: {_csv_reason(exc)}"], code="BAD_HEADER") from None
    problems = [f"{path}:{header_index + 1}: {name}: missing column" for name in sorted(required - set(header))]
    known = required | optional
    problems += [
        f"{path}:{header_index + 1}: {name or '(blank)'}: unknown column (expected {', '.join(sorted(known))})"
        for name in header
        if name not in known
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(f"{path}:{header_index + 1}: {name}: column appears twice")
        seen.add(name)
    if problems:
        raise IntakeError(problems, code="BAD_HEADER")
    return header, _rows(path, lines, header_index, header)


def _rows(path: Path, lines: list[str], header_index: int, header: list[str]) -> Iterator[Row]:
    width = len(header)
    reader = csv.reader(lines[header_index + 1 :])
    consumed = 0
    while True:
        line = header_index + 2 + consumed  # where this record starts (a quoted cell may span lines)
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise IntakeError([f"{path}:{line}: row: {_csv_reason(exc)}"], code="BAD_ROW") from None
        consumed = reader.line_num
        first = cells[0].lstrip() if cells else ""
        if first.startswith("#") or not any(cell.strip() for cell in cells):
            continue
        stripped = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        overflow = len(cells) > width and any(cell.strip() for cell in cells[width:])
        yield Row(line, stripped, overflow)


def read_text(path: Path, *, encoding: str = "utf-8") -> str:
    """Read a whole text file; raise IntakeError naming the file (and the line of a byte that is not UTF-8)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise IntakeError([f"{path}: no such file"], code="FILE_NOT_FOUND") from None
    except IsADirectoryError:
        raise IntakeError([f"{path}: is a directory, not a file"], code="FILE_UNREADABLE") from None
    except OSError as exc:
        raise IntakeError([f"{path}: cannot read: {exc.strerror or exc}"], code="FILE_UNREADABLE") from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise IntakeError(
            [f"{path}:{line}: not UTF-8 text (byte 0x{byte}); save the file as UTF-8 (CSV UTF-8 in a spreadsheet)"],
            code="FILE_UNREADABLE",
        ) from None


def _csv_reason(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell longer than {_CSV_FIELD_LIMIT:,} characters"
    return f"not valid CSV: {exc}"


def parse_decimal(
    text: str,
    *,
    positive: bool = False,
    non_negative: bool = False,
    maximum: Decimal = MAX_MAGNITUDE,
    places: int | None = None,
) -> Decimal:
    """Parse a finite decimal in plain ASCII notation, at most `maximum` in size and `places` decimal places.

    NaN, infinities, thousands separators, underscores, non-ASCII digits and (when asked) signs are refused.
    """
    if not text:
        raise FieldProblem("required")
    if not _ASCII_DECIMAL.fullmatch(text):
        try:
            exotic = Decimal(text)
        except (InvalidOperation, ValueError):
            raise FieldProblem(f"not a number: {text!r}") from None
        if not exotic.is_finite():
            raise FieldProblem(f"must be a finite number, not {text!r}")
        raise FieldProblem(f"not a number in plain ASCII decimal notation: {text!r}")
    value = Decimal(text)
    if positive and value <= 0:
        raise FieldProblem(f"must be greater than zero, not {text}")
    if non_negative and value < 0:
        raise FieldProblem(f"must not be negative, not {text}")
    if value.copy_abs() > maximum:
        raise FieldProblem(f"at most {maximum:,}, not {text}")
    if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
        raise FieldProblem(f"more than {places} decimal places: {text}")
    return value


def positive(text: str) -> Decimal:
    """Parse a decimal greater than zero."""
    return parse_decimal(text, positive=True)


def non_negative(text: str) -> Decimal:
    """Parse a decimal of zero or more."""
    return parse_decimal(text, non_negative=True)


def parse_bool(text: str) -> bool:
    """Parse true/false, yes/no, 1/0 (case-insensitive); empty means false."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FieldProblem(f"expected true or false, not {text!r}")


def parse_symbol(text: str) -> str:
    """Upper-case and check a ticker symbol."""
    if not text:
        raise FieldProblem("required")
    symbol = text.strip().upper()
    if not SYMBOL_PATTERN.fullmatch(symbol):
        raise FieldProblem(f"malformed symbol {text!r} (letters and digits, e.g. SPY or BRK.B)")
    return symbol


class RowReader:
    """Parse the cells of one row, collecting `field: reason` problems instead of stopping at the first."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.problems: list[str] = []
        if row.overflow:
            self.problems.append("row: more cells than the header has columns")
        for name in row.unknown:
            self.problems.append(f"{name}: unknown field")
        for name in row.duplicates:
            self.problems.append(f"{name}: key appears twice in one object")

    def take(self, name: str, parse: Callable[[str], T]) -> T | None:
        """Return the parsed cell, or None after noting the problem."""
        try:
            return parse(self.row.get(name))
        except FieldProblem as exc:
            self.note(name, str(exc))
            return None

    def note(self, name: str, reason: str) -> None:
        """Record a problem with one field."""
        self.problems.append(f"{name}: {reason}")
