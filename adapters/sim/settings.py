"""Settings of the simulated venue: the `[sim]` table of the configuration, checked when the settings load."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SimSettings(BaseModel):
    """How the simulated venue behaves; every number is in simulated time unless it says otherwise."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    path: str = ""  # empty: sim-venue.db in the data directory, beside the ledger
    seed: int = Field(default=7, ge=0, le=2**63 - 1)
    speed: float = Field(default=60.0, gt=0, le=1_000_000)  # simulated seconds per real second
    start_date: str = ""  # the first session's date (YYYY-MM-DD); empty: today in New York
    start_time: str = "09:30"  # where in that session the clock starts
    step_seconds: float = Field(default=60.0, gt=0, le=23_400)  # one price step and one matching round
    ack_latency_seconds: float = Field(default=1.0, ge=0, le=3_600)
    participation: float = Field(default=0.10, gt=0, le=1)  # share of each step's volume our orders may take
    impact_coefficient: float = Field(default=1.0, ge=0, le=100)  # times daily volatility times sqrt(qty / ADV)
    starting_cash: Decimal = Field(default=Decimal(1_000_000), ge=0)
    check_buying_power: bool = True  # refuse buys the cash not promised to open buys cannot pay for
    busy_timeout_ms: int = Field(default=10_000, ge=0, le=600_000)
    securities_file: str = ""  # empty: config/securities.csv
    opening_positions: str = ""  # a positions CSV a new venue opens with (cash from its CASH row); empty: cash only

    @field_validator("start_date")
    @classmethod
    def _a_date(cls, value: str) -> str:
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError("must be a date written YYYY-MM-DD, or empty for today") from None
        return value

    @field_validator("start_time")
    @classmethod
    def _in_the_session(cls, value: str) -> str:
        try:
            moment = time.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a time written HH:MM (New York)") from None
        if not time(9, 30) <= moment < time(16, 0):
            raise ValueError("must be within the regular session, 09:30 to before 16:00 (New York)")
        return value
