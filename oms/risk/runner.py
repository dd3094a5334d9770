"""Run every check over a batch of orders, in the order given (sells first), with running post-trade totals."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from oms.risk import compliance, exposure, funds, hours, pricing, size, throttle
from oms.risk.context import CheckedOrder, RiskContext
from oms.risk.results import CheckResult, OrderChecks
from oms.risk.state import PricedOrder, RunState

Rule = Callable[[PricedOrder, RunState], CheckResult]

# Checks that need no price run for every order. The priced ones run for an order that has a price (an order
# without one is blocked by STALE_PRICE); those that need holdings or cash, only when the portfolio is known.
RULES_WITHOUT_PRICE: tuple[Rule, ...] = (
    compliance.restricted_symbol,
    compliance.duplicate_order,
    hours.market_hours,
    pricing.stale_price,
)
RULES_WITH_PRICE: tuple[Rule, ...] = (
    size.order_value_limit,
    size.adv_limit,
    pricing.price_collar,
    compliance.wash_sale,
    throttle.daily_notional,
    throttle.order_rate,
)
RULES_WITH_PORTFOLIO: tuple[Rule, ...] = (funds.shares_available,)
RULES_WITH_PRICE_AND_PORTFOLIO: tuple[Rule, ...] = (
    exposure.position_concentration,
    exposure.leveraged_exposure,
    exposure.sector_limit,
    exposure.asset_class_limit,
    funds.cash_floor,
    funds.buying_power,
)


def run_checks(orders: Sequence[CheckedOrder], context: RiskContext) -> list[OrderChecks]:
    """Check each order against the context and the orders before it; a blocked order does not count as traded."""
    with _collector_paused():
        return list(iter_checks(orders, context))


def iter_checks(orders: Sequence[CheckedOrder], context: RiskContext) -> Iterator[OrderChecks]:
    """`run_checks` one order at a time, so a caller that keeps a summary holds one order's results at once."""
    run = RunState(context, {order.id for order in orders})
    for order in orders:
        priced = run.price(order)
        results = [rule(priced, run) for rule in _rules(priced.priced, context.portfolio is not None)]
        outcome = OrderChecks(order, results)
        if not outcome.blocked:
            run.apply(priced)
        yield outcome


def _rules(priced: bool, with_portfolio: bool) -> tuple[Rule, ...]:
    rules = RULES_WITHOUT_PRICE + (RULES_WITH_PRICE if priced else ())
    if with_portfolio:
        rules += RULES_WITH_PORTFOLIO + (RULES_WITH_PRICE_AND_PORTFOLIO if priced else ())
    return rules


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A run allocates about seventeen results per order and makes no reference cycles; left on, the cyclic
    # collector rescans the whole heap several times over a large batch, which more than doubles the run time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
