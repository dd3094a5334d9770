"""Drift: each holding's current weight against its target, and the band that decides whether it trades.

A holding's band is the narrower of an absolute band (percentage points: 0.05 lets a 20% target wander between
15% and 25%) and a relative band (a fraction of the target: 0.25 lets a 20% target wander between 15% and 25%, a
4% target between 3% and 5%); a band set to 0 is off, and with both off every drift trades (the old behaviour).
A holding that is not in the targets, or whose target is 0, is always outside its band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from oms.domain.market import Portfolio
from oms.planning.securities import SecurityMaster

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Bands:
    absolute: Decimal = ZERO  # percentage points as a fraction: 0.05 is 5pp
    relative: Decimal = ZERO  # a fraction of the target: 0.25 is 25%

    def width(self, target: Decimal) -> Decimal:
        """The largest drift allowed for a target (0: any drift trades)."""
        widths = [w for w in (self.absolute, self.relative * target) if w > 0]
        return min(widths) if widths else ZERO

    def outside(self, current: Decimal, target: Decimal | None) -> bool:
        if not target:
            return current > 0
        width = self.width(target)
        return abs(current - target) > width if width else current != target


@dataclass(frozen=True, slots=True)
class Drift:
    """One holding or target: current and target weights (fractions of the portfolio's value) and its band."""

    symbol: str
    quantity: Decimal
    price: Decimal
    current: Decimal
    target: Decimal
    band: Decimal
    outside: bool

    @property
    def drift(self) -> Decimal:
        return self.current - self.target


def drift_table(
    portfolio: Portfolio, master: SecurityMaster, targets: Mapping[str, Decimal], bands: Bands
) -> tuple[Decimal, list[Drift]]:
    """The portfolio's value and one row per symbol held or targeted (CASH excluded), in symbol order.

    Every symbol must have a price in `master` (the caller has built it so)."""
    prices = {s: _price(master, s) for s in set(portfolio.positions) | (set(targets) - {"CASH"})}
    nav = portfolio.cash + sum((p.quantity * prices[s] for s, p in portfolio.positions.items()), ZERO)
    rows = []
    for symbol in sorted(prices):
        quantity = portfolio.quantity(symbol)
        current = quantity * prices[symbol] / nav if nav > 0 else ZERO
        target = targets.get(symbol)
        rows.append(
            Drift(
                symbol=symbol,
                quantity=quantity,
                price=prices[symbol],
                current=current,
                target=target or ZERO,
                band=bands.width(target or ZERO),
                outside=bands.outside(current, target),
            )
        )
    return nav, rows


def any_outside(rows: list[Drift]) -> bool:
    return any(row.outside for row in rows)


def _price(master: SecurityMaster, symbol: str) -> Decimal:
    quote = master.quote(symbol)
    if quote is not None:
        return quote.price
    security = master.security(symbol)
    return security.last_price if security is not None else ZERO
