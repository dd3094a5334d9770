"""Post-trade exposure checks: position, leveraged, sector and asset-class shares of the portfolio value.

Each is evaluated against the running totals of the batch (orders in the order given, sells first), valued at
reference prices, over the pre-trade portfolio value (cash + Σ quantity * reference price). Only an order that
adds exposure can trip one: a sale never makes a share larger.
"""

from __future__ import annotations

from decimal import Decimal

from oms.risk.results import CheckResult, ReasonCode, blocked, passed
from oms.risk.state import PricedOrder, RunState
from oms.text import money, percent


def position_concentration(order: PricedOrder, run: RunState) -> CheckResult:
    """POSITION_CONCENTRATION: block a buy that leaves the position above `max_position_pct`."""
    symbol = order.order.symbol
    after = run.position_value[symbol] + (order.market_value if order.is_buy else Decimal(0))
    return _share_check(ReasonCode.POSITION_CONCENTRATION, order, run, symbol, after, run.limits.max_position_pct)


def leveraged_exposure(order: PricedOrder, run: RunState) -> CheckResult:
    """LEVERAGED_EXPOSURE: block a buy of a leveraged product that leaves them above `max_leveraged_pct`."""
    code = ReasonCode.LEVERAGED_EXPOSURE
    if order.security is None or not order.security.leveraged:
        return passed(code, f"{order.order.symbol} is not a leveraged product")
    after = run.leveraged_value + (order.market_value if order.is_buy else Decimal(0))
    return _share_check(code, order, run, "leveraged products", after, run.limits.max_leveraged_pct)


def sector_limit(order: PricedOrder, run: RunState) -> CheckResult:
    """SECTOR_LIMIT: block a buy that leaves its sector above the sector's limit in `sector_limits`."""
    code = ReasonCode.SECTOR_LIMIT
    if order.security is None:
        return passed(code, f"{order.order.symbol} has no sector in the security master")
    sector = order.security.sector
    limit = run.limits.sector_limits.get(sector)
    if limit is None:
        return passed(code, f"no limit for the {sector} sector")
    after = run.sector_value[sector] + (order.market_value if order.is_buy else Decimal(0))
    return _share_check(code, order, run, f"the {sector} sector", after, limit)


def asset_class_limit(order: PricedOrder, run: RunState) -> CheckResult:
    """ASSET_CLASS_LIMIT: block a buy that leaves its asset class above its limit in `asset_class_limits`."""
    code = ReasonCode.ASSET_CLASS_LIMIT
    if order.security is None:
        return passed(code, f"{order.order.symbol} has no asset class in the security master")
    asset_class = order.security.asset_class
    limit = run.limits.asset_class_limits.get(asset_class)
    if limit is None:
        return passed(code, f"no limit for the {asset_class} asset class")
    after = run.asset_class_value[asset_class] + (order.market_value if order.is_buy else Decimal(0))
    return _share_check(code, order, run, f"the {asset_class} asset class", after, limit)


def _share_check(
    code: ReasonCode, order: PricedOrder, run: RunState, what: str, after: Decimal, limit: Decimal
) -> CheckResult:
    share = run.share(after)
    said = f"after this order {what} would be {percent(share)} of the portfolio ({money(after)} of "
    said += f"{money(run.portfolio_value)})"
    if order.is_buy and share > limit:
        return blocked(code, f"{said}, above the {percent(limit)} limit")
    if share > limit:
        return passed(code, f"{said}, above the {percent(limit)} limit, but a sale adds nothing to it")
    return passed(code, f"{said}, within the {percent(limit)} limit")
