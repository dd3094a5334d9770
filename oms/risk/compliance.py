"""Compliance checks: the restricted list, duplicate orders and wash sales."""

from __future__ import annotations

from oms.risk.limits import WashSaleMode
from oms.risk.results import CheckResult, ReasonCode, blocked, passed, warned
from oms.risk.state import PricedOrder, RunState
from oms.text import money
from oms.text import quantity as quantity_text


def restricted_symbol(order: PricedOrder, run: RunState) -> CheckResult:
    """RESTRICTED_SYMBOL: block any order in a symbol on the restricted list (until the entry's expiry date)."""
    code = ReasonCode.RESTRICTED_SYMBOL
    symbol = order.order.symbol
    entry = run.restricted.get(symbol.upper())
    if entry is None:
        return passed(code, f"{symbol} is not restricted")
    until = f" until {entry.expires.isoformat()}" if entry.expires else ""
    return blocked(code, f"{symbol} is restricted{until}: {entry.reason}")


def duplicate_order(order: PricedOrder, run: RunState) -> CheckResult:
    """DUPLICATE_ORDER: block an order when the same symbol and side is already open in any batch."""
    code = ReasonCode.DUPLICATE_ORDER
    symbol, side = order.order.symbol, order.order.side
    if (symbol, side) in run.open_keys:
        return blocked(code, f"a {side.value} order for {symbol} is already open")
    return passed(code, f"no other open {side.value} order for {symbol}")


def wash_sale(order: PricedOrder, run: RunState) -> CheckResult:
    """WASH_SALE: flag (per `wash_sale`) a buy after a loss sale, or a loss sale after a buy, within 30 days."""
    code = ReasonCode.WASH_SALE
    flag = blocked if run.limits.wash_sale is WashSaleMode.BLOCK else warned
    book = run.wash_sales
    symbol, quantity = order.order.symbol, order.order.quantity
    if order.is_buy:
        sale = book.recent_loss_sale(symbol)
        if sale is None:
            return passed(code, f"no loss sale of {_group_text(run, symbol)} in the last 30 days")
        return flag(
            code,
            f"buying {symbol} within 30 days of selling {quantity_text(sale.quantity)} {sale.symbol} at a loss of "
            f"{money(sale.loss)} on {sale.at.date().isoformat()}",
        )
    outcome = book.sale_outcome(symbol, quantity, order.price)
    if outcome.gain >= 0:
        return passed(code, f"selling {symbol} at {money(order.price)} realises no loss against its FIFO lots")
    recent = book.recent_buy_held_after(symbol, quantity)
    said = f"selling {quantity_text(quantity)} {symbol} at {money(order.price)} realises a loss of "
    said += f"{money(-outcome.gain)} against FIFO lots costing {money(outcome.average_cost)} a share"
    if recent is None:
        return passed(code, f"{said}, with no shares of {_group_text(run, symbol)} bought in the last 30 days left")
    member, lot = recent
    bought = lot.at.date().isoformat() if lot.at else "before the history"
    return flag(code, f"{said}, and {member} bought on {bought} (within 30 days) is still held")


def _group_text(run: RunState, symbol: str) -> str:
    members = run.wash_sales.members(symbol)
    return symbol if len(members) <= 1 else f"{symbol} or its substantially identical {', '.join(members)}"
