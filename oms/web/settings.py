"""`[serve]` and `[notify]`: where the dashboard listens, its tokens and TLS files, and where notifications go."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oms.config import ConfigError, Settings

# `insecure` is not a setting: only the explicit `--insecure` flag may allow a public address without TLS.


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = field(default="", repr=False)  # the operator's token; never printed by repr
    viewer_token: str = field(default="", repr=False)
    tls_cert: str = ""
    tls_key: str = ""
    insecure: bool = False
    login_attempts: int = 5  # failed logins per client address per minute before it must wait

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert and self.tls_key)

    @classmethod
    def from_settings(cls, settings: Settings, **flags: Any) -> ServeSettings:
        """The loaded `[serve]` table (checked by the loader), with the command line's flags over it."""
        table = settings.serve
        chosen = {k: v for k, v in flags.items() if v is not None}
        port = chosen.get("port", table.port)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ConfigError(f"--port: must be a port number 0-65535, got {port!r}")
        return cls(
            host=str(chosen.get("host", table.host)),
            port=port,
            token=table.token.get_secret_value(),
            viewer_token=table.viewer_token.get_secret_value(),
            tls_cert=table.tls_cert,
            tls_key=table.tls_key,
            insecure=bool(chosen.get("insecure", False)),
            login_attempts=table.login_attempts,
        )


@dataclass(frozen=True)
class NotifySettings:
    urls: tuple[str, ...] = ()
    failing_cycles: int = 3  # consecutive failed cycles before "a cycle keeps failing" is sent
    poll_seconds: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifySettings:
        """The loaded `[notify]` table (checked by the loader)."""
        table = settings.notify
        urls = tuple(url.get_secret_value() for url in table.urls)
        return cls(urls=urls, failing_cycles=table.failing_cycles, poll_seconds=table.poll_seconds)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(serve: ServeSettings) -> None:
    """Refuse to listen beyond this machine without TLS, unless the person said --insecure."""
    if is_loopback(serve.host) or serve.tls or serve.insecure:
        if serve.tls:
            for key in ("tls_cert", "tls_key"):
                if not Path(getattr(serve, key)).is_file():
                    raise ConfigError(f"serve.{key}: no such file: {getattr(serve, key)}")
        return
    raise ConfigError(
        f"--host: {serve.host} is not a loopback address; set serve.tls_cert and serve.tls_key, or pass --insecure"
    )
