"""The OMS's own small tables: `[database]`, `[logging]` and `[live]`. Every value is range-checked."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

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


class ServeTable(Table):
    """`[serve]`: where `oms serve` listens, its tokens (secrets) and TLS files (see oms.web.settings)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    token: SecretStr = SecretStr("")  # the operator's token; empty: generated at the first start
    viewer_token: SecretStr = SecretStr("")
    tls_cert: str = ""
    tls_key: str = ""
    login_attempts: int = Field(default=5, ge=1, le=1000)

    @field_validator("token", "viewer_token")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value


class NotifyTable(Table):
    """`[notify]`: apprise URLs (secrets: they carry keys) and when a failing cycle is announced."""

    urls: list[SecretStr] = Field(default_factory=list)
    failing_cycles: int = Field(default=3, ge=1, le=10_000)
    poll_seconds: float = Field(default=1.0, gt=0, le=60)

    @field_validator("urls", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("urls")
    @classmethod
    def _apprise_urls(cls, value: list[SecretStr]) -> list[SecretStr]:
        if not all("://" in url.get_secret_value() for url in value):
            raise ValueError("must be a list of apprise URLs (scheme://...)")
        return value
