"""What a check says about an order: an outcome, a stable reason code and a sentence with the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from oms.risk.context import CheckedOrder


class Outcome(StrEnum):
    """How bad a result is. Ordered: a `block` outranks a `warn`, which outranks a `pass`."""

    PASS = "pass"  # noqa: S105  (an outcome, not a password)
    WARN = "warn"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Outcome.PASS: 0, Outcome.WARN: 1, Outcome.BLOCK: 2}


class ReasonCode(StrEnum):
    """The stable reason codes, one per check (documented in docs/RISK.md)."""

    ORDER_VALUE_LIMIT = "ORDER_VALUE_LIMIT"
    ADV_LIMIT = "ADV_LIMIT"
    POSITION_CONCENTRATION = "POSITION_CONCENTRATION"
    LEVERAGED_EXPOSURE = "LEVERAGED_EXPOSURE"
    SECTOR_LIMIT = "SECTOR_LIMIT"
    ASSET_CLASS_LIMIT = "ASSET_CLASS_LIMIT"
    CASH_FLOOR = "CASH_FLOOR"
    BUYING_POWER = "BUYING_POWER"
    SHARES_AVAILABLE = "SHARES_AVAILABLE"
    RESTRICTED_SYMBOL = "RESTRICTED_SYMBOL"
    DUPLICATE_ORDER = "DUPLICATE_ORDER"
    WASH_SALE = "WASH_SALE"
    MARKET_HOURS = "MARKET_HOURS"
    PRICE_COLLAR = "PRICE_COLLAR"
    STALE_PRICE = "STALE_PRICE"
    DAILY_NOTIONAL = "DAILY_NOTIONAL"
    ORDER_RATE = "ORDER_RATE"


class CheckResult(NamedTuple):
    """One check's verdict on one order (a named tuple: the run makes many, and they never change).

    `hold_until` is set only by MARKET_HOURS when the market is closed and `market_hours = "hold"`: the outcome is
    then `warn` and the engine keeps the order back until that time (the next regular open) instead of sending it.
    """

    code: ReasonCode
    outcome: Outcome
    message: str
    hold_until: datetime | None = None

    def as_dict(self) -> dict[str, str]:
        """Render for JSON: code, outcome and message (plus hold_until when set)."""
        out = {"code": self.code.value, "outcome": self.outcome.value, "message": self.message}
        if self.hold_until is not None:
            out["hold_until"] = self.hold_until.isoformat()
        return out


@dataclass(slots=True)
class OrderChecks:
    """Every check's result for one order, in a fixed order."""

    order: CheckedOrder
    results: list[CheckResult] = field(default_factory=list)

    @property
    def worst(self) -> Outcome:
        outcomes = {result.outcome for result in self.results}
        for outcome in (Outcome.BLOCK, Outcome.WARN):
            if outcome in outcomes:
                return outcome
        return Outcome.PASS

    @property
    def blocked(self) -> bool:
        return self.worst is Outcome.BLOCK

    @property
    def hold_until(self) -> datetime | None:
        """The time the engine must wait for before releasing this order, if any check asked for a hold."""
        holds = [r.hold_until for r in self.results if r.hold_until is not None]
        return max(holds) if holds else None

    def problems(self) -> list[CheckResult]:
        """The results that are not a pass, worst first."""
        return sorted((r for r in self.results if r.outcome is not Outcome.PASS), key=lambda r: -r.outcome.rank)


def passed(code: ReasonCode, message: str) -> CheckResult:
    return CheckResult(code, Outcome.PASS, message)


def warned(code: ReasonCode, message: str, hold_until: datetime | None = None) -> CheckResult:
    return CheckResult(code, Outcome.WARN, message, hold_until)


def blocked(code: ReasonCode, message: str) -> CheckResult:
    return CheckResult(code, Outcome.BLOCK, message)
