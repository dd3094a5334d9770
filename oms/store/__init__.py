"""The ledger: SQLModel tables, Alembic migrations and a unit of work over SQLite or PostgreSQL."""

from oms.store.ledger import ConcurrencyConflict, DuplicateRecord, Ledger, UnitOfWork

__all__ = ["ConcurrencyConflict", "DuplicateRecord", "Ledger", "UnitOfWork"]
