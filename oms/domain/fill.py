"""A fill: one execution reported by a broker, keyed by its execution id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Fill:
    exec_id: str
    quantity: Decimal
    price: Decimal
    at: datetime
    commission: Decimal = Decimal(0)

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price
