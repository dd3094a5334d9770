"""TCA settings: the `[tca]` table of the configuration."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class TcaSettings(BaseModel):
    """The `[tca]` table, part of the one settings tree (`Settings.tca`) and checked when loaded."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    # COST_ABOVE_EXPECTED is raised when slippage against arrival exceeds the guidance's expected cost by more
    # than this many basis points. Slippage is noisy order by order; a margin keeps the warning for real misses.
    warn_above_expected_bps: Decimal = Field(default=Decimal(10), ge=0)
