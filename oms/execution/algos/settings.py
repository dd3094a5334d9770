"""The `[algos]` settings: slicing, lot sizes, client order id length and repricing, with safe defaults."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from oms.domain.enums import Urgency
from oms.execution.algos.child_ids import ALPACA_MAX_LENGTH, MAX_SEQUENCE, MIN_MAX_LENGTH
from oms.execution.algos.volume_profile import U_SHAPED_PERCENTS, VolumeProfile


def _per_urgency(low: str, normal: str, high: str) -> dict[Urgency, Decimal]:
    return {Urgency.LOW: Decimal(low), Urgency.NORMAL: Decimal(normal), Urgency.HIGH: Decimal(high)}


DEFAULT_IS_DECAY = _per_urgency("0.85", "0.7", "0.5")
DEFAULT_CROSS_BPS = _per_urgency("0", "5", "15")
DEFAULT_PATIENCE_SECONDS = {Urgency.LOW: 600, Urgency.NORMAL: 300, Urgency.HIGH: 120}


class AlgoSettings(BaseModel):
    """How parents are sliced into children and how an unfilled limit child is repriced."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    slice_interval_minutes: int = Field(default=15, ge=1, le=390)
    max_slices: int = Field(default=100, ge=1, le=MAX_SEQUENCE)
    min_child_quantity: Decimal = Field(default=Decimal(1), gt=0)
    fractional_step: Decimal = Field(default=Decimal("0.000000001"), gt=0)
    client_order_id_max_length: int = Field(default=ALPACA_MAX_LENGTH, ge=MIN_MAX_LENGTH)
    # IS: each slice is this fraction of the one before; smaller means more front-loaded.
    is_decay: dict[Urgency, Decimal] = Field(default_factory=lambda: dict(DEFAULT_IS_DECAY))
    vwap_profile: tuple[Decimal, ...] = tuple(Decimal(p) for p in U_SHAPED_PERCENTS)
    # Repricing: how long a limit child may rest before it is moved, and how far past the reference it goes.
    reprice_patience_seconds: dict[Urgency, int] = Field(default_factory=lambda: dict(DEFAULT_PATIENCE_SECONDS))
    reprice_cross_bps: dict[Urgency, Decimal] = Field(default_factory=lambda: dict(DEFAULT_CROSS_BPS))
    max_reprices: int = Field(default=10, ge=0, le=1000)

    @field_validator("is_decay")
    @classmethod
    def _decay_in_range(cls, value: dict[Urgency, Decimal]) -> dict[Urgency, Decimal]:
        for urgency, ratio in value.items():
            if not Decimal(0) < ratio <= Decimal(1):
                raise ValueError(f"{urgency}: must be above 0 and at most 1, got {ratio}")
        return {**DEFAULT_IS_DECAY, **value}

    @field_validator("reprice_cross_bps")
    @classmethod
    def _cross_not_negative(cls, value: dict[Urgency, Decimal]) -> dict[Urgency, Decimal]:
        for urgency, bps in value.items():
            if bps < 0:
                raise ValueError(f"{urgency}: must not be negative, got {bps}")
        return {**DEFAULT_CROSS_BPS, **value}

    @field_validator("reprice_patience_seconds")
    @classmethod
    def _patience_not_negative(cls, value: dict[Urgency, int]) -> dict[Urgency, int]:
        for urgency, seconds in value.items():
            if seconds < 0:
                raise ValueError(f"{urgency}: must not be negative, got {seconds}")
        return {**DEFAULT_PATIENCE_SECONDS, **value}

    @field_validator("vwap_profile")
    @classmethod
    def _profile_usable(cls, value: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        VolumeProfile("configured intraday volume", value)  # raises with the reason when unusable
        return value
