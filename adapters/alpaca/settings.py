"""Where the Alpaca account is and how hard to push it: endpoints, keys, timeouts, budgets, live guards."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import SecretStr

from oms.config import ConfigError, Settings

PAPER_URL = "https://paper-api.alpaca.markets"
LIVE_HOST = "api.alpaca.markets"


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
        """Resolve keys and endpoints (APCA_* variables first, then the config) and apply the live guards."""
        env = os.environ if environ is None else environ
        section = settings.alpaca
        key_id = env.get("APCA_API_KEY_ID") or section.key_id.get_secret_value()
        secret = env.get("APCA_API_SECRET_KEY") or section.secret_key.get_secret_value()
        if not key_id or not secret:
            raise AlpacaConfigError(
                "alpaca: no API keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (or [alpaca] key_id/secret_key)"
            )
        base_url = env.get("APCA_API_BASE_URL") or section.base_url or PAPER_URL
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
            stream_url=env.get("APCA_API_STREAM_URL") or section.stream_url,
            data_url=env.get("APCA_API_DATA_URL") or section.data_url,
            timeout_seconds=section.timeout_seconds,
            live=live,
            expected_account=settings.live.account if live else "",
        )
