"""Planning settings: the `[planning]`, `[guidance]` and `[rebalance]` tables of the configuration.

Build them with `PlanningSettings.from_settings(load_settings(...))`; every threshold has a documented default in
`config/default.toml`, so a plan is reproducible from the files alone.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from oms.config import CONFIG_DIR, ConfigError, Settings
from oms.domain.enums import TimeInForce, Urgency

T = TypeVar("T", bound=BaseModel)


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuidanceSettings(_Table):
    """Thresholds for order type, limit price, time in force, algorithm choice and the cost estimate."""

    # A limit order (never a market order) for leveraged names, and for names whose daily volatility or quoted
    # spread reaches these levels: a market order there can fill far from the reference price.
    limit_min_daily_volatility: Decimal = Field(default=Decimal("0.03"), ge=0)
    limit_min_spread_bps: Decimal = Field(default=Decimal("10"), ge=0)
    # How far past the reference price a limit may go, in bps beyond the half spread, per urgency. Low urgency
    # rests at the reference price (it does not cross the spread).
    limit_buffer_bps_normal: Decimal = Field(default=Decimal("5"), ge=0)
    limit_buffer_bps_high: Decimal = Field(default=Decimal("25"), ge=0)
    time_in_force: TimeInForce = TimeInForce.DAY
    default_urgency: Urgency = Urgency.NORMAL
    # One order (market or limit) when the order is small in both value and share of ADV.
    single_order_max_value: Decimal = Field(default=Decimal("25000"), ge=0)
    single_order_max_pct_adv: Decimal = Field(default=Decimal("0.005"), ge=0)
    # Larger orders: implementation shortfall when urgent or volatile, VWAP when a large share of ADV, else TWAP.
    is_min_daily_volatility: Decimal = Field(default=Decimal("0.03"), ge=0)
    vwap_min_pct_adv: Decimal = Field(default=Decimal("0.02"), ge=0)
    # Square-root impact: cost_bps = spread_bps / 2 + impact_coefficient * volatility_bps * sqrt(quantity / ADV).
    impact_coefficient: Decimal = Field(default=Decimal("1.0"), ge=0)


class RebalanceSettings(_Table):
    """Allocation limits and minimum trade size for `oms rebalance` (fractions of the portfolio's value)."""

    max_leveraged: Decimal = Field(default=Decimal("0.30"), ge=0, le=1)
    max_position: Decimal = Field(default=Decimal("0.25"), gt=0, le=1)
    min_cash: Decimal = Field(default=Decimal("0.10"), ge=0, le=1)
    min_trade_value: Decimal = Field(default=Decimal("100"), ge=0)
    min_trade_shares: Decimal = Field(default=Decimal("1"), ge=0)
    # Quantity step for names that allow fractional shares.
    fractional_step: Decimal = Field(default=Decimal("0.0001"), gt=0)
    # Drift bands (oms/planning/drift.py): a holding trades only when its weight is further from its target than
    # the narrower of these; 0 turns a band off, and with both off every drift trades.
    band_absolute: Decimal = Field(default=Decimal(0), ge=0, le=1)
    band_relative: Decimal = Field(default=Decimal(0), ge=0)


class PlanningSettings(_Table):
    """Everything planning reads from the configuration."""

    securities: Path = CONFIG_DIR / "securities.csv"
    guidance: GuidanceSettings = GuidanceSettings()
    rebalance: RebalanceSettings = RebalanceSettings()

    @model_validator(mode="after")
    def _limits_fit_together(self) -> PlanningSettings:
        if self.rebalance.max_leveraged > 1 - self.rebalance.min_cash:
            raise ValueError("rebalance.max_leveraged plus rebalance.min_cash must not exceed 1")
        return self

    @classmethod
    def from_settings(cls, settings: Settings) -> PlanningSettings:
        """Build from the `[planning]`, `[guidance]` and `[rebalance]` tables; raise ConfigError naming the key."""
        planning: dict[str, Any] = dict(settings.section("planning"))
        if planning.get("securities"):
            planning["securities"] = Path(str(planning["securities"])).expanduser()
        else:
            planning.pop("securities", None)
        guidance = _table("guidance", GuidanceSettings, settings.section("guidance"))
        rebalance = _table("rebalance", RebalanceSettings, settings.section("rebalance"))
        return _table("planning", cls, {**planning, "guidance": guidance, "rebalance": rebalance})


def _table(name: str, model: type[T], values: dict[str, Any]) -> T:
    try:
        return model(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        where = f"[{name}] {key}" if key else f"[{name}]"
        raise ConfigError(f"invalid setting {where}: {error['msg']}") from None
