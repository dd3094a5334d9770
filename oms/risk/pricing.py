"""Checks on the prices an order relies on: a limit far from the market (fat finger) and an old reference price."""

from __future__ import annotations

from datetime import timedelta

from oms.risk.results import CheckResult, ReasonCode, blocked, passed, warned
from oms.risk.state import PricedOrder, RunState
from oms.text import money, percent


def price_collar(order: PricedOrder, run: RunState) -> CheckResult:
    """PRICE_COLLAR: block a limit price further than `price_collar_pct` from the reference price."""
    code = ReasonCode.PRICE_COLLAR
    limit_price = order.order.limit_price
    if limit_price is None:
        return passed(code, "no limit price to compare")
    collar = run.limits.price_collar_pct
    distance = abs(limit_price - order.reference) / order.reference
    said = f"limit {money(limit_price)} is {percent(distance)} from the reference price {money(order.reference)}"
    if distance > collar:
        return blocked(code, f"{said}, outside the {percent(collar)} collar")
    return passed(code, f"{said}, inside the {percent(collar)} collar")


def stale_price(order: PricedOrder, run: RunState) -> CheckResult:
    """STALE_PRICE: a reference quote older than `stale_price_minutes` (or none) blocks on release, warns before."""
    code = ReasonCode.STALE_PRICE
    symbol = order.order.symbol
    if not order.priced:
        return blocked(code, f"no price for {symbol}: no quote, no decision price and not in the security master")
    minutes = run.limits.stale_price_minutes
    if not minutes:
        return passed(code, "price age not checked (stale_price_minutes = 0)")
    flag = blocked if run.context.releasing else warned
    quote = order.quote
    if quote is None:
        return flag(code, f"no quote for {symbol}; its reference price {money(order.reference)} has no known age")
    age = run.context.now - quote.at
    said = f"the {symbol} quote is {_age(age)} old"
    if age > timedelta(minutes=minutes):
        return flag(code, f"{said}, older than the {minutes}-minute limit")
    return passed(code, f"{said}, within the {minutes}-minute limit")


def _age(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours"
    return f"{seconds // 86400} days"
