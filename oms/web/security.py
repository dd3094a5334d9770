"""Who may look and who may act: tokens, session cookies, CSRF tokens and the failed-login limiter.

Two roles: a viewer reads, an operator also approves, halts, resumes and cancels. A browser logs in once with a
token and gets a signed session cookie; every form carries a CSRF token bound to that session. The signing key
lives only in this process's memory: restarting the server logs every browser out, which is the safe default.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

OPERATOR = "operator"
VIEWER = "viewer"
TOKENS_FILE = "serve-tokens.json"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Tokens:
    operator: str
    viewer: str
    created: bool = False  # generated just now: the caller prints them once

    def role_of(self, presented: str) -> str | None:
        """The role a presented token grants, compared in constant time; None for anything else."""
        given = presented.encode()
        if self.operator and hmac.compare_digest(given, self.operator.encode()):
            return OPERATOR
        if self.viewer and hmac.compare_digest(given, self.viewer.encode()):
            return VIEWER
        return None


def load_tokens(data_dir: Path, *, operator: str = "", viewer: str = "") -> Tokens:
    """Tokens from the settings, else from the data folder, else generated now and stored user-only (0600)."""
    path = data_dir / TOKENS_FILE
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    created = False
    if not (operator or stored.get(OPERATOR)) or not (viewer or stored.get(VIEWER)):
        stored = {
            OPERATOR: stored.get(OPERATOR) or secrets.token_urlsafe(32),
            VIEWER: stored.get(VIEWER) or secrets.token_urlsafe(32),
        }
        _write_private(path, json.dumps(stored))
        created = True
    return Tokens(operator or stored[OPERATOR], viewer or stored[VIEWER], created)


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by this user only, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class Signer:
    """Session cookies and CSRF tokens, signed with a key held in memory only."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def session(self, role: str, *, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        body = f"{role}.{issued}.{secrets.token_hex(8)}"
        return f"{body}.{self._mac(body)}"

    def role(self, cookie: str, *, now: float | None = None) -> str | None:
        """The role of a valid, unexpired session cookie, else None."""
        body, _, mac = cookie.rpartition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            return None
        role, issued, _nonce = [*body.split("."), "", ""][:3]
        if role not in (OPERATOR, VIEWER) or not issued.isdigit():
            return None
        if (now if now is not None else time.time()) - int(issued) > SESSION_SECONDS:
            return None
        return role

    def csrf(self, binding: str) -> str:
        """The CSRF token of a session (or of the login form's pre-session cookie)."""
        return self._mac(f"csrf:{binding}")

    def csrf_ok(self, binding: str, presented: str) -> bool:
        return bool(binding and presented) and hmac.compare_digest(presented, self.csrf(binding))


class LoginLimiter:
    """At most `attempts` failed logins per client address in a sliding minute."""

    def __init__(self, attempts: int, window: float = 60.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, client: str, *, now: float | None = None) -> int:
        """Seconds this client must wait before trying again (0: it may try now)."""
        moment = now if now is not None else time.monotonic()
        failures = self._failures.get(client)
        if not failures:
            return 0
        while failures and moment - failures[0] > self.window:
            failures.popleft()
        if len(failures) < self.attempts:
            return 0
        return max(1, int(self.window - (moment - failures[0])) + 1)

    def failed(self, client: str, *, now: float | None = None) -> None:
        self._failures.setdefault(client, deque()).append(now if now is not None else time.monotonic())

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
