"""Where the Alpaca account is and how hard to push it: endpoints, keys, timeouts, budgets, live guards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from oms.config import ConfigError, Settings, overlay_environment

PAPER_URL = "https://paper-api.alpaca.markets"
LIVE_HOST = "api.alpaca.markets"


class AlpacaSettings(BaseModel):
    """The `[alpaca]` table, checked when the settings load. It holds secrets: no value of it is ever echoed.

    Alpaca's own variables are documented aliases: APCA_API_KEY_ID, APCA_API_SECRET_KEY, APCA_API_BASE_URL,
    APCA_API_STREAM_URL, APCA_API_DATA_URL (OMS_ALPACA__KEY_ID and friends win when both are set).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    env_aliases: ClassVar[dict[str, str]] = {
        "APCA_API_KEY_ID": "key_id",
        "APCA_API_SECRET_KEY": "secret_key",
        "APCA_API_BASE_URL": "base_url",
        "APCA_API_STREAM_URL": "stream_url",
        "APCA_API_DATA_URL": "data_url",
    }

    key_id: SecretStr = SecretStr("")
    secret_key: SecretStr = SecretStr("")
    base_url: str = PAPER_URL
    stream_url: str = ""
    data_url: str = ""
    timeout_seconds: float = Field(default=10.0, gt=0, le=600)

    @field_validator("base_url", "data_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http:// or https:// address")
        return value

    @field_validator("stream_url")
    @classmethod
    def _websocket(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("ws", "wss"):
            raise ValueError("must be a ws:// or wss:// address")
        return value


class AlpacaConfigError(ConfigError):
    """The Alpaca settings cannot work (missing keys, a live endpoint without the live guards, ...)."""


@dataclass(frozen=True)
class AlpacaOptions:
    """Tuning with safe defaults; tests shrink the waits."""

    requests_per_minute: int = 200
    backoff_seconds: float = 0.5  # first wait after a 429, doubled each time
    backoff_max_seconds: float = 8.0
    rate_limit_retries: int = 6
    page_size: int = 500  # Alpaca's most per GET /v2/orders
    fill_overlap_seconds: float = 120.0  # a REST poll re-reads fills this far back from the newest it has
    stream: bool = True
    stream_connect_wait_seconds: float = 5.0
    stream_reconnect_min_seconds: float = 1.0


@dataclass(frozen=True)
class AlpacaConnection:
    """One account's endpoints and keys. The keys stay SecretStr until the SDK is built."""

    key_id: SecretStr
    secret_key: SecretStr
    base_url: str = PAPER_URL
    stream_url: str = ""
    data_url: str = ""
    timeout_seconds: float = 10.0
    live: bool = False
    expected_account: str = ""  # live only: the account the user confirmed

    @property
    def trading_url(self) -> str:
        """The REST base alpaca-py wants (it appends /v2 itself)."""
        url = self.base_url.rstrip("/")
        return url.removesuffix("/v2")

    @property
    def trade_stream_url(self) -> str:
        """The trade_updates websocket: configured, or derived from the REST base (https -> wss, + /stream)."""
        if self.stream_url:
            return self.stream_url
        parts = urlsplit(self.trading_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return f"{scheme}://{parts.netloc}/stream"

    @classmethod
    def from_settings(
        cls, settings: Settings, *, mode: str = "paper", environ: Mapping[str, str] | None = None
    ) -> AlpacaConnection:
        """Resolve keys and endpoints from the loaded `[alpaca]` table and apply the live guards.

        `environ` (tests) overlays APCA_* / OMS_ALPACA__* variables with the loader's rules; the process
        environment itself was read when the settings were loaded.
        """
        section = settings.adapter("alpaca", AlpacaSettings)
        if environ is not None:
            section = overlay_environment("alpaca", section, environ)
        key_id = section.key_id.get_secret_value()
        secret = section.secret_key.get_secret_value()
        if not key_id or not secret:
            raise AlpacaConfigError(
                "alpaca: no API keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (or [alpaca] key_id/secret_key)"
            )
        base_url = section.base_url or PAPER_URL
        live = urlsplit(base_url).hostname == LIVE_HOST
        if live and mode != "live":
            raise AlpacaConfigError(f"alpaca: {base_url} is the live endpoint; paper mode refuses it")
        if mode == "live":
            if not live:
                raise AlpacaConfigError(f"alpaca: live mode needs the live endpoint, not {base_url}")
            if not settings.live.enabled or not settings.live.account:
                raise AlpacaConfigError(
                    "alpaca: live trading needs live.enabled = true and live.account in your config"
                )
        return cls(
            key_id=SecretStr(key_id),
            secret_key=SecretStr(secret),
            base_url=base_url,
            stream_url=section.stream_url,
            data_url=section.data_url,
            timeout_seconds=section.timeout_seconds,
            live=live,
            expected_account=settings.live.account if live else "",
        )
