"""One run of the checks over a batch: the order's prices, and the running totals the post-trade checks share.

Everything per symbol, sector and asset class is precomputed once into dicts and updated as each order passes, so
a run costs O(orders + positions + open orders + fills), never orders * positions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from oms.domain.enums import Side
from oms.domain.market import Portfolio, Quote, Security
from oms.domain.values import require_aware
from oms.risk.calendar import SessionState, TradingCalendar, venue_state
from oms.risk.context import CheckedOrder, RiskContext
from oms.risk.limits import RestrictedEntry, RiskLimits
from oms.risk.washsale import WashSaleBook

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PricedOrder:
    """An order with what the checks need to value it.

    `reference` is the market's price (the quote, else the order's decision price, else the security master's
    last price): exposures are valued at it. `price` is what the order may pay or receive (its limit price, else
    the reference): cash, buying power and caps use it, which is the cautious side for both buys and sells.
    """

    order: CheckedOrder
    security: Security | None
    quote: Quote | None
    reference: Decimal
    price: Decimal
    priced: bool = True  # False: no price of any kind; only the checks that need none are run

    @property
    def value(self) -> Decimal:
        """What the order may cost or bring in: quantity * price."""
        return self.order.quantity * self.price

    @property
    def market_value(self) -> Decimal:
        """What the order moves in exposure: quantity * reference price."""
        return self.order.quantity * self.reference

    @property
    def is_buy(self) -> bool:
        return self.order.side is Side.BUY


class RunState:
    """The portfolio as the batch would leave it, order by order. Create one per `run_checks` call."""

    def __init__(self, context: RiskContext, checked_ids: set[str]) -> None:
        self.now = require_aware(context.now, "risk context time")  # in UTC
        self.context = context
        self.limits: RiskLimits = context.limits
        self._securities: dict[str, Security | None] = {}
        self._quotes: dict[str, Quote | None] = {}
        self._session: SessionState | None = None

        # Exposure at reference prices: positions held plus pending buys.
        self.position_value: dict[str, Decimal] = defaultdict(Decimal)
        self.sector_value: dict[str, Decimal] = defaultdict(Decimal)
        self.asset_class_value: dict[str, Decimal] = defaultdict(Decimal)
        self.leveraged_value = ZERO
        self.book = context.portfolio if context.portfolio is not None else Portfolio()
        held_value = ZERO
        for symbol, position in self.book.positions.items():
            # A holding nobody quotes is valued at its average cost rather than at nothing.
            price = self.reference_price(symbol, None) or position.average_cost or ZERO
            value = position.quantity * price
            held_value += value
            self._add_exposure(symbol, value)
        self.portfolio_value = self.book.cash + held_value

        # Cash: what is settled or filled (for buying power) and what the whole batch would leave (for the floor).
        self.filled_cash = self.book.cash + context.filled_sell_proceeds
        self.expected_proceeds = ZERO  # from sells earlier in this run, not filled yet
        self.committed_sells: dict[str, Decimal] = defaultdict(Decimal)
        self.open_keys: set[tuple[str, Side]] = set()
        for open_order in context.open_orders:
            if open_order.id in checked_ids:
                continue
            self.open_keys.add((open_order.symbol, open_order.side))
            if open_order.side is Side.SELL:
                self.committed_sells[open_order.symbol] += open_order.quantity
                continue
            price = open_order.price or self.reference_price(open_order.symbol, None) or ZERO
            self.filled_cash -= open_order.quantity * price
            reference = self.reference_price(open_order.symbol, None) or price
            self._add_exposure(open_order.symbol, open_order.quantity * reference)

        self.notional = context.notional_today
        self.submissions = context.submissions_last_minute
        self.restricted = _active(self.limits.restricted_symbols, self.now)
        self.wash_sales = WashSaleBook(context.fills, self.book, self.limits.group_of(), context.now)

    # ------------------------------------------------------------------ lookups
    def security(self, symbol: str) -> Security | None:
        if symbol not in self._securities:
            self._securities[symbol] = self.context.market.security(symbol)
        return self._securities[symbol]

    def quote(self, symbol: str) -> Quote | None:
        if symbol not in self._quotes:
            self._quotes[symbol] = self.context.market.quote(symbol)
        return self._quotes[symbol]

    def reference_price(self, symbol: str, decision_price: Decimal | None) -> Decimal | None:
        quote = self.quote(symbol)
        if quote is not None:
            return quote.price
        if decision_price is not None:
            return decision_price
        security = self.security(symbol)
        return security.last_price if security is not None else None

    def price(self, order: CheckedOrder) -> PricedOrder:
        """Value an order at its reference and limit prices (marked unpriced when there is no price at all)."""
        reference = self.reference_price(order.symbol, order.decision_price)
        if reference is not None and reference <= 0:
            reference = None  # a zero or negative price is bad data, not a price
        return PricedOrder(
            order=order,
            security=self.security(order.symbol),
            quote=self.quote(order.symbol),
            reference=reference or ZERO,
            price=order.limit_price or reference or ZERO,
            priced=reference is not None,
        )

    def session(self) -> SessionState:
        """The market session now, computed once per run (the venue's clock first, else the exchange calendar)."""
        if self._session is None:
            calendar = self.context.calendar or TradingCalendar(self.limits.exchange)
            clock = self.context.clock
            self._session = venue_state(clock, calendar) if clock is not None else calendar.state(self.context.now)
        return self._session

    # ------------------------------------------------------------------ updates
    def apply(self, priced: PricedOrder) -> None:
        """Count an order that passed (or only warned) into the running totals."""
        order = priced.order
        if priced.is_buy:
            self.filled_cash -= priced.value
            self._add_exposure(order.symbol, priced.market_value)
        else:
            self.expected_proceeds += priced.value
            self.committed_sells[order.symbol] += order.quantity
            held = self.position_value[order.symbol]
            self._add_exposure(order.symbol, -min(priced.market_value, held))
        self.open_keys.add((order.symbol, order.side))
        self.notional += priced.value
        self.submissions += 1
        self.wash_sales.record(order.symbol, order.side, order.quantity, priced.price, self.context.now)

    def _add_exposure(self, symbol: str, value: Decimal) -> None:
        self.position_value[symbol] += value
        security = self.security(symbol)
        if security is None:
            return
        self.sector_value[security.sector] += value
        self.asset_class_value[security.asset_class] += value
        if security.leveraged:
            self.leveraged_value += value

    def share(self, value: Decimal) -> Decimal:
        """A value as a fraction of the portfolio value (1 when the portfolio is worth nothing)."""
        if self.portfolio_value <= 0:
            return Decimal(1)
        return value / self.portfolio_value


def _active(entries: Iterable[RestrictedEntry], now: datetime) -> dict[str, RestrictedEntry]:
    today = now.date()
    return {entry.symbol.upper(): entry for entry in entries if entry.active_on(today)}
