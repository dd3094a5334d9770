"""Structured logs: JSON lines to a file, readable lines on the console, secrets redacted on the way to both."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from oms.config import Settings

# Size-based rotation: oms.jsonl grows to 10 MB, then moves to oms.jsonl.1 (five old files are kept).
MAX_LOG_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5
# Libraries that narrate their own work at info (alembic's setup, ib_async's every commissionReport, ...): they
# log at warning and above unless the OMS itself logs at debug.
THIRD_PARTY = (
    "alembic",
    "apscheduler",
    "asyncio",
    "httpcore",
    "httpx",
    "ib_async",
    "ib_insync",
    "sqlalchemy",
    "urllib3",
    "websockets",
    "alpaca",
)

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


def log_file_for(settings: Settings) -> Path:
    """Where the JSON log goes: `[logging] file`, else beside the data when OMS_DATA_DIR (or `data_dir`) is set,
    else the user's log directory."""
    if settings.logging.file:
        return Path(settings.logging.file).expanduser()
    if settings.data_dir:
        return settings.data_path / "log" / "oms.jsonl"
    return settings.log_file


def open_private(path: Path) -> None:
    """Create `path` (and its folder) readable by the user only, if it does not exist yet."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(handle)


def configure(level: str = "info", log_file: Path | None = None, console: bool = True) -> None:
    """Send events to a rotating JSON-lines file and, when asked, to stderr in a readable form."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"[logging] level: unknown level {level!r} (debug, info, warning, error)")
    handlers: list[logging.Handler] = []
    if log_file is not None:
        open_private(log_file)
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        file_handler.setFormatter(_formatter(structlog.processors.JSONRenderer(default=str), tracebacks=True))
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
    root.setLevel(numeric)
    # APScheduler logs two lines per job run at info, alembic ~350 setup lines per run, ib_async a line per
    # commission report: at info they drown the OMS's own events.
    for name in THIRD_PARTY:
        logging.getLogger(name).setLevel(numeric if numeric <= logging.DEBUG else max(logging.WARNING, numeric))
    structlog.configure(
        # filter_by_level first: an event below the level costs one check, not a rendered dict.
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


# Frames without their local variables: a local may hold a key or a secret, and secrets never reach the log.
_DICT_TRACEBACKS = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False, use_rich=False)
)


def _formatter(renderer: Any, *, tracebacks: bool = False) -> logging.Formatter:
    # In the JSON file a traceback becomes structured data inside the line (`exception`: frames, type, value),
    # so one event stays one line.
    extra = [_DICT_TRACEBACKS] if tracebacks else []
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *extra, renderer],
        foreign_pre_chain=_SHARED,
    )


def log_exception(event: str, exc: BaseException, **fields: Any) -> None:
    """Record `exc` with its traceback in the log file only: the terminal gets one line from the CLI instead."""
    files = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    if not files:
        return
    record = logging.LogRecord("oms.cli", logging.ERROR, __file__, 0, event, None, (type(exc), exc, exc.__traceback__))
    record.__dict__.update(fields)
    for handler in files:
        # A log that cannot be written must not hide the user's error line.
        with contextlib.suppress(Exception):
            handler.handle(record)


def get_logger(name: str = "oms") -> Any:
    return structlog.get_logger(name)
