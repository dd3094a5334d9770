"""Pre-trade risk checks: each a small rule giving pass, warn or block with a stable reason code and a sentence.

Start with `run_checks(orders, RiskContext(...))`; the limits come from `load_limits(settings)`.
"""

from oms.risk.context import CheckedOrder, HistoricalFill, OpenOrder, RiskContext
from oms.risk.limits import MarketHoursMode, RestrictedEntry, RiskLimits, WashSaleMode, load_limits
from oms.risk.results import CheckResult, OrderChecks, Outcome, ReasonCode
from oms.risk.runner import run_checks

__all__ = [
    "CheckResult",
    "CheckedOrder",
    "HistoricalFill",
    "MarketHoursMode",
    "OpenOrder",
    "OrderChecks",
    "Outcome",
    "ReasonCode",
    "RestrictedEntry",
    "RiskContext",
    "RiskLimits",
    "WashSaleMode",
    "load_limits",
    "run_checks",
]
