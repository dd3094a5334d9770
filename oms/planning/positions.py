"""Holdings from a CSV: `symbol, quantity[, average_cost]`, with a `CASH` row holding the cash balance."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oms.domain.market import Portfolio, Position
from oms.planning.errors import IntakeError
from oms.planning.parsing import (
    MAX_PRICE,
    MAX_VALUE,
    PRICE_PLACES,
    QUANTITY_PLACES,
    RowReader,
    parse_decimal,
    parse_symbol,
    read_csv_rows,
)

CASH = "CASH"


def load_positions(path: Path) -> Portfolio:
    """Read a positions file into a Portfolio; raise IntakeError listing every bad row as `FILE:LINE: field: reason`.

    Quantities must be zero or more (short positions are not planned). A symbol listed twice is an error rather
    than a sum, because a file that repeats a holding is more often a mistake than a deliberate split.
    """
    _, rows = read_csv_rows(path, required={"symbol", "quantity"}, optional={"average_cost"})
    problems: list[str] = []
    positions: dict[str, Position] = {}
    first_line: dict[str, int] = {}
    cash: Decimal | None = None
    for row in rows:
        cells = RowReader(row)
        symbol = cells.take("symbol", parse_symbol)
        quantity = cells.take("quantity", _quantity)
        average_cost = cells.take("average_cost", lambda text: _price(text) if text else None)
        if symbol is not None and symbol in first_line:
            cells.note("symbol", f"{symbol} is listed twice (first on line {first_line[symbol]})")
        if symbol == CASH and average_cost is not None:
            cells.note("average_cost", "the CASH row has no average cost")
        problems += [f"{path}:{row.line}: {problem}" for problem in cells.problems]
        if cells.problems or symbol is None or quantity is None:
            continue
        first_line[symbol] = row.line
        if symbol == CASH:
            cash = quantity
        else:
            positions[symbol] = Position(symbol=symbol, quantity=quantity, average_cost=average_cost)
    if problems:
        raise IntakeError(problems, code="POSITIONS_INVALID")
    return Portfolio(cash=cash if cash is not None else Decimal(0), positions=positions)


def _quantity(text: str) -> Decimal:
    # The CASH row's quantity is money, so the ceiling is the larger of the two.
    return parse_decimal(text, non_negative=True, maximum=MAX_VALUE, places=QUANTITY_PLACES)


def _price(text: str) -> Decimal:
    return parse_decimal(text, non_negative=True, maximum=MAX_PRICE, places=PRICE_PLACES)
