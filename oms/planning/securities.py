"""The security master: what planning knows about each instrument, read from a CSV the user can replace.

`SecurityMaster` implements `oms.ports.MarketData`. Its quotes are the file's last prices, stamped with the time
the file was loaded, so a staleness check sees how old they are; a broker adapter can supply live quotes later
through the same port.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from oms.config import CONFIG_DIR
from oms.domain.market import Quote, Security
from oms.planning.errors import IntakeError
from oms.planning.parsing import (
    Row,
    RowReader,
    non_negative,
    parse_bool,
    parse_decimal,
    parse_symbol,
    positive,
    read_csv_rows,
)

DEFAULT_SECURITIES = CONFIG_DIR / "securities.csv"

REQUIRED = {"symbol", "name", "asset_class", "sector", "last_price", "adv", "spread_bps", "daily_volatility"}
OPTIONAL = {"leveraged", "leverage_factor", "fractional"}


class SecurityMaster:
    """Instruments keyed by symbol; an offline `MarketData`.

    - `SecurityMaster.load(path)` reads a CSV (columns: symbol, name, asset_class, sector, last_price, adv,
      spread_bps, daily_volatility, and optionally leveraged, leverage_factor, fractional). Every bad row is
      reported at once in an `IntakeError` whose `.problems` are `FILE:LINE: field: reason` lines.
    - `SecurityMaster.default()` loads `config/securities.csv`.
    - `security(symbol)` and `quote(symbol)` return None for an unknown symbol; `symbol in master` and
      iteration (over `Security` values, in file order) work as for a mapping's values.
    """

    def __init__(
        self,
        securities: dict[str, Security],
        *,
        loaded_at: datetime | None = None,
        quotes: dict[str, Quote] | None = None,
        origins: dict[str, str] | None = None,
    ) -> None:
        self._securities = dict(securities)
        self.loaded_at = loaded_at or datetime.now(UTC)
        self._quotes = {
            symbol: Quote(symbol=symbol, price=security.last_price, at=self.loaded_at)
            for symbol, security in self._securities.items()
        } | dict(quotes or {})
        # Where each symbol's price came from, for people: "alpaca quote", "--prices prices.csv", ...
        self.origins: dict[str, str] = dict(origins or {})

    @classmethod
    def load(cls, path: Path) -> SecurityMaster:
        """Read a security master CSV; raise IntakeError listing every bad row."""
        _, rows = read_csv_rows(path, required=REQUIRED, optional=OPTIONAL)
        securities: dict[str, Security] = {}
        first_line: dict[str, int] = {}
        problems: list[str] = []
        for row in rows:
            security, row_problems = _parse_row(row)
            problems += [f"{path}:{row.line}: {problem}" for problem in row_problems]
            if security is None:
                continue
            if security.symbol in securities:
                problems.append(
                    f"{path}:{row.line}: symbol: {security.symbol} is listed twice (first on line "
                    f"{first_line[security.symbol]})"
                )
                continue
            securities[security.symbol] = security
            first_line[security.symbol] = row.line
        if problems:
            raise IntakeError(problems, code="SECURITY_MASTER_INVALID")
        if not securities:
            raise IntakeError([f"{path}:1: file holds no securities"], code="SECURITY_MASTER_EMPTY")
        return cls(securities)

    @classmethod
    def default(cls) -> SecurityMaster:
        """Load the shipped sample, `config/securities.csv`."""
        return cls.load(DEFAULT_SECURITIES)

    def security(self, symbol: str) -> Security | None:
        """Return the instrument, or None when the master does not list it."""
        return self._securities.get(symbol)

    def quote(self, symbol: str) -> Quote | None:
        """Return the file's last price stamped with the load time, or None for an unknown symbol."""
        return self._quotes.get(symbol)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._securities

    def __iter__(self) -> Iterator[Security]:
        return iter(self._securities.values())

    def __len__(self) -> int:
        return len(self._securities)


def _parse_row(row: Row) -> tuple[Security | None, list[str]]:
    cells = RowReader(row)
    symbol = cells.take("symbol", parse_symbol)
    last_price = cells.take("last_price", positive)
    adv = cells.take("adv", positive)
    spread_bps = cells.take("spread_bps", non_negative)
    volatility = cells.take("daily_volatility", non_negative)
    leveraged = cells.take("leveraged", parse_bool)
    factor = cells.take("leverage_factor", lambda text: parse_decimal(text or "1"))
    for name in ("name", "asset_class", "sector"):
        if not row.get(name):
            cells.note(name, "required")
    if volatility is not None and volatility >= 1:
        cells.note("daily_volatility", f"a fraction (0.02 is 2% a day), not {volatility}")
    if factor is not None and factor == 0:
        cells.note("leverage_factor", "must not be zero (1 for an ordinary fund, 2 or 3 or -1 for geared ones)")
    elif leveraged is True and factor is not None and abs(factor) <= 1:
        cells.note("leverage_factor", f"a leveraged fund needs a factor beyond 1 or -1, not {factor}")
    elif leveraged is False and factor is not None and abs(factor) > 1:
        cells.note("leveraged", f"must be true when leverage_factor is {factor}")
    fractional = cells.take("fractional", parse_bool)
    if (
        cells.problems
        or symbol is None
        or last_price is None
        or adv is None
        or spread_bps is None
        or volatility is None
        or factor is None
    ):
        return None, cells.problems
    security = Security(
        symbol=symbol,
        name=row.get("name"),
        asset_class=row.get("asset_class").lower(),
        sector=row.get("sector"),
        last_price=last_price,
        adv=adv,
        spread_bps=spread_bps,
        daily_volatility=volatility,
        leveraged=bool(leveraged),
        leverage_factor=factor,
        fractional=bool(fractional),
    )
    return security, []
