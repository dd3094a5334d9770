"""Settings of the simulated venue: the `[sim]` table of the configuration."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class SimSettings(BaseModel):
    """How the simulated venue behaves; every number is in simulated time unless it says otherwise."""

    model_config = ConfigDict(extra="forbid")

    path: str = ""  # empty: sim-venue.db in the data directory, beside the ledger
    seed: int = 7
    speed: float = Field(default=60.0, gt=0)  # simulated seconds per real second
    start_date: str = ""  # the first session's date (YYYY-MM-DD); empty: today in New York
    start_time: str = "09:30"  # where in that session the clock starts
    step_seconds: float = Field(default=60.0, gt=0)  # one price step and one matching round
    ack_latency_seconds: float = Field(default=1.0, ge=0)
    participation: float = Field(default=0.10, gt=0, le=1)  # share of each step's volume our orders may take
    impact_coefficient: float = Field(default=1.0, ge=0)  # times daily volatility times sqrt(quantity / ADV)
    starting_cash: Decimal = Decimal(1_000_000)
    check_buying_power: bool = True  # refuse buys the cash not promised to open buys cannot pay for
    busy_timeout_ms: int = 10_000
    securities_file: str = ""  # empty: config/securities.csv
    opening_positions: str = ""  # a positions CSV a new venue opens with (cash from its CASH row); empty: cash only
