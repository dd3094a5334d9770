"""What the core knows about instruments, prices and holdings: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Security:
    """One row of the security master."""

    symbol: str
    name: str
    asset_class: str
    sector: str
    last_price: Decimal
    adv: Decimal  # average daily volume, shares
    spread_bps: Decimal
    daily_volatility: Decimal  # a fraction: 0.02 is 2% a day
    leveraged: bool = False
    leverage_factor: Decimal = Decimal(1)
    fractional: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    """A reference price with the time it was observed (for staleness) and, when known, bid and ask."""

    symbol: str
    price: Decimal
    at: datetime
    bid: Decimal | None = None
    ask: Decimal | None = None


@dataclass(frozen=True, slots=True)
class VenueQuote(Quote):
    """A quote stamped on the venue's own session clock (the simulator's): its `at` is the venue's time now."""


class PricePoint(NamedTuple):
    """One sample of the reference price series: a trade print or a bar close, with the volume it stands for."""

    at: datetime
    price: Decimal
    volume: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Position:
    symbol: str
    quantity: Decimal
    average_cost: Decimal | None = None


@dataclass(slots=True)
class Portfolio:
    """Holdings and cash at one moment. `positions` is keyed by symbol."""

    cash: Decimal = Decimal(0)
    positions: dict[str, Position] = field(default_factory=dict)

    def quantity(self, symbol: str) -> Decimal:
        position = self.positions.get(symbol)
        return position.quantity if position else Decimal(0)
