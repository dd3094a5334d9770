"""Every failure of a database, a disk or a broker reaches the user as one line with the README's exit code."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from oms.store import Ledger
from tests.conftest import POSTGRES_URL
from tests.e2e.oms_cli import EXAMPLE, Oms


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command; no traceback anywhere."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def empty_ledger(oms: Oms) -> None:
    """Create the ledger a reading command needs, as `oms run` would."""
    oms.data.mkdir(parents=True, exist_ok=True)
    Ledger.open(f"sqlite:///{oms.data / 'oms.db'}").close()


@pytest.fixture
def oms(tmp_path: Path) -> Oms:
    return Oms(tmp_path)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://user:hunter2@db/x", "--db: database URL 'mysql://user:***@db/x': only sqlite and postgresql"),
        ("not a url", "--db: database URL 'not a url' is not a URL"),
    ],
)
def test_an_unusable_database_url_is_one_line_exit_2(oms: Oms, url: str, expected: str) -> None:
    """`--db mysql://…` and `--db 'not a url'` name the option; a password is never echoed."""
    result = oms("run", EXAMPLE, "--db", url)
    assert result.returncode == 2
    line = one_line(result)
    assert expected in line
    assert "hunter2" not in result.stderr


def test_a_directory_given_as_the_sqlite_file_is_one_line_exit_2(oms: Oms, tmp_path: Path) -> None:
    """An SQLite path that is a directory is named as such."""
    folder = tmp_path / "folder"
    folder.mkdir()
    result = oms("run", EXAMPLE, "--db", f"sqlite:///{folder}")
    assert result.returncode == 2
    assert f"{folder}" in one_line(result)


def test_an_unreachable_postgresql_is_one_line_exit_6(oms: Oms) -> None:
    """Nobody listening at the server's address: the database could not be asked, exit 6, password hidden."""
    result = oms("status", "--db", f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{closed_port()}/oms")
    assert result.returncode == 6
    line = one_line(result)
    assert "cannot reach the database server" in line
    assert "hunter2" not in result.stderr


def test_a_missing_postgresql_database_is_one_line_exit_2(oms: Oms) -> None:
    """A database that does not exist on a reachable server is named, exit 2."""
    if not POSTGRES_URL:
        pytest.skip("OMS_TEST_POSTGRES_URL is not set")
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL).set(database="no_such_database_h14").render_as_string(hide_password=False)
    result = oms("run", EXAMPLE, "--db", url)
    assert result.returncode == 2
    assert 'database "no_such_database_h14" does not exist' in one_line(result)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_data_dir_is_one_line_exit_2(oms: Oms) -> None:
    """A data folder the user cannot write is named, exit 2, nothing written."""
    oms.data.mkdir()
    oms.data.chmod(0o500)
    try:
        result = oms("run", EXAMPLE)
    finally:
        oms.data.chmod(0o700)
    assert result.returncode == 2
    assert "permission denied" in one_line(result)


def test_a_read_only_log_file_is_one_line_exit_2(oms: Oms) -> None:
    """A log file that cannot be opened for writing (here: a directory) is named, exit 2."""
    log = oms.home / "log-is-a-dir"
    log.mkdir()
    result = oms("plan", EXAMPLE, env={"OMS_LOGGING__FILE": str(log)})
    assert result.returncode == 2
    assert f"{log}" in one_line(result)


def test_a_full_disk_is_one_line_exit_1(oms: Oms) -> None:
    """A write refused for want of space (RLIMIT_FSIZE makes any growth past 64 KiB fail) is one line, exit 1."""
    import resource

    def tiny_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = subprocess.run(
        [str(Path(sys.executable).parent / "oms"), "run", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=oms.environment(),
        preexec_fn=tiny_files,  # the limit is set in the child before it writes
        timeout=90,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "disk full" in one_line(result)


def test_reconcile_with_no_ib_gateway_is_one_line_exit_6(oms: Oms) -> None:
    """`oms reconcile --broker ibkr` with nothing listening: one line, exit 6 as the README promises."""
    empty_ledger(oms)
    result = oms(
        "reconcile",
        "--broker",
        "ibkr",
        env={"OMS_IBKR__PORT": str(closed_port()), "OMS_IBKR__TIMEOUT_SECONDS": "2"},
    )
    assert result.returncode == 6
    assert "IB gateway" in one_line(result)


def test_reconcile_with_an_unreachable_alpaca_is_one_line_exit_6(oms: Oms) -> None:
    """An Alpaca nobody answers for: one line without the chained tracebacks, exit 6."""
    empty_ledger(oms)
    result = oms(
        "reconcile",
        "--broker",
        "alpaca",
        env={
            "APCA_API_KEY_ID": "PKTEST",
            "APCA_API_SECRET_KEY": "hunter2hunter2",
            "OMS_ALPACA__BASE_URL": f"http://127.0.0.1:{closed_port()}",
            "OMS_ALPACA__TIMEOUT_SECONDS": "2",
        },
    )
    assert result.returncode == 6
    assert "Alpaca" in one_line(result)
    assert "hunter2hunter2" not in result.stderr


@pytest.mark.parametrize("command", [["status"], ["report", "--since", "2026-01-01"], ["reconcile"], ["tickets"]])
def test_reading_commands_never_create_a_ledger(oms: Oms, tmp_path: Path, command: list[str]) -> None:
    """A mistyped `--db` path says no ledger exists there (exit 2) and creates no folder and no file."""
    typo = tmp_path / "typo" / "dir" / "oms.db"
    result = oms(*command, "--db", f"sqlite:///{typo}")
    assert result.returncode == 2, result.stderr
    assert f"no ledger exists at {typo}" in one_line(result)
    assert not (tmp_path / "typo").exists()
    assert not oms.data.exists() or not any(oms.data.iterdir())
