"""The `[execution]` table: how the engine paces itself and how careful it is with unknown outcomes."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ExecutionSettings(BaseModel):
    """The `[execution]` table, part of the one settings tree (`Settings.execution`) and checked when loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    poll_seconds: float = Field(default=0.5, gt=0)  # while orders are working
    idle_poll_seconds: float = Field(default=5.0, gt=0)  # while nothing is working
    in_flight_seconds: float = Field(
        default=10.0, ge=0
    )  # a submitted order without acknowledgement this long is looked up
    lookup_attempts: int = Field(
        default=3, ge=1, le=100
    )  # definite "not found" answers before an order counts as never sent
    # A broker report saying more is filled than booked, for this long, forces a fresh read of the executions;
    # for twice this long, the difference is booked from the report (a `derived:` fill). See fill_gaps.py.
    fill_gap_seconds: float = Field(default=30.0, gt=0, le=86_400)
    max_cycle_failures: int = Field(default=10, ge=1, le=10_000)  # consecutive failed cycles before a run gives up
    market_buy_buffer_pct: Decimal = Field(default=Decimal("0.02"), ge=0, le=1)  # a market buy may fill above the quote
    run_timeout_seconds: float = Field(default=900.0, gt=0)  # `oms run` gives up waiting after this long
    algo_horizon_minutes: float = Field(default=60.0, gt=0)  # TWAP/VWAP/IS work a parent over this much venue time
    reprice_collar_pct: Decimal = Field(
        default=Decimal("0.02"), ge=0, le=1
    )  # repricing never moves past this from decision
    reconcile_seconds: float = Field(default=60.0, gt=0)
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    lease_seconds: float = Field(default=30.0, gt=0)
    # Manual mode while the market is closed: hand the tickets of orders held for the open to the desk now, marked
    # "for the open of <date>", so a person can enter them the evening before (false: keep them back until the open).
    tickets_before_open: bool = True

    @model_validator(mode="after")
    def _lease_outlives_heartbeat(self) -> ExecutionSettings:
        if self.heartbeat_seconds >= self.lease_seconds:
            raise ValueError(
                f"heartbeat_seconds ({self.heartbeat_seconds}) must be shorter than lease_seconds "
                f"({self.lease_seconds}), or the lease lapses between heartbeats"
            )
        return self
