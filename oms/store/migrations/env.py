"""Alembic environment: uses the engine handed over by oms.store.migrate, or the OMS settings' database URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from oms.store.tables import metadata

config = context.config


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from oms.config import load_settings
    from oms.store.database import open_engine

    settings = load_settings()
    url = config.get_main_option("sqlalchemy.url") or settings.database_url
    return open_engine(url)


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.in_transaction():
            connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `alembic upgrade head` against a database")
run_migrations_online()
