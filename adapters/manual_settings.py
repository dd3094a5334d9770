"""The `[manual]` table: where the manual ticket book lives. Checked when the settings load."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ManualSettings(BaseModel):
    """The manual ticket book (`--mode manual`)."""

    model_config = ConfigDict(extra="forbid")

    path: str = ""  # empty: manual-book.db in the data directory, beside the ledger
