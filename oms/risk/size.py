"""Checks on the size of one order: its value and its share of the average daily volume."""

from __future__ import annotations

from oms.risk.results import CheckResult, ReasonCode, blocked, passed, warned
from oms.risk.state import PricedOrder, RunState
from oms.text import money, percent
from oms.text import quantity as quantity_text


def order_value_limit(order: PricedOrder, run: RunState) -> CheckResult:
    """ORDER_VALUE_LIMIT: block an order worth more than `max_order_value` (0: no limit)."""
    code = ReasonCode.ORDER_VALUE_LIMIT
    limit = run.limits.max_order_value
    value = order.value
    if limit and value > limit:
        return blocked(code, f"order value {money(value)} is above the {money(limit)} limit")
    return passed(code, f"order value {money(value)} is within the {money(limit)} limit" if limit else "no limit set")


def adv_limit(order: PricedOrder, run: RunState) -> CheckResult:
    """ADV_LIMIT: warn above `max_adv_pct_warn` of the average daily volume, block above `max_adv_pct_block`."""
    code = ReasonCode.ADV_LIMIT
    security = order.security
    symbol, quantity = order.order.symbol, order.order.quantity
    if security is None or security.adv <= 0:
        return warned(code, f"no average daily volume known for {symbol}; the order's market impact is unchecked")
    share = quantity / security.adv
    said = f"{quantity_text(quantity)} {symbol} is {percent(share)} of its average daily volume of "
    said += quantity_text(security.adv)
    limits = run.limits
    if share > limits.max_adv_pct_block:
        return blocked(code, f"{said}, above the {percent(limits.max_adv_pct_block)} block limit")
    if share > limits.max_adv_pct_warn:
        return warned(code, f"{said}, above the {percent(limits.max_adv_pct_warn)} warning level")
    return passed(code, f"{said}, within the {percent(limits.max_adv_pct_warn)} warning level")
