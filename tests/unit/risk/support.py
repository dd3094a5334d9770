"""Builders for risk tests: a market of a few securities, a portfolio, and a context around them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from oms.domain import Order, OrderType, Side, TimeInForce
from oms.domain.market import Portfolio, Position, Quote, Security
from oms.risk import CheckResult, OrderChecks, ReasonCode, RiskContext, RiskLimits, run_checks
from oms.risk.context import CheckedOrder

# A Tuesday, 11:00 in New York: the regular session is open.
NOW = datetime(2026, 6, 16, 15, 0, tzinfo=UTC)


@dataclass
class Market:
    """An in-memory MarketData: securities and quotes by symbol."""

    securities: dict[str, Security] = field(default_factory=dict)
    quotes: dict[str, Quote] = field(default_factory=dict)

    def security(self, symbol: str) -> Security | None:
        return self.securities.get(symbol)

    def quote(self, symbol: str) -> Quote | None:
        return self.quotes.get(symbol)

    def add(
        self,
        symbol: str,
        price: str | Decimal = "100",
        *,
        adv: str = "1000000",
        sector: str = "Technology",
        asset_class: str = "equity",
        leveraged: bool = False,
        quoted_at: datetime | None = NOW,
    ) -> Market:
        self.securities[symbol] = Security(
            symbol=symbol,
            name=symbol,
            asset_class=asset_class,
            sector=sector,
            last_price=Decimal(price),
            adv=Decimal(adv),
            spread_bps=Decimal(5),
            daily_volatility=Decimal("0.02"),
            leveraged=leveraged,
        )
        if quoted_at is not None:
            self.quotes[symbol] = Quote(symbol, Decimal(price), quoted_at)
        return self


def portfolio(cash: str | int = 1_000_000, **holdings: str | int) -> Portfolio:
    """A portfolio with cash and positions given as SYMBOL=quantity."""
    return Portfolio(
        cash=Decimal(cash),
        positions={symbol: Position(symbol, Decimal(quantity)) for symbol, quantity in holdings.items()},
    )


def buy(symbol: str, quantity: str | int, limit: str | None = None, **extra: Any) -> Order:
    return _order(symbol, Side.BUY, quantity, limit, **extra)


def sell(symbol: str, quantity: str | int, limit: str | None = None, **extra: Any) -> Order:
    return _order(symbol, Side.SELL, quantity, limit, **extra)


def _order(symbol: str, side: Side, quantity: str | int, limit: str | None, **extra: Any) -> Order:
    order_type = OrderType.LIMIT if limit is not None else OrderType.MARKET
    time_in_force = extra.pop("time_in_force", TimeInForce.DAY)
    return Order.create(symbol, side, Decimal(quantity), order_type, limit, None, time_in_force, at=NOW, **extra)


def check(
    orders: Sequence[CheckedOrder],
    market: Market,
    book: Portfolio | None = None,
    limits: RiskLimits | None = None,
    **context: Any,
) -> list[OrderChecks]:
    """Run every check over the orders in a context built from the arguments."""
    known = context.pop("portfolio_known", True)
    ctx = RiskContext(
        portfolio=(book if book is not None else portfolio()) if known else None,
        market=market,
        limits=limits or RiskLimits(),
        now=context.pop("now", NOW),
        **context,
    )
    return run_checks(orders, ctx)


def result(checks: OrderChecks, code: ReasonCode) -> CheckResult:
    """The one result of the given code."""
    (found,) = [r for r in checks.results if r.code is code]
    return found


def outcome_of(code: ReasonCode, order: CheckedOrder, market: Market, **kwargs: Any) -> CheckResult:
    """Check one order and return the result of one code."""
    return result(check([order], market, **kwargs)[0], code)
