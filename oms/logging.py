"""Structured logs: JSON lines to a file, readable lines on the console, secrets redacted on the way to both."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import structlog

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(r"(secret|password|passwd|token|api[_-]?key|key[_-]?id|authorization|credential)", re.I)
_SECRET_TEXT = [
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    (
        re.compile(r"(?i)(authorization|apca-api-secret-key|apca-api-key-id|password|secret|token)(\s*[:=]\s*)\S+"),
        r"\1\2" + REDACTED,
    ),
]


def redact_value(value: Any) -> Any:
    """Redact secret-shaped text inside a value; recurse into mappings and sequences."""
    if isinstance(value, str):
        for pattern, replacement in _SECRET_TEXT:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, Mapping):
        return {k: REDACTED if _SECRET_KEY.search(str(k)) else redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    if type(value).__name__ == "SecretStr":
        return REDACTED
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: secret-named keys lose their values, secret-shaped text is masked."""
    for key in list(event_dict):
        if _SECRET_KEY.search(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = redact_value(event_dict[key])
    return event_dict


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_secrets,
]


def configure(level: str = "info", log_file: Path | None = None, console: bool = True) -> None:
    """Send events to a JSON-lines file and, when asked, to stderr in a readable form."""
    handlers: list[logging.Handler] = []
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        # The JSON log carries the traceback itself (as text under "exception"), not just "exc_info": true.
        file_handler.setFormatter(
            _formatter(structlog.processors.format_exc_info, structlog.processors.JSONRenderer(default=str))
        )
        handlers.append(file_handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(_formatter(structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())))
        handlers.append(stream)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level.upper())
    # APScheduler logs two lines per job run at info: at a fast poll that drowns the OMS's own events.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        # filter_by_level first: an event below the level costs one check, not a rendered dict.
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def _formatter(*renderer: Any) -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
        foreign_pre_chain=_SHARED,
    )


def get_logger(name: str = "oms") -> Any:
    return structlog.get_logger(name)
