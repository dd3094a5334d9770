"""The one error boundary of the `oms` command: any exception becomes one line and the README's exit code.

Parse sites raise precise errors (`FILE:LINE: field: reason`); this maps the rest by kind: a database or a disk
that cannot be used, a broker that cannot be reached, a file the OMS may not write. The full traceback goes to
the log file only, never to the terminal.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass

from oms.config import ConfigError
from oms.planning.errors import IntakeError
from oms.ports import BrokerError, BrokerUnavailable
from oms.store.database import DatabaseUrlError
from oms.store.existing import NoLedger

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 6

_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


@dataclass(frozen=True)
class Failure:
    """What the user reads (one line) and the exit code."""

    line: str
    code: int


def describe(exc: BaseException) -> Failure:
    """Map an exception that reached the top of a command to one line and an exit code."""
    if isinstance(exc, IntakeError | ConfigError):
        return Failure(_one_line(str(exc)), EXIT_USAGE)
    if isinstance(exc, DatabaseUrlError | NoLedger):
        return Failure(f"--db: {_one_line(str(exc))}", EXIT_USAGE)
    if isinstance(exc, BrokerUnavailable):
        return Failure(f"broker: could not be asked: {_one_line(str(exc))}; nothing was concluded", EXIT_UNAVAILABLE)
    if isinstance(exc, BrokerError):
        return Failure(f"broker: {_one_line(str(exc))}", EXIT_FAILURE)
    database = _database_failure(exc)
    if database is not None:
        return database
    if isinstance(exc, OSError):
        return _os_failure(exc)
    if isinstance(exc, UnicodeDecodeError):
        return Failure(f"a file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8", EXIT_USAGE)
    if isinstance(exc, RecursionError | MemoryError):
        return Failure(f"input too large or too deeply nested to process ({type(exc).__name__})", EXIT_USAGE)
    return Failure(
        f"internal error: {type(exc).__name__}: {_one_line(str(exc))} (the log file holds the details)", EXIT_FAILURE
    )


def _database_failure(exc: BaseException) -> Failure | None:
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    reason = _one_line(str(exc.orig) if exc.orig is not None else str(exc))
    lowered = reason.lower()
    if "disk is full" in lowered or "no space" in lowered or "disk i/o error" in lowered:
        return Failure(
            "database: cannot write the ledger (disk full, file size limit or a failing disk); stopped", EXIT_FAILURE
        )
    if "does not exist" in lowered or "password authentication failed" in lowered:
        return Failure(f"--db: {_after_fatal(reason)}", EXIT_USAGE)
    if "unable to open database file" in lowered:
        return Failure(
            "--db: cannot open the SQLite file (is the path a directory, or a folder you may not write?)", EXIT_USAGE
        )
    if "readonly database" in lowered or "read-only" in lowered:
        return Failure("--db: the ledger file is read-only for this user", EXIT_USAGE)
    if "connection" in lowered or "timeout" in lowered or "could not" in lowered:
        return Failure(f"database: cannot reach the database server: {_after_fatal(reason)}", EXIT_UNAVAILABLE)
    return Failure(f"database: {reason}", EXIT_FAILURE)


def _os_failure(exc: OSError) -> Failure:
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return Failure(f"{where}cannot write (disk full or file size limit); stopped", EXIT_FAILURE)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return Failure(f"{where}permission denied (a read-only folder or file)", EXIT_USAGE)
    if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.ENOENT):
        return Failure(f"{where}{exc.strerror or 'not usable'}", EXIT_USAGE)
    if isinstance(exc, ConnectionError | TimeoutError):
        return Failure(f"could not connect: {where}{exc.strerror or exc}", EXIT_UNAVAILABLE)
    return Failure(f"{where}{exc.strerror or exc}", EXIT_FAILURE)


def _after_fatal(reason: str) -> str:
    # psycopg says `connection failed: connection to server at "h", port 5432 failed: FATAL:  database "x" ...`
    _, _, tail = reason.partition("FATAL:")
    return " ".join((tail or reason).split())


def _one_line(text: str) -> str:
    return _PASSWORD_IN_URL.sub(r"\1***@", " ".join(text.split()))
