"""Opening the ledger's database: SQLite (WAL, busy timeout, immediate write transactions) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

_SYNCHRONOUS = {"off", "normal", "full", "extra"}


class DatabaseUrlError(ValueError):
    """A database URL the OMS cannot use; the message says why."""


def open_engine(url: str, *, sqlite_synchronous: str = "normal", busy_timeout_ms: int = 10_000) -> Engine:
    """Create the engine for `url`, creating the directory of an SQLite file when needed."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"database URL {url!r} is not a URL (e.g. sqlite:///path/oms.db)") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, parsed.database, sqlite_synchronous, busy_timeout_ms)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here, not psycopg2
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return create_engine(url, pool_pre_ping=True, future=True)
    raise DatabaseUrlError(f"database URL {parsed.render_as_string()!r}: only sqlite and postgresql are supported")


def _sqlite_engine(url: str, database: str | None, synchronous: str, busy_timeout_ms: int) -> Engine:
    if synchronous.lower() not in _SYNCHRONOUS:
        raise DatabaseUrlError(f"database.sqlite_synchronous must be one of {sorted(_SYNCHRONOUS)}")
    if database and database != ":memory:":
        if Path(database).expanduser().is_dir():
            raise DatabaseUrlError(f"{database} is a directory, not an SQLite file (e.g. {database}/oms.db)")
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Take over transaction control from pysqlite so writers can BEGIN IMMEDIATE (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail at once with "database is locked" instead of
        # waiting; writers take the write lock up front and wait their turn under the busy timeout.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
