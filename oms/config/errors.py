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


_PLAIN = {
    "bool_type": "must be true or false (a TOML boolean, not text or a number)",
    "extra_forbidden": "unknown key",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "dict_type": "must be a table",
    "string_type": "must be text (in quotes)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
}


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
    kind = str(error.get("type", ""))
    if kind in _PLAIN:
        return _PLAIN[kind]
    message = str(error.get("msg", "invalid value")).replace("\n", " ")
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if message.startswith("Input should be"):
        message = "must be" + message.removeprefix("Input should be")
    return message
