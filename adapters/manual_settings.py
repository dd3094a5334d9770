"""The `[manual]` table: where the manual ticket book lives, and how far a typed fill may stray. Checked at load."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class ManualSettings(BaseModel):
    """The manual ticket book (`--mode manual`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    path: str = ""  # empty: manual-book.db in the data directory, beside the ledger
    # A typed fill further than this from the order's reference price is refused unless `--force` (0.10 = 10%).
    fill_collar_pct: Decimal = Field(default=Decimal("0.10"), gt=0, le=1)
