"""The OMS's own small tables: `[database]`, `[logging]` and `[live]`. Every value is range-checked."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/:@\s]*:)[^@/\s]*@", re.I)


def redacted_url(url: str) -> str:
    """A database URL with its password (if any) replaced, for printing and logging."""
    return _URL_PASSWORD.sub(lambda match: f"{match['head']}***@", url)


class Table(BaseModel):
    """A configuration table: unknown keys refused, no NaN or infinity anywhere."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DatabaseSettings(Table):
    env_aliases: ClassVar[dict[str, str]] = {"OMS_DATABASE_URL": "url"}

    url: str = ""  # empty: an SQLite file in the user's data directory
    sqlite_synchronous: Literal["off", "normal", "full", "extra"] = "normal"
    busy_timeout_ms: int = Field(default=10_000, ge=0, le=600_000)

    def __repr_args__(self) -> Any:
        # A PostgreSQL URL may carry a password: a repr (a log line, a traceback) shows it masked.
        for name, value in super().__repr_args__():
            yield name, redacted_url(value) if name == "url" and isinstance(value, str) else value


LogLevel = Literal["debug", "info", "warning", "error", "critical"]


class LoggingSettings(Table):
    level: LogLevel = "info"
    file: str = ""  # empty: oms.jsonl in the user's log directory
    console: bool = True

    @field_validator("level", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


class LiveSettings(Table):
    enabled: bool = False
    account: str = ""
