"""Alpaca's wire shapes for the emulator: numbers as strings, times, error bodies and the order record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Reply = tuple[int, Any]  # HTTP status and a JSON-able body (None for an empty 204)


def text(value: Decimal | None) -> str | None:
    """Render a number the way Alpaca does: a plain string, no exponent."""
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def error(status: int, message: str, code: int | None = None) -> Reply:
    body: dict[str, Any] = {"message": message}
    if code is not None:
        body = {"code": code, "message": message}
    return status, body


@dataclass
class VenueOrder:
    id: str
    client_order_id: str
    symbol: str
    side: str
    qty: Decimal
    type: str
    time_in_force: str
    limit_price: Decimal | None
    stop_price: Decimal | None
    extended_hours: bool
    submitted_at: datetime
    status: str = "accepted"
    filled_qty: Decimal = Decimal(0)
    notional_filled: Decimal = Decimal(0)
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def avg_price(self) -> Decimal | None:
        if not self.filled_qty:
            return None
        return (self.notional_filled / self.filled_qty).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_order_id": self.client_order_id,
            "created_at": stamp(self.submitted_at),
            "updated_at": stamp(self.updated_at),
            "submitted_at": stamp(self.submitted_at),
            "filled_at": stamp(self.updated_at) if self.status == "filled" else None,
            "expired_at": None,
            "canceled_at": stamp(self.updated_at) if self.status == "canceled" else None,
            "failed_at": None,
            "replaced_at": None,
            "replaced_by": None,
            "replaces": None,
            "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, self.symbol)),
            "symbol": self.symbol,
            "asset_class": "us_equity",
            "notional": None,
            "qty": text(self.qty),
            "filled_qty": text(self.filled_qty),
            "filled_avg_price": text(self.avg_price),
            "order_class": "",
            "order_type": self.type,
            "type": self.type,
            "side": self.side,
            "time_in_force": self.time_in_force,
            "limit_price": text(self.limit_price),
            "stop_price": text(self.stop_price),
            "status": self.status,
            "extended_hours": self.extended_hours,
            "legs": None,
            "trail_percent": None,
            "trail_price": None,
            "hwm": None,
        }


def price_of(value: Any) -> Decimal | None:
    if value is None:
        return None
    # The SDK sends prices as JSON floats; repr of a float is its shortest round-trip text.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def on_tick(price: Decimal) -> Decimal:
    return price.quantize(Decimal("0.01") if price >= 1 else Decimal("0.0001"), ROUND_HALF_UP)
