"""Caps for automated mode: notional sent per day and orders sent per minute."""

from __future__ import annotations

from oms.risk.results import CheckResult, ReasonCode, blocked, passed
from oms.risk.state import PricedOrder, RunState
from oms.text import money


def daily_notional(order: PricedOrder, run: RunState) -> CheckResult:
    """DAILY_NOTIONAL: block an order that takes today's notional (sent plus this batch) above `daily_notional_cap`."""
    code = ReasonCode.DAILY_NOTIONAL
    cap = run.limits.daily_notional_cap
    if not cap:
        return passed(code, "no daily notional cap set")
    after = run.notional + order.value
    said = f"today's notional would reach {money(after)} against the {money(cap)} daily cap"
    if after > cap:
        return blocked(code, said)
    return passed(code, said)


def order_rate(order: PricedOrder, run: RunState) -> CheckResult:
    """ORDER_RATE: on release, block an order beyond `max_orders_per_minute` sent in the last minute."""
    code = ReasonCode.ORDER_RATE
    cap = run.limits.max_orders_per_minute
    if not cap:
        return passed(code, "no order-rate cap set")
    if not run.context.releasing:
        return passed(code, "the order rate is checked when orders are released")
    count = run.submissions + 1
    said = f"this would be order {count} in the last minute against a cap of {cap}"
    if count > cap:
        return blocked(code, said)
    return passed(code, said)
