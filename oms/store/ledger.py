"""The ledger: a database holding batches, orders, their event log and fills, changed through units of work.

A unit of work is one transaction. `orders.save(order)` writes the order's new state together with the events and
fills it produced since it was read, or the whole unit writes nothing. Every order row carries a version: a save
that finds another version (another process advanced the order first) raises `ConcurrencyConflict`, and the caller
reloads the order and tries again from fresh state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, Select, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from oms.domain import Order, OrderStatus
from oms.domain.events import EventKind
from oms.domain.values import utcnow
from oms.store import mapping
from oms.store.batches import BatchRepository
from oms.store.controls import AuditRepository, ControlRepository
from oms.store.database import open_engine
from oms.store.errors import ConcurrencyConflict, DuplicateRecord
from oms.store.leases import LeaseRepository
from oms.store.migrate import upgrade
from oms.store.tables import FillRow, OrderEventRow, OrderRow

ORDERS = OrderRow.__table__  # type: ignore[attr-defined]
EVENTS = OrderEventRow.__table__  # type: ignore[attr-defined]
FILLS = FillRow.__table__  # type: ignore[attr-defined]
_CHUNK = 500

# Statements built once: the per-call work is then binding parameters, not rebuilding SQL (a large share of the
# cost of a small transaction).
_ORDER_COLUMNS = [c.name for c in ORDERS.columns if c.name not in ("id", "created_at", "version")]
_UPDATE_ORDER = (
    update(ORDERS)
    .where(and_(ORDERS.c.id == bindparam("_id"), ORDERS.c.version == bindparam("_version")))
    .values({name: bindparam(name) for name in _ORDER_COLUMNS} | {"version": bindparam("_new_version")})
)
_INSERT_ORDER = insert(ORDERS)
_INSERT_EVENT = insert(EVENTS)
_INSERT_FILL = insert(FILLS)
OPEN_STATUSES = tuple(s.value for s in OrderStatus if s.is_open)


_log = structlog.get_logger("oms.orders")
_DETAILS = {"reason": "reason", "exec_id": "exec_id", "broker_order_id": "broker_order_id", "price": "fill_price"}


def log_transitions(order: Order, start: int) -> None:
    """Log `order.<status>` for every status an order entered in events[start:], once they are committed."""
    for event in order.events[start:]:
        if event.from_status is event.to_status:
            continue
        fields = {name: event.details[key] for key, name in _DETAILS.items() if event.details.get(key)}
        if event.kind is EventKind.FILLED:
            fields["fill_quantity"] = event.details.get("quantity")
        emit = _log.warning if event.to_status is OrderStatus.REJECTED else _log.info
        emit(
            f"order.{event.to_status.value}",
            batch_id=order.batch_id,
            order_id=order.id,
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side.value,
            quantity=str(order.quantity),
            from_status=event.from_status.value if event.from_status else None,
            to_status=event.to_status.value,
            **fields,
        )


class Ledger:
    """The store's entry point: owns the engine, hands out units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(
        cls, url: str, *, sqlite_synchronous: str = "normal", busy_timeout_ms: int = 10_000, migrate: bool = True
    ) -> Ledger:
        engine = open_engine(url, sqlite_synchronous=sqlite_synchronous, busy_timeout_ms=busy_timeout_ms)
        if migrate:
            upgrade(engine)
        structlog.get_logger("oms.store").info("ledger.opened", backend=engine.dialect.name)
        return cls(engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only)

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """A read-only unit of work (no write lock on SQLite)."""
        with self.unit_of_work(read_only=True) as uow:
            yield uow

    def merge_batch_details(self, batch_id: str, details: dict[str, str], *, attempts: int = 5) -> None:
        """Add `details` to a batch's details and commit, reading it afresh after a conflicting writer."""
        for _ in range(attempts):
            with self.unit_of_work() as uow:
                batch = uow.batches.get(batch_id)
                if batch is None:
                    return
                batch.details = {**batch.details, **details}
                try:
                    uow.batches.save(batch)
                    uow.commit()
                except ConcurrencyConflict:
                    continue
                return

    def close(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """One transaction over the ledger. Use as a context manager; nothing is written unless `commit()` is called."""

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: Connection | None = None
        # (object, version, stored event count) as they were before this unit changed them, for a rollback.
        self._undo: list[tuple[Any, int, int]] = []
        self._transitions: list[tuple[Order, int]] = []  # (order, first new event) to log once committed
        self.orders = OrderRepository(self)
        self.batches = BatchRepository(self)
        self.controls = ControlRepository(self)
        self.audit = AuditRepository(self)
        self.leases = LeaseRepository(self)

    def __enter__(self) -> UnitOfWork:
        connection = self._engine.connect()
        if self._read_only:
            connection = connection.execution_options(sqlite_begin="DEFERRED")
        # The transaction begins with the first statement (SQLAlchemy's autobegin), and again after a commit.
        self._connection = connection
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection = self._connection
        self._connection = None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()
            self._restore()

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("a unit of work is used inside its `with` block only")
        return self._connection

    def commit(self) -> None:
        self.connection.commit()
        self._undo.clear()
        for order, start in self._transitions:
            log_transitions(order, start)
        self._transitions.clear()

    def rollback(self) -> None:
        self.connection.rollback()
        self._restore()

    def _written(self, obj: Any, version: int, stored_events: int | None = None) -> None:
        """Note that `obj` now stands at `version` in this transaction (undone if it rolls back)."""
        self._undo.append((obj, obj.version, getattr(obj, "stored_event_count", 0)))
        obj.version = version
        if stored_events is not None:
            obj.stored_event_count = stored_events

    def _wrote_events(self, order: Order, start: int) -> None:
        self._transitions.append((order, start))

    def _restore(self) -> None:
        self._transitions.clear()
        for obj, version, stored in reversed(self._undo):
            obj.version = version
            if hasattr(obj, "stored_event_count"):
                obj.stored_event_count = stored
        self._undo.clear()


class OrderRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add(self, order: Order) -> None:
        """Insert a new order with its history so far."""
        values = {**mapping.order_values(order), "id": order.id, "created_at": order.created_at}
        try:
            self._uow.connection.execute(_INSERT_ORDER, {**values, "updated_at": utcnow(), "version": 1})
        except IntegrityError as exc:
            raise DuplicateRecord(f"order {order.id} (client order id {order.client_order_id}) exists") from exc
        self._write_history(order)
        self._uow._written(order, 1, len(order.events))

    def add_many(self, orders: Sequence[Order]) -> None:
        """Insert many new orders in one round trip per table."""
        if not orders:
            return
        now = utcnow()
        rows = [
            {**mapping.order_values(o), "id": o.id, "created_at": o.created_at, "updated_at": now, "version": 1}
            for o in orders
        ]
        try:
            self._uow.connection.execute(_INSERT_ORDER, rows)
        except IntegrityError as exc:
            raise DuplicateRecord("one of the orders exists already") from exc
        events = [mapping.event_values(e) for o in orders for e in o.events]
        for order in orders:
            self._uow._wrote_events(order, 0)
        if events:
            self._uow.connection.execute(_INSERT_EVENT, events)
        fills = [mapping.fill_values(o, f) for o in orders for f in o.fills]
        if fills:
            self._uow.connection.execute(_INSERT_FILL, fills)
        for order in orders:
            self._uow._written(order, 1, len(order.events))

    def save(self, order: Order) -> None:
        """Write the order's new state and new events and fills, if nobody else changed it since it was read."""
        if order.stored_event_count == len(order.events):
            return
        params = {
            **mapping.order_values(order),
            "updated_at": utcnow(),
            "_id": order.id,
            "_version": order.version,
            "_new_version": order.version + 1,
        }
        result = self._uow.connection.execute(_UPDATE_ORDER, params)
        if result.rowcount != 1:
            raise ConcurrencyConflict(
                f"order {order.id} was changed by another process since it was read (version {order.version}); "
                "reload it and retry"
            )
        self._write_history(order, start=order.stored_event_count)
        self._uow._written(order, order.version + 1, len(order.events))

    def _write_history(self, order: Order, start: int = 0) -> None:
        new_events = order.events[start:]
        if not new_events:
            return
        self._uow._wrote_events(order, start)
        events = [mapping.event_values(e) for e in new_events]
        self._uow.connection.execute(_INSERT_EVENT, events[0] if len(events) == 1 else events)
        fill_ids = {e.details.get("exec_id") for e in new_events if e.kind is EventKind.FILLED}
        new_fills = [mapping.fill_values(order, f) for f in order.fills if f.exec_id in fill_ids]
        if new_fills:
            try:
                self._uow.connection.execute(_INSERT_FILL, new_fills[0] if len(new_fills) == 1 else new_fills)
            except IntegrityError as exc:
                raise ConcurrencyConflict(f"order {order.id}: a fill was booked by another process") from exc

    # ---------------------------------------------------------------- reading
    def get(self, order_id: str) -> Order | None:
        found = self._load(select(ORDERS).where(ORDERS.c.id == order_id))
        return found[0] if found else None

    def by_client_order_id(self, client_order_id: str) -> Order | None:
        found = self._load(select(ORDERS).where(ORDERS.c.client_order_id == client_order_id))
        return found[0] if found else None

    def for_batch(
        self, batch_id: str, *, open_only: bool = False, statuses: Iterable[OrderStatus] | None = None
    ) -> list[Order]:
        query = select(ORDERS).where(ORDERS.c.batch_id == batch_id)
        if statuses is not None:
            query = query.where(ORDERS.c.status.in_([s.value for s in statuses]))
        elif open_only:
            query = query.where(ORDERS.c.status.in_(OPEN_STATUSES))
        return self._load(query.order_by(ORDERS.c.wave, ORDERS.c.priority, ORDERS.c.created_at, ORDERS.c.id))

    def count_open(self, batch_id: str, *, statuses: Iterable[OrderStatus] | None = None) -> int:
        """How many orders of the batch are not terminal, or in `statuses` (one query, nothing loaded)."""
        wanted = tuple(s.value for s in statuses) if statuses is not None else OPEN_STATUSES
        query = (
            select(func.count())
            .select_from(ORDERS)
            .where(and_(ORDERS.c.batch_id == batch_id, ORDERS.c.status.in_(wanted)))
        )
        return int(self._uow.connection.execute(query).scalar_one())

    def children_of(self, parent_ids: Sequence[str]) -> dict[str, list[Order]]:
        """The child orders of each parent (TWAP, VWAP, IS), in creation order."""
        found: dict[str, list[Order]] = {parent: [] for parent in parent_ids}
        for start in range(0, len(parent_ids), _CHUNK):
            chunk = list(parent_ids[start : start + _CHUNK])
            query = select(ORDERS).where(ORDERS.c.parent_id.in_(chunk)).order_by(ORDERS.c.created_at, ORDERS.c.id)
            for child in self._load(query):
                found[child.parent_id or ""].append(child)
        return found

    def open_orders(
        self,
        *,
        broker: str | None = None,
        statuses: Iterable[OrderStatus] | None = None,
        unbatched: bool = False,
        unacknowledged: bool = False,
        algos: Iterable[str] | None = None,
    ) -> list[Order]:
        """Open orders (or those in `statuses`), narrowed in SQL so a cycle loads only the orders it needs.

        `unbatched`: orders outside any batch; `unacknowledged`: no broker order id yet; `algos`: top-level orders
        with one of these algorithms (the candidates to be parents).
        """
        wanted = tuple(s.value for s in statuses) if statuses else OPEN_STATUSES
        query = select(ORDERS).where(ORDERS.c.status.in_(wanted))
        if broker is not None:
            query = query.where(ORDERS.c.broker == broker)
        if unbatched:
            query = query.where(ORDERS.c.batch_id.is_(None))
        if unacknowledged:
            query = query.where(ORDERS.c.broker_order_id.is_(None))
        if algos is not None:
            query = query.where(and_(ORDERS.c.algo.in_(list(algos)), ORDERS.c.parent_id.is_(None)))
        return self._load(query.order_by(ORDERS.c.created_at, ORDERS.c.id))

    def fills_since(self, since: datetime, *, broker: str | None = None) -> list[Any]:
        query = select(FILLS).where(and_(FILLS.c.at >= since, FILLS.c.allocation.is_(False)))
        if broker is not None:
            query = query.where(FILLS.c.broker == broker)
        return list(self._uow.connection.execute(query.order_by(FILLS.c.at, FILLS.c.id)))

    def submitted_since(self, since: datetime) -> list[Any]:
        """Orders sent to a broker since `since`: (order id, quantity, limit price, decision price, at)."""
        query = (
            select(ORDERS.c.id, ORDERS.c.quantity, ORDERS.c.limit_price, ORDERS.c.decision_price, EVENTS.c.at)
            .join(EVENTS, EVENTS.c.order_id == ORDERS.c.id)
            .where(and_(EVENTS.c.kind == EventKind.SUBMITTED.value, EVENTS.c.at >= since))
        )
        return list(self._uow.connection.execute(query))

    def known_exec_ids(self, broker: str, exec_ids: Iterable[str]) -> set[str]:
        wanted = list(set(exec_ids))
        known: set[str] = set()
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            query = select(FILLS.c.exec_id).where(
                and_(FILLS.c.broker == broker, FILLS.c.exec_id.in_(chunk), FILLS.c.allocation.is_(False))
            )
            known.update(self._uow.connection.execute(query).scalars())
        return known

    def _load(self, query: Select[Any]) -> list[Order]:
        connection = self._uow.connection
        rows = list(connection.execute(query))
        if not rows:
            return []
        ids = [row.id for row in rows]
        events: dict[str, list[Any]] = {i: [] for i in ids}
        fills: dict[str, list[Any]] = {i: [] for i in ids}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for event in connection.execute(
                select(EVENTS).where(EVENTS.c.order_id.in_(chunk)).order_by(EVENTS.c.order_id, EVENTS.c.sequence)
            ):
                events[event.order_id].append(event)
            for fill in connection.execute(
                select(FILLS).where(FILLS.c.order_id.in_(chunk)).order_by(FILLS.c.order_id, FILLS.c.id)
            ):
                fills[fill.order_id].append(fill)
        return [mapping.order_from_rows(row, events[row.id], fills[row.id]) for row in rows]
