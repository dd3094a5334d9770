"""What the checks look at: the order (through a small protocol) and the world around it at one moment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Portfolio
from oms.ports import MarketClock, MarketData
from oms.risk.limits import RiskLimits

if TYPE_CHECKING:
    from oms.domain.order import Order
    from oms.risk.calendar import TradingCalendar


class CheckedOrder(Protocol):
    """The fields the checks read. `oms.domain.Order` and the planner's `PlannedOrder` both have them."""

    @property
    def id(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def side(self) -> Side: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def order_type(self) -> OrderType: ...
    @property
    def limit_price(self) -> Decimal | None: ...
    @property
    def time_in_force(self) -> TimeInForce: ...
    @property
    def extended_hours(self) -> bool: ...
    @property
    def decision_price(self) -> Decimal | None: ...


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An order already working at a broker or waiting in any batch: what it still may buy or sell."""

    id: str
    symbol: str
    side: Side
    quantity: Decimal  # still open: the order's quantity less its fills
    price: Decimal | None = None  # limit price, else the decision price; None: valued at the reference price

    @classmethod
    def of(cls, order: Order) -> OpenOrder:
        """Describe a domain order that is open (not terminal) by what it can still do."""
        return cls(
            id=order.id,
            symbol=order.symbol,
            side=order.side,
            quantity=order.unfilled_quantity,
            price=order.limit_price or order.decision_price,
        )


@dataclass(frozen=True, slots=True)
class HistoricalFill:
    """One past execution from the ledger, the input of the wash-sale lots."""

    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    at: datetime

    @classmethod
    def history_of(cls, orders: Iterable[Order]) -> list[HistoricalFill]:
        """List every fill of the given domain orders (any status), for the wash-sale lots."""
        return [cls(o.symbol, o.side, f.quantity, f.price, f.at) for o in orders for f in o.fills]


@dataclass(slots=True)
class RiskContext:
    """The world at one moment, as the checks see it.

    - `portfolio`: holdings and cash at the snapshot, or None when they are unknown (a dry run without positions):
      then the checks that need holdings or cash are not run. `filled_sell_proceeds`: proceeds of sells filled
      since the snapshot and not yet in `portfolio.cash` (BUYING_POWER counts these, never proceeds expected).
    - `open_orders`: orders already at a broker or pending in any batch (not the orders being checked; an open
      order with the same id as a checked one is taken to be that order and skipped).
    - `fills`: the ledger's fills, for the wash-sale lots.
    - `clock`: the venue's own session clock, the authority for its market when given; otherwise the exchange
      calendar of `limits.exchange`.
    - `notional_today`, `submissions_last_minute`: what has already been sent, for DAILY_NOTIONAL and ORDER_RATE.
    - `releasing`: True when the orders are about to be sent (a wave release), False when a batch is validated.
      ORDER_RATE applies only on release and a stale price blocks only on release (it warns before).
    """

    portfolio: Portfolio | None
    market: MarketData
    limits: RiskLimits
    now: datetime
    open_orders: Sequence[OpenOrder] = ()
    filled_sell_proceeds: Decimal = Decimal(0)
    fills: Sequence[HistoricalFill] = ()
    clock: MarketClock | None = None
    notional_today: Decimal = Decimal(0)
    submissions_last_minute: int = 0
    releasing: bool = False
    calendar: TradingCalendar | None = field(default=None, repr=False)
