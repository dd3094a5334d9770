"""The risk limits: the `[risk]` table of the configuration, validated, with documented defaults.

Every percentage limit is a fraction (0.25 is 25%) of the portfolio value, defined for all checks as
cash + Σ quantity * reference price of the positions held before the batch (see docs/RISK.md).
A money or count cap of 0 turns its check off.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from oms.config.errors import ConfigError


class WashSaleMode(StrEnum):
    WARN = "warn"
    BLOCK = "block"


class MarketHoursMode(StrEnum):
    HOLD = "hold"  # keep the order back (outcome warn with hold_until) until the next regular open
    BLOCK = "block"  # refuse the order
    OFF = "off"  # no check, for paper testing around the clock


class RestrictedEntry(BaseModel):
    """A symbol nobody may trade, why, and until when (inclusive; no date means until removed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    symbol: str
    reason: str = "on the restricted list"
    expires: date | None = None

    def active_on(self, day: date) -> bool:
        return self.expires is None or day <= self.expires


class RiskLimits(BaseModel):
    """The `[risk]` table. Defaults here and in config/default.toml are the same and documented there."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    max_order_value: Decimal = Field(default=Decimal(1_000_000), ge=0)
    max_adv_pct_warn: Decimal = Field(default=Decimal("0.05"), ge=0, le=1)
    max_adv_pct_block: Decimal = Field(default=Decimal("0.20"), ge=0, le=1)
    max_position_pct: Decimal = Field(default=Decimal("0.25"), ge=0, le=1)
    max_leveraged_pct: Decimal = Field(default=Decimal("0.30"), ge=0, le=1)
    min_cash_pct: Decimal = Field(default=Decimal("0.10"), ge=0, le=1)
    price_collar_pct: Decimal = Field(default=Decimal("0.10"), ge=0, le=1)
    restricted_symbols: tuple[RestrictedEntry, ...] = ()
    restricted_file: str = ""
    sector_limits: dict[str, Decimal] = Field(default_factory=dict)
    asset_class_limits: dict[str, Decimal] = Field(default_factory=dict)
    wash_sale: WashSaleMode = WashSaleMode.WARN
    wash_sale_groups: tuple[tuple[str, ...], ...] = ()
    daily_notional_cap: Decimal = Field(default=Decimal(10_000_000), ge=0)
    max_orders_per_minute: int = Field(default=120, ge=0)
    stale_price_minutes: int = Field(default=15, ge=0)
    market_hours: MarketHoursMode = MarketHoursMode.HOLD
    exchange: str = "XNYS"

    @field_validator("restricted_symbols", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        # Plain strings are the short form: restricted_symbols = ["XYZ"].
        if isinstance(value, list | tuple):
            return tuple({"symbol": item} if isinstance(item, str) else item for item in value)
        return value

    @field_validator("exchange")
    @classmethod
    def _exchange_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z0-9]{2,8}", value):
            raise ValueError("must be an exchange calendar code such as XNYS (capital letters and digits)")
        return value

    @field_validator("restricted_file")
    @classmethod
    def _readable_list(cls, value: str) -> str:
        if value:
            try:
                read_restricted_file(Path(value).expanduser())
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("sector_limits", "asset_class_limits")
    @classmethod
    def _fractions(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for name, limit in value.items():
            if not Decimal(0) <= limit <= Decimal(1):
                raise ValueError(f"{name!r} must be a fraction between 0 and 1, got {limit}")
        return value

    @model_validator(mode="after")
    def _adv_order(self) -> RiskLimits:
        if self.max_adv_pct_warn > self.max_adv_pct_block:
            raise ValueError(
                f"max_adv_pct_warn ({self.max_adv_pct_warn}) must not exceed max_adv_pct_block "
                f"({self.max_adv_pct_block})"
            )
        return self

    def group_of(self) -> dict[str, str]:
        """Map each symbol in a wash-sale group to the group's name (its first symbol)."""
        groups: dict[str, str] = {}
        for group in self.wash_sale_groups:
            for symbol in group:
                groups[symbol] = group[0]
        return groups


class _RiskTable(Protocol):
    @property
    def risk(self) -> RiskLimits: ...


def load_limits(settings: _RiskTable) -> RiskLimits:
    """The loaded `[risk]` table with the entries of the restricted-list file it names added."""
    limits = settings.risk
    if limits.restricted_file:
        extra = read_restricted_file(Path(limits.restricted_file).expanduser())
        limits = limits.model_copy(update={"restricted_symbols": limits.restricted_symbols + extra})
    return limits


def read_restricted_file(path: Path) -> tuple[RestrictedEntry, ...]:
    """Read a restricted list: CSV with the header `symbol,reason,expires` (expires YYYY-MM-DD or empty)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise ConfigError(f"{path}: restricted list not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: restricted list unreadable: {type(exc).__name__}") from None
    entries = []
    for line, row in enumerate(rows, start=2):
        symbol = (row.get("symbol") or "").strip().upper()
        if not symbol:
            raise ConfigError(f"{path}:{line}: symbol: missing")
        expires_text = (row.get("expires") or "").strip()
        try:
            expires = date.fromisoformat(expires_text) if expires_text else None
        except ValueError:
            raise ConfigError(f"{path}:{line}: expires: {expires_text!r} is not a date (YYYY-MM-DD)") from None
        reason = (row.get("reason") or "").strip() or "on the restricted list"
        entries.append(RestrictedEntry(symbol=symbol, reason=reason, expires=expires))
    return tuple(entries)
