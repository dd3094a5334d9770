"""`[serve]` and `[notify]`: where the dashboard listens, its tokens and TLS files, and where notifications go."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oms.config import ConfigError, Settings

# `insecure` is not among them: only the explicit `--insecure` flag may allow a public address without TLS.
SERVE_KEYS = {"host", "port", "token", "viewer_token", "tls_cert", "tls_key", "login_attempts"}
NOTIFY_KEYS = {"urls", "failing_cycles", "poll_seconds"}


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
        table = _table(settings, "serve", SERVE_KEYS)
        table.update({k: v for k, v in flags.items() if v is not None})
        port = table.get("port", cls.port)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ConfigError(f"serve.port: must be a port number 0-65535, got {port!r}")
        attempts = table.get("login_attempts", cls.login_attempts)
        if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
            raise ConfigError(f"serve.login_attempts: must be a whole number of at least 1, got {attempts!r}")
        texts = {k: str(table.get(k, "")) for k in ("token", "viewer_token", "tls_cert", "tls_key")}
        for key in ("token", "viewer_token"):
            if texts[key] and len(texts[key]) < 16:
                raise ConfigError(f"serve.{key}: must be at least 16 characters")
        return cls(
            host=str(table.get("host", cls.host)),
            port=port,
            insecure=bool(table.get("insecure", False)),
            login_attempts=attempts,
            **texts,
        )


@dataclass(frozen=True)
class NotifySettings:
    urls: tuple[str, ...] = ()
    failing_cycles: int = 3  # consecutive failed cycles before "a cycle keeps failing" is sent
    poll_seconds: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifySettings:
        table = _table(settings, "notify", NOTIFY_KEYS)
        urls = table.get("urls", [])
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not all(isinstance(u, str) and "://" in u for u in urls):
            raise ConfigError("notify.urls: must be a list of apprise URLs (scheme://...)")
        failing = table.get("failing_cycles", cls.failing_cycles)
        if not isinstance(failing, int) or isinstance(failing, bool) or failing < 1:
            raise ConfigError(f"notify.failing_cycles: must be a whole number of at least 1, got {failing!r}")
        poll = table.get("poll_seconds", cls.poll_seconds)
        if not isinstance(poll, int | float) or isinstance(poll, bool) or not 0 < poll <= 60:
            raise ConfigError(f"notify.poll_seconds: must be a number of seconds in (0, 60], got {poll!r}")
        return cls(urls=tuple(urls), failing_cycles=failing, poll_seconds=float(poll))


def _table(settings: Settings, name: str, known: set[str]) -> dict[str, Any]:
    table = settings.section(name)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{name}.{unknown[0]}: unknown setting (known: {', '.join(sorted(known))})")
    return table


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
