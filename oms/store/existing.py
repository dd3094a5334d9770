"""Whether a ledger already exists at a URL, asked without creating anything (no folder, no file, no table).

Reading commands (status, report, reconcile, tickets) use it: a mistyped `--db` must say that no ledger is there,
not leave an empty one behind and report "no batches".
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from oms.store.database import DatabaseUrlError, open_engine


class NoLedger(LookupError):
    """No ledger exists where the URL points; the message names the place."""


def require_existing(url: str) -> None:
    """Raise NoLedger when `url` holds no ledger yet; create nothing while finding out."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"database URL {url!r} is not a URL (e.g. sqlite:///path/oms.db)") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            return
        path = Path(database).expanduser()
        if not path.is_file():
            raise NoLedger(f"no ledger exists at {path} (check --db or OMS_DATA_DIR; `oms run` creates one)")
        return
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            has_ledger = inspect(connection).has_table("alembic_version")
    finally:
        engine.dispose()
    if not has_ledger:
        shown = parsed.render_as_string(hide_password=True)
        raise NoLedger(f"no ledger exists in {shown} (check --db; `oms run` creates one)")
