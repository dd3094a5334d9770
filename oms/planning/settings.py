"""Planning settings: the `[planning]`, `[guidance]` and `[rebalance]` tables of the configuration.

Build them with `PlanningSettings.from_settings(load_settings(...))`; every threshold has a documented default in
`config/default.toml`, so a plan is reproducible from the files alone.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from oms.config.files import CONFIG_DIR
from oms.domain.enums import TimeInForce, Urgency


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class GuidanceSettings(_Table):
    """Thresholds for order type, limit price, time in force, algorithm choice and the cost estimate."""

    # A limit order (never a market order) for leveraged names, and for names whose daily volatility or quoted
    # spread reaches these levels: a market order there can fill far from the reference price.
    limit_min_daily_volatility: Decimal = Field(default=Decimal("0.03"), ge=0, le=1)
    limit_min_spread_bps: Decimal = Field(default=Decimal("10"), ge=0, le=10_000)
    # How far past the reference price a limit may go, in bps beyond the half spread, per urgency. Low urgency
    # rests at the reference price (it does not cross the spread).
    limit_buffer_bps_normal: Decimal = Field(default=Decimal("5"), ge=0, le=10_000)
    limit_buffer_bps_high: Decimal = Field(default=Decimal("25"), ge=0, le=10_000)
    time_in_force: TimeInForce = TimeInForce.DAY
    default_urgency: Urgency = Urgency.NORMAL
    # One order (market or limit) when the order is small in both value and share of ADV.
    single_order_max_value: Decimal = Field(default=Decimal("25000"), ge=0)
    single_order_max_pct_adv: Decimal = Field(default=Decimal("0.005"), ge=0, le=1)
    # Larger orders: implementation shortfall when urgent or volatile, VWAP when a large share of ADV, else TWAP.
    is_min_daily_volatility: Decimal = Field(default=Decimal("0.03"), ge=0, le=1)
    vwap_min_pct_adv: Decimal = Field(default=Decimal("0.02"), ge=0, le=1)
    # Square-root impact: cost_bps = spread_bps / 2 + impact_coefficient * volatility_bps * sqrt(quantity / ADV).
    impact_coefficient: Decimal = Field(default=Decimal("1.0"), ge=0, le=100)


class RebalanceSettings(_Table):
    """Allocation limits and minimum trade size for `oms rebalance` (fractions of the portfolio's value)."""

    max_leveraged: Decimal = Field(default=Decimal("0.30"), ge=0, le=1)
    max_position: Decimal = Field(default=Decimal("0.25"), gt=0, le=1)
    min_cash: Decimal = Field(default=Decimal("0.10"), ge=0, le=1)
    min_trade_value: Decimal = Field(default=Decimal("100"), ge=0)
    min_trade_shares: Decimal = Field(default=Decimal("1"), ge=0)
    # Quantity step for names that allow fractional shares.
    fractional_step: Decimal = Field(default=Decimal("0.0001"), gt=0, le=1)
    # Drift bands (oms/planning/drift.py): a holding trades only when its weight is further from its target than
    # the narrower of these; 0 turns a band off, and with both off every drift trades.
    band_absolute: Decimal = Field(default=Decimal(0), ge=0, le=1)
    band_relative: Decimal = Field(default=Decimal(0), ge=0)

    @model_validator(mode="after")
    def _limits_fit_together(self) -> RebalanceSettings:
        if self.max_leveraged > 1 - self.min_cash:
            raise ValueError("max_leveraged plus min_cash must not exceed 1")
        return self


class PlanningTable(_Table):
    """The `[planning]` table: which security master to read (empty: the shipped sample)."""

    securities: str = ""


class _PlanningTables(Protocol):
    """The part of the settings tree planning reads (the loaded `Settings`)."""

    @property
    def planning(self) -> PlanningTable: ...
    @property
    def guidance(self) -> GuidanceSettings: ...
    @property
    def rebalance(self) -> RebalanceSettings: ...


class PlanningSettings(_Table):
    """Everything planning reads from the configuration."""

    securities: Path = CONFIG_DIR / "securities.csv"
    guidance: GuidanceSettings = GuidanceSettings()
    rebalance: RebalanceSettings = RebalanceSettings()

    @classmethod
    def from_settings(cls, settings: _PlanningTables) -> PlanningSettings:
        """Compose from the loaded `[planning]`, `[guidance]` and `[rebalance]` tables (checked when loaded)."""
        securities = settings.planning.securities
        path = Path(securities).expanduser() if securities else CONFIG_DIR / "securities.csv"
        return cls(securities=path, guidance=settings.guidance, rebalance=settings.rebalance)


EXCHANGE_TIME = ZoneInfo("America/New_York")


class ReferenceSettings(BaseModel):
    """The `[reference]` table: how much history the statistics use and how long broker facts are reused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_sessions: int = Field(default=20, ge=2, le=260)
    cache_hours: float = Field(default=24.0, ge=0)


class ScheduleSettings(BaseModel):
    """The `[schedule]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    targets: Path = CONFIG_DIR / "examples" / "targets.toml"
    cron: str = "0 10 * * mon-fri"
    approval: Literal["supervised", "auto"] = "supervised"
    # How often (real seconds) the daemon looks at the clock to see whether the rule has fired.
    check_seconds: float = Field(default=1.0, gt=0)

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone=EXCHANGE_TIME)
        except ValueError as exc:
            raise ValueError(f"not a crontab rule (minute hour day month day-of-week): {exc}") from None
        return value

    @classmethod
    def from_settings(cls, settings: _ScheduleTable) -> ScheduleSettings:
        """The loaded `[schedule]` table, its targets file read from the project folder when relative."""
        table = settings.schedule
        path = table.targets.expanduser()
        return table.model_copy(update={"targets": path if path.is_absolute() else CONFIG_DIR.parent / path})


class _ScheduleTable(Protocol):
    @property
    def schedule(self) -> ScheduleSettings: ...
