"""Small value helpers shared by the domain: decimals and aware UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation


def utcnow() -> datetime:
    return datetime.now(UTC)


def require_aware(at: datetime, what: str = "time") -> datetime:
    """Return `at` in UTC; a naive datetime is a programming error, never silently assumed local."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {at!r}")
    return at.astimezone(UTC)


def to_decimal(value: object, what: str = "value") -> Decimal:
    """Convert text, int or Decimal to a finite Decimal. Floats are refused: they are not exact."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"{what} must be a Decimal, int or str, not {type(value).__name__}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{what} is not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    return number


def decimal_text(value: Decimal | None) -> str | None:
    """Render a Decimal exactly, without exponent notation and without trailing zeros."""
    if value is None:
        return None
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def from_text(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
