"""TCA settings: the `[tca]` table of the configuration."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from oms.config import ConfigError, Settings


class TcaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # COST_ABOVE_EXPECTED is raised when slippage against arrival exceeds the guidance's expected cost by more
    # than this many basis points. Slippage is noisy order by order; a margin keeps the warning for real misses.
    warn_above_expected_bps: Decimal = Field(default=Decimal(10), ge=0)


def tca_settings(settings: Settings) -> TcaSettings:
    """Read the `[tca]` table; a bad value is a ConfigError naming the key."""
    try:
        return TcaSettings.model_validate(settings.section("tca"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"[tca] {where}: {first['msg']}") from None
