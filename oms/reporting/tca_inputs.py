"""Market data for TCA typed in or exported from anywhere: end-of-run marks and reference prices as CSV files.

Nothing here needs a broker feed. `marks.csv`: `symbol,price[,adv][,spread_bps]` (the price marks the unfilled
part at the end of the run). `prices.csv`: `at,symbol,price[,volume]` with ISO-8601 times carrying an offset.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from oms.domain.values import to_decimal
from oms.reporting.tca import MarketContext, PricePoint


class TcaInputError(Exception):
    """A marks or prices file a person must fix; the message is `FILE:LINE: field: reason`."""

    code = "TCA_INPUT"


@dataclass(frozen=True, slots=True)
class SymbolMark:
    price: Decimal
    adv: Decimal | None = None
    spread_bps: Decimal | None = None


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise TcaInputError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in required if name not in header]
        if missing:
            raise TcaInputError(f"{path}:1: header: missing column(s) {', '.join(missing)}")
        reader.fieldnames = header
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _number(path: Path, line: int, field: str, text: str, *, positive: bool = True) -> Decimal:
    try:
        value = to_decimal(text, field)
    except (TypeError, ValueError):
        raise TcaInputError(f"{path}:{line}: {field}: not a number: {text!r}") from None
    if value < 0 or (positive and value == 0):
        raise TcaInputError(f"{path}:{line}: {field}: must be {'positive' if positive else 'zero or more'}")
    return value


def _optional(path: Path, line: int, field: str, row: Mapping[str, str]) -> Decimal | None:
    text = row.get(field, "")
    return _number(path, line, field, text, positive=False) if text else None


def read_marks(path: Path) -> dict[str, SymbolMark]:
    """Read `symbol,price[,adv][,spread_bps]`; a symbol listed twice is an error, not a silent overwrite."""
    marks: dict[str, SymbolMark] = {}
    for line, row in _rows(path, ("symbol", "price")):
        symbol = row["symbol"].upper()
        if not symbol:
            raise TcaInputError(f"{path}:{line}: symbol: empty")
        if symbol in marks:
            raise TcaInputError(f"{path}:{line}: symbol: {symbol} is listed twice")
        marks[symbol] = SymbolMark(
            price=_number(path, line, "price", row["price"]),
            adv=_optional(path, line, "adv", row),
            spread_bps=_optional(path, line, "spread_bps", row),
        )
    return marks


def read_prices(path: Path) -> dict[str, list[PricePoint]]:
    """Read `at,symbol,price[,volume]` into one time-ordered series per symbol."""
    series: dict[str, list[PricePoint]] = defaultdict(list)
    for line, row in _rows(path, ("at", "symbol", "price")):
        try:
            at = datetime.fromisoformat(row["at"])
        except ValueError:
            raise TcaInputError(f"{path}:{line}: at: not an ISO-8601 time: {row['at']!r}") from None
        if at.tzinfo is None:
            raise TcaInputError(f"{path}:{line}: at: needs a UTC offset (e.g. 2026-03-02T14:30:00+00:00)")
        volume = _optional(path, line, "volume", row) or Decimal(0)
        series[row["symbol"].upper()].append(PricePoint(at, _number(path, line, "price", row["price"]), volume))
    return {symbol: sorted(points) for symbol, points in series.items()}


def contexts_for(
    symbols: Iterable[str], marks: Mapping[str, SymbolMark], prices: Mapping[str, list[PricePoint]]
) -> dict[str, MarketContext]:
    """Build one market context per symbol from whatever marks and prices were given."""
    contexts = {}
    for symbol in set(symbols):
        mark = marks.get(symbol)
        contexts[symbol] = MarketContext(
            end_price=mark.price if mark else None,
            adv=mark.adv if mark else None,
            spread_bps=mark.spread_bps if mark else None,
            reference=tuple(prices.get(symbol, ())),
        )
    return contexts
