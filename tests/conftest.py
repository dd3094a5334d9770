"""Shared fixtures: ledgers on every backend this machine offers.

PostgreSQL tests read the server's URL from OMS_TEST_POSTGRES_URL and skip without it. Where
OMS_REQUIRE_POSTGRES=1 (CI sets it), a missing or unreachable server fails them instead: CI must not go green on
tests that never ran.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from oms.store import Ledger

POSTGRES_URL = os.environ.get("OMS_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("OMS_REQUIRE_POSTGRES") == "1"


def postgres_or_skip() -> str:
    """Return the test server's URL, or skip (fail where CI requires PostgreSQL)."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("OMS_REQUIRE_POSTGRES=1 but OMS_TEST_POSTGRES_URL is not set")
        pytest.skip("OMS_TEST_POSTGRES_URL is not set")
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards (tests run in parallel)."""
    base = postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL at {base} is unusable: {exc}")
        pytest.skip(f"PostgreSQL at {base} is unusable: {exc}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """The URL of an empty ledger database on each backend."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_schema_url"))
    return f"sqlite:///{tmp_path}/ledger.db"


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    """A migrated ledger on each backend."""
    opened = Ledger.open(ledger_url)
    try:
        yield opened
    finally:
        opened.close()
