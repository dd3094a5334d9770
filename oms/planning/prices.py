"""Prices a person supplies: the `--prices FILE` CSV (symbol, price, optional bid, ask, at) and the `price`/`at`
columns of a positions file. Every price carries the time it was observed; a time typed without a zone is New York
time (where a person reads the market), and a price without any time is stamped with the file's modification time,
so the stale-price check sees how old the file is rather than taking it for fresh.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from oms.domain.market import Quote
from oms.planning.errors import IntakeError
from oms.planning.parsing import FieldProblem, Row, RowReader, parse_symbol, positive, read_csv_rows

NEW_YORK = ZoneInfo("America/New_York")


def parse_observed_at(text: str) -> datetime:
    """Parse an ISO 8601 time; without a zone it is New York time. Returned as aware UTC."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FieldProblem(f"not an ISO 8601 time (e.g. 2026-12-03T15:30 New York, or with +00:00): {text!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=NEW_YORK)
    return when.astimezone(UTC)


def file_time(path: Path) -> datetime:
    """When the file was last written, aware UTC."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def quote_from_row(row: Row, cells: RowReader, symbol: str | None, default_at: datetime) -> Quote | None:
    """Read the optional price, bid, ask and at cells of one row into a Quote (None when the row has no price)."""
    price = cells.take("price", lambda text: positive(text) if text else None)
    bid = cells.take("bid", lambda text: positive(text) if text else None)
    ask = cells.take("ask", lambda text: positive(text) if text else None)
    at = cells.take("at", lambda text: parse_observed_at(text) if text else None)
    if bid is not None and ask is not None and bid > ask:
        cells.note("bid", f"{bid} is above the ask {ask}")
    if price is None and (bid is not None or ask is not None or at is not None):
        cells.note("price", "required when bid, ask or at is given")
    if symbol is None or price is None or cells.problems:
        return None
    return Quote(symbol=symbol, price=price, at=at or default_at, bid=bid, ask=ask)


def load_prices(path: Path) -> dict[str, Quote]:
    """Read a prices CSV (symbol, price[, bid, ask, at]); raise IntakeError listing every bad row."""
    _, rows = read_csv_rows(path, required={"symbol", "price"}, optional={"bid", "ask", "at"})
    default_at = file_time(path)
    quotes: dict[str, Quote] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for row in rows:
        cells = RowReader(row)
        symbol = cells.take("symbol", parse_symbol)
        if symbol is not None and symbol in first_line:
            cells.note("symbol", f"{symbol} is listed twice (first on line {first_line[symbol]})")
        quote = quote_from_row(row, cells, symbol, default_at)
        problems += [f"{path}:{row.line}: {problem}" for problem in cells.problems]
        if quote is not None and not cells.problems:
            quotes[quote.symbol] = quote
            first_line[quote.symbol] = row.line
    if problems:
        raise IntakeError(problems, code="PRICES_INVALID")
    if not quotes:
        raise IntakeError([f"{path}:1: file holds no prices"], code="PRICES_EMPTY")
    return quotes


def spread_bps(quote: Quote) -> Decimal | None:
    """The quoted spread in basis points of the midpoint, when both sides are known."""
    if quote.bid is None or quote.ask is None or quote.bid <= 0 or quote.ask < quote.bid:
        return None
    mid = (quote.bid + quote.ask) / 2
    return ((quote.ask - quote.bid) / mid * 10000).quantize(Decimal("0.01"))
