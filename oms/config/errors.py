"""The one error a configuration problem raises, and how a problem becomes one line without leaking a secret.

Every problem reads `PLACE: table.key: reason`, where PLACE is the file, the environment variable or the command
line that gave the value. A value is quoted back only when it is short, plain and cannot be a secret.
"""

from __future__ import annotations

import re
from typing import Any

# Key names that hold credentials. A misspelt one (`secret_ky`, `api_kee`) still matches on its stem.
_SECRET_NAME = re.compile(r"(secret|passw|passwd|token|key|credential|auth|cookie|private|signature|session)", re.I)
_SHOWN_MAX = 40


class ConfigError(Exception):
    """A configuration file or value a person must fix; the message names the place."""


def secret_shaped(name: str) -> bool:
    """Whether a key's name says it may hold a credential (its value is never shown)."""
    return bool(_SECRET_NAME.search(name))


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def shown(value: Any) -> str:
    """` (got X)` for a short plain value; nothing for tables, lists, long text or anything odd."""
    if isinstance(value, bool):
        return f" (got {str(value).lower()})"
    if isinstance(value, int | float):
        return f" (got {value})"
    if isinstance(value, str) and len(value) <= _SHOWN_MAX and value.isprintable():
        return f" (got {value!r})"
    return ""


def reason(error: dict[str, Any]) -> str:
    """A pydantic error's message, said the way the rest of the OMS says it."""
    kind = error.get("type", "")
    if kind == "bool_type":
        return "must be true or false (a TOML boolean, not text or a number)"
    if kind == "extra_forbidden":
        return "unknown key"
    message = str(error.get("msg", "invalid value")).replace("\n", " ")
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if message.startswith("Input should be"):
        message = "must be" + message.removeprefix("Input should be")
    return message
