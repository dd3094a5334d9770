"""Wash sales: FIFO lots per symbol from the ledger's fills, matched within groups of substantially identical symbols.

A wash sale here is either
- a buy of a symbol whose group was sold at a loss in the last 30 days, or
- a sale at a loss (price below the FIFO cost of the lots it consumes) while shares of the group bought in the
  last 30 days are still held after the sale.
Holdings older than the fill history enter as one lot at the position's average cost, first in line.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from oms.domain.enums import Side
from oms.domain.market import Portfolio
from oms.risk.context import HistoricalFill

WINDOW = timedelta(days=30)
ZERO = Decimal(0)


@dataclass(slots=True)
class Lot:
    quantity: Decimal
    price: Decimal | None  # None: bought before the fill history at an unknown cost
    at: datetime | None  # None: bought before the fill history


@dataclass(frozen=True, slots=True)
class LossSale:
    symbol: str
    quantity: Decimal
    loss: Decimal  # positive: how much was lost
    at: datetime


@dataclass(frozen=True, slots=True)
class SaleOutcome:
    """What selling would realise against the FIFO lots: cost of the consumed lots and the gain (negative: loss)."""

    quantity_costed: Decimal
    cost: Decimal
    gain: Decimal

    @property
    def average_cost(self) -> Decimal:
        return self.cost / self.quantity_costed if self.quantity_costed else ZERO


class WashSaleBook:
    """The lots and recent loss sales, built once per run and updated as each checked order passes."""

    def __init__(
        self, fills: Iterable[HistoricalFill], portfolio: Portfolio, group_of: Mapping[str, str], now: datetime
    ) -> None:
        self.now = now
        self.cutoff = now - WINDOW
        self._group_of = dict(group_of)
        self._members: dict[str, list[str]] = defaultdict(list)
        for symbol, group in self._group_of.items():
            self._members[group].append(symbol)
        self.lots: dict[str, deque[Lot]] = defaultdict(deque)
        self.last_loss: dict[str, LossSale] = {}
        for fill in sorted(fills, key=lambda f: f.at):
            self.record(fill.symbol, fill.side, fill.quantity, fill.price, fill.at)
        self._add_untracked_holdings(portfolio)

    def group(self, symbol: str) -> str:
        return self._group_of.get(symbol, symbol)

    def members(self, symbol: str) -> list[str]:
        return self._members.get(self.group(symbol)) or [symbol]

    # ---------------------------------------------------------------- queries
    def recent_loss_sale(self, symbol: str) -> LossSale | None:
        """The latest loss sale in the symbol's group within the window, if any."""
        sale = self.last_loss.get(self.group(symbol))
        return sale if sale is not None and sale.at >= self.cutoff else None

    def sale_outcome(self, symbol: str, quantity: Decimal, price: Decimal) -> SaleOutcome:
        """Cost the sale against the FIFO lots without consuming them (lots of unknown cost are left out)."""
        left = quantity
        costed = cost = ZERO
        for lot in self.lots.get(symbol, ()):
            if left <= 0:
                break
            take = min(left, lot.quantity)
            left -= take
            if lot.price is not None:
                costed += take
                cost += take * lot.price
        return SaleOutcome(costed, cost, costed * price - cost)

    def recent_buy_held_after(self, symbol: str, quantity: Decimal) -> tuple[str, Lot] | None:
        """A lot of the group bought within the window that would still be held after selling `quantity`."""
        for member in self.members(symbol):
            lots = self.lots.get(member)
            if not lots:
                continue
            newest = lots[-1]
            if newest.at is None or newest.at < self.cutoff:
                continue
            # FIFO sells the oldest shares first, so whatever remains includes the newest lot.
            if member != symbol or sum((lot.quantity for lot in lots), ZERO) > quantity:
                return member, newest
        return None

    # ---------------------------------------------------------------- updates
    def record(self, symbol: str, side: Side, quantity: Decimal, price: Decimal, at: datetime) -> None:
        """Book a fill (or an order counted as filled): a buy adds a lot, a sell consumes lots first in, first out."""
        lots = self.lots[symbol]
        if side is Side.BUY:
            lots.append(Lot(quantity, price, at))
            return
        outcome = self.sale_outcome(symbol, quantity, price)
        left = quantity
        while left > 0 and lots:
            lot = lots[0]
            take = min(left, lot.quantity)
            lot.quantity -= take
            left -= take
            if lot.quantity <= 0:
                lots.popleft()
        if outcome.gain < 0:
            self.last_loss[self.group(symbol)] = LossSale(symbol, quantity, -outcome.gain, at)

    def _add_untracked_holdings(self, portfolio: Portfolio) -> None:
        for symbol, position in portfolio.positions.items():
            lots = self.lots[symbol]
            untracked = position.quantity - sum((lot.quantity for lot in lots), ZERO)
            if untracked > 0:
                lots.appendleft(Lot(untracked, position.average_cost, None))
