"""The CLI's error boundary maps each kind of failure to one line and the README's exit code."""

from __future__ import annotations

import errno

import pytest
from sqlalchemy.exc import OperationalError

from oms.cli.errors import describe
from oms.planning.errors import IntakeError
from oms.ports import BrokerUnavailable
from oms.store.database import DatabaseUrlError


@pytest.mark.parametrize(
    ("exc", "code", "expected"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/data/oms.db"), 2, "/data/oms.db: permission denied"),
        (OSError(errno.EROFS, "Read-only file system", "/data"), 2, "/data: permission denied"),
        (OSError(errno.ENOSPC, "No space left on device", "/data/x"), 1, "/data/x: cannot write (disk full"),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/log"), 2, "/log: Is a directory"),
        (BrokerUnavailable("IB gateway at 127.0.0.1:4002 not reachable"), 6, "broker: could not be asked: IB gateway"),
        (DatabaseUrlError("database URL 'x' is not a URL"), 2, "--db: database URL 'x' is not a URL"),
        (IntakeError(["a.csv:2: shares: required", "a.csv:3: symbol: required"]), 2, "a.csv:2: shares: required"),
        (RecursionError("maximum recursion depth exceeded"), 2, "too deeply nested"),
        (KeyError("surprise"), 1, "internal error: KeyError"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), 2, "not UTF-8"),
    ],
)
def test_each_kind_of_failure_is_one_line_with_its_exit_code(exc: BaseException, code: int, expected: str) -> None:
    """Disks, permissions, brokers, URLs and input map to the README's codes, one line each."""
    failure = describe(exc)
    assert failure.code == code
    assert expected in failure.line
    assert "\n" not in failure.line


def test_database_failures_hide_passwords_and_say_who_must_act() -> None:
    """An unreachable server is exit 6; a password in a URL inside the driver's message is masked."""
    reason = Exception('connection to server at "db" failed: postgresql://u:hunter2@db:5432/x Connection refused')
    failure = describe(OperationalError("SELECT 1", {}, reason))
    assert failure.code == 6
    assert "hunter2" not in failure.line
    assert "cannot reach the database server" in failure.line
    missing = describe(OperationalError("", {}, Exception('FATAL:  database "nope" does not exist')))
    assert (missing.code, missing.line) == (2, '--db: database "nope" does not exist')
    full = describe(OperationalError("", {}, Exception("database or disk is full")))
    assert full.code == 1
