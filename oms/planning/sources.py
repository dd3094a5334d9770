"""Where a plan's holdings come from when they are not typed in: the broker's account, read through the port.

`portfolio_from_broker` turns `Broker.positions()` and `Broker.account()` into the `Portfolio` planning uses (short
positions are refused: planning does not plan them). `trade_symbols` lists the symbols a trade file names, so the
reference data for them can be fetched before the file is checked row by row.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oms.domain.market import Portfolio, Position
from oms.planning.errors import IntakeError
from oms.planning.intake import OPTIONAL, REQUIRED, _json_rows
from oms.planning.parsing import read_csv_rows
from oms.ports import Broker


async def portfolio_from_broker(broker: Broker) -> Portfolio:
    """Read the account's cash and positions in two calls; raise IntakeError for a short position."""
    account = await broker.account()
    held = await broker.positions()
    positions: dict[str, Position] = {}
    problems: list[str] = []
    for position in held:
        if position.quantity < 0:
            problems.append(
                f"{broker.name} account: quantity: {position.symbol} is short {-position.quantity} shares; "
                "short positions are not planned"
            )
        elif position.quantity > 0:
            symbol = position.symbol.upper().replace(" ", ".")  # IB writes share classes "BRK B"; the OMS "BRK.B"
            positions[symbol] = Position(symbol, position.quantity, position.average_cost)
    if problems:
        raise IntakeError(problems, code="POSITIONS_INVALID")
    return Portfolio(cash=Decimal(account.cash), positions=positions)


def trade_symbols(path: Path) -> set[str]:
    """The symbols a trade file (CSV or JSON) names, upper-cased; bad rows are left for the full read to report."""
    try:
        if path.suffix.lower() == ".json":
            return {row.get("symbol").strip().upper() for _, row in _json_rows(path) if row.get("symbol")}
        _, rows = read_csv_rows(path, required=REQUIRED, optional=OPTIONAL)
        return {row.get("symbol").strip().upper() for row in rows if row.get("symbol")}
    except IntakeError:
        return set()
