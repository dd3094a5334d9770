"""MARKET_HOURS: orders that need the regular session are held until the open, or refused, when it is closed.

The venue's own clock is the authority when the context has one; otherwise the exchange calendar (holidays, half
days, daylight saving). With `market_hours = "hold"` the outcome is `warn` and the result's `hold_until` is the
next regular open: the engine keeps the order back until then.
"""

from __future__ import annotations

from oms.domain.enums import OrderType, TimeInForce
from oms.risk.limits import MarketHoursMode
from oms.risk.results import CheckResult, ReasonCode, blocked, passed, warned
from oms.risk.state import PricedOrder, RunState


def market_hours(order: PricedOrder, run: RunState) -> CheckResult:
    """MARKET_HOURS: outside the session hold or block market and DAY orders; extended hours take limits only."""
    code = ReasonCode.MARKET_HOURS
    mode = run.limits.market_hours
    if mode is MarketHoursMode.OFF:
        return passed(code, 'market hours are not checked (market_hours = "off")')
    checked = order.order
    if checked.extended_hours and checked.order_type is not OrderType.LIMIT:
        return blocked(code, f"extended-hours trading takes limit orders only, not {checked.order_type.value} orders")
    session = run.session()
    if session.is_open:
        if session.early_close is not None:
            return passed(code, f"the market is open; it closes early today at {session.local(session.early_close)}")
        return passed(code, "the market is open")
    said = f"the market is closed ({session.closed_because}) at {session.local(session.at)}"
    if checked.extended_hours and session.in_extended_hours:
        return passed(code, f"{said}; an extended-hours limit order may trade now")
    if checked.order_type is not OrderType.MARKET and checked.time_in_force is not TimeInForce.DAY:
        return passed(
            code, f"{said}; a {checked.time_in_force.value} {checked.order_type.value} order waits at the broker"
        )
    if mode is MarketHoursMode.BLOCK:
        return blocked(code, f'{said}; market and day orders are refused outside the session (market_hours = "block")')
    if session.next_open is None:
        return blocked(code, f"{said}, and the venue does not say when it opens next")
    return warned(code, f"{said}; held until the open at {session.local(session.next_open)}", session.next_open)
