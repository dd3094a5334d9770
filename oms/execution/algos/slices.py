"""The values a schedule is made of: lot rules, child slices and the schedule itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from oms.domain.enums import Algo, Side, Urgency
from oms.execution.algos.settings import AlgoSettings


@dataclass(frozen=True, slots=True)
class LotRules:
    """What sizes a child may have: whole shares unless fractional, and never below a minimum."""

    fractional: bool = False
    min_child_quantity: Decimal = Decimal(1)
    fractional_step: Decimal = Decimal("0.000000001")

    @property
    def step(self) -> Decimal:
        return self.fractional_step if self.fractional else Decimal(1)

    @classmethod
    def from_settings(cls, settings: AlgoSettings, *, fractional: bool) -> LotRules:
        """Take the minimum child size and fractional step from `[algos]`; `fractional` from the security."""
        return cls(fractional, settings.min_child_quantity, settings.fractional_step)


@dataclass(frozen=True, slots=True)
class ChildSlice:
    """One child order to send: not before `not_before`, expected done by `due` (the next child's time)."""

    sequence: int
    quantity: Decimal
    not_before: datetime
    due: datetime
    client_order_id: str


@dataclass(frozen=True, slots=True)
class Schedule:
    """A parent's children in time order. `interval` is the grid spacing of TWAP and IS (None otherwise)."""

    parent_client_order_id: str
    algo: Algo
    side: Side
    urgency: Urgency
    quantity: Decimal
    start: datetime
    end: datetime
    slices: tuple[ChildSlice, ...]
    interval: timedelta | None = None
    profile_name: str | None = None
    note: str = ""
