"""Checks on money and shares: the cash floor after the batch, buying power now, and shares free to sell."""

from __future__ import annotations

from decimal import Decimal

from oms.risk.results import CheckResult, ReasonCode, blocked, passed
from oms.risk.state import PricedOrder, RunState
from oms.text import money, percent
from oms.text import quantity as quantity_text


def cash_floor(order: PricedOrder, run: RunState) -> CheckResult:
    """CASH_FLOOR: block a buy that leaves cash below `min_cash_pct`, counting pending buys and the batch's sells."""
    code = ReasonCode.CASH_FLOOR
    floor = run.limits.min_cash_pct * run.portfolio_value
    after = run.filled_cash + run.expected_proceeds - (order.value if order.is_buy else 0)
    said = f"cash after the batch would be {money(after)} against a floor of {money(floor)} "
    said += f"({percent(run.limits.min_cash_pct)} of {money(run.portfolio_value)})"
    if order.is_buy and after < floor:
        return blocked(code, said)
    return passed(code, said)


def buying_power(order: PricedOrder, run: RunState) -> CheckResult:
    """BUYING_POWER: block a buy beyond cash plus filled sell proceeds, less pending buys.

    When a batch is validated (not released), proceeds of the batch's own earlier sells may fund a buy; the check
    runs again at release, when only filled proceeds count, so a sale that fills short stops the buys it funded.
    """
    code = ReasonCode.BUYING_POWER
    if not order.is_buy:
        return passed(code, "a sale needs no buying power")
    need, have = order.value, run.filled_cash
    if need <= have:
        return passed(code, f"buy of {money(need)} is covered by {money(have)} of cash and filled sale proceeds")
    expected = run.expected_proceeds
    if not run.context.releasing and need <= have + expected:
        return passed(
            code,
            f"buy of {money(need)} needs {money(need - max(have, Decimal(0)))} from this batch's sales "
            f"({money(expected)} expected); checked again when released",
        )
    if run.context.releasing or not expected:
        return blocked(code, f"buy of {money(need)} is above the {money(have)} of cash and filled sale proceeds")
    return blocked(
        code,
        f"buy of {money(need)} is above the {money(have)} of cash and filled sale proceeds plus the "
        f"{money(expected)} this batch's sales should bring",
    )


def shares_available(order: PricedOrder, run: RunState) -> CheckResult:
    """SHARES_AVAILABLE: block a sale of more than is held less what open and earlier sells already commit."""
    code = ReasonCode.SHARES_AVAILABLE
    if order.is_buy:
        return passed(code, "a buy needs no shares")
    symbol, quantity = order.order.symbol, order.order.quantity
    held = run.book.quantity(symbol)
    committed = run.committed_sells[symbol]
    free = held - committed
    said = f"selling {quantity_text(quantity)} {symbol} with {quantity_text(free)} free "
    said += f"({quantity_text(held)} held, {quantity_text(committed)} already in open sells)"
    if quantity > free:
        return blocked(code, said)
    return passed(code, said)
