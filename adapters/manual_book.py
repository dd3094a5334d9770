"""The manual adapter's book: the tickets handed to a person and the fills they typed back, in a small SQLite file.

The book is the "venue" of manual execution: an order is working from the moment its ticket is printed until the
person reports it filled, cancelled or rejected. A fill is keyed by its execution id (given, or derived from what was
typed), so typing the same fill twice books it once; a fill that would exceed the order is refused.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from oms.domain.enums import Side
from oms.domain.market import Position
from oms.ports import BrokerRejected, FillReport, OrderNotFound, OrderReport, OrderRequest, ReportStatus

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS tickets (
        client_order_id TEXT PRIMARY KEY, broker_order_id TEXT NOT NULL UNIQUE, symbol TEXT NOT NULL,
        side TEXT NOT NULL, quantity TEXT NOT NULL, order_type TEXT NOT NULL, time_in_force TEXT NOT NULL,
        limit_price TEXT, stop_price TEXT, status TEXT NOT NULL, filled_quantity TEXT NOT NULL DEFAULT '0',
        filled_notional TEXT NOT NULL DEFAULT '0', reason TEXT, updated_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS tickets_updated ON tickets (updated_at)",
    """CREATE TABLE IF NOT EXISTS fills (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, exec_id TEXT NOT NULL UNIQUE, client_order_id TEXT NOT NULL,
        quantity TEXT NOT NULL, price TEXT NOT NULL, at TEXT NOT NULL, commission TEXT NOT NULL DEFAULT '0')""",
    "CREATE INDEX IF NOT EXISTS fills_at ON fills (at)",
)
_OPEN = ("working", "partially_filled")
_AVERAGE_PLACES = Decimal("0.000001")


class ManualEntryError(ValueError):
    """A fill, cancel or reject a person typed that the book refuses; `code` is stable, the message says why."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class ManualFill:
    """One execution as a person (or their broker's export) reports it."""

    client_order_id: str
    quantity: Decimal
    price: Decimal
    at: datetime
    exec_id: str | None = None
    commission: Decimal = Decimal(0)


def derived_exec_id(fill: ManualFill) -> str:
    """Derive an execution id from what was typed, so the same fill typed twice has the same id."""
    typed = "|".join(
        (fill.client_order_id, _plain(fill.quantity), _plain(fill.price), fill.at.astimezone(UTC).isoformat())
    )
    return "manual-" + hashlib.sha256(typed.encode()).hexdigest()[:20]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _now() -> datetime:
    return datetime.now(UTC)


class ManualBook:
    """The book itself (synchronous); `ManualTicketBroker` puts the async broker port on it."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 10_000, now: Callable[[], datetime] = _now) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._now = now
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        with self._transaction() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            columns = {row["name"] for row in conn.execute("PRAGMA table_info(fills)")}
            if "commission" not in columns:  # a book written before manual fills carried a commission
                conn.execute("ALTER TABLE fills ADD COLUMN commission TEXT NOT NULL DEFAULT '0'")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def add_ticket(self, request: OrderRequest) -> OrderReport:
        """Keep a new ticket as working; a client order id seen before is refused."""
        if request.quantity <= 0:
            raise BrokerRejected(f"quantity must be positive, got {request.quantity}", code="INVALID_QUANTITY")
        with self._transaction() as conn:
            if self._row(conn, request.client_order_id) is not None:
                raise BrokerRejected("client_order_id must be unique", code="DUPLICATE_CLIENT_ORDER_ID")
            conn.execute(
                "INSERT INTO tickets (client_order_id, broker_order_id, symbol, side, quantity, order_type,"
                " time_in_force, limit_price, stop_price, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.client_order_id,
                    f"manual-{request.client_order_id}",
                    request.symbol,
                    request.side.value,
                    str(request.quantity),
                    request.order_type.value,
                    request.time_in_force.value,
                    _text(request.limit_price),
                    _text(request.stop_price),
                    ReportStatus.WORKING.value,
                    self._stamp(),
                ),
            )
            return _report(self._existing(conn, request.client_order_id))

    def record_fills(self, fills: Iterable[ManualFill]) -> list[bool]:
        """Book fills all or nothing; return, per fill, whether it was new (False: already booked)."""
        with self._transaction() as conn:
            return [self._book(conn, fill) for fill in fills]

    def cancel(self, client_order_id: str) -> None:
        """Mark what is left cancelled (the person cancelled it at their broker); too late once it ended."""
        with self._transaction() as conn:
            row = self._existing(conn, client_order_id)
            if row["status"] not in _OPEN:
                raise BrokerRejected(f"too late: {row['status']}", code="CANCEL_TOO_LATE")
            self._set_status(conn, client_order_id, ReportStatus.CANCELLED, "cancelled by the person at the desk")

    def reject(self, client_order_id: str, reason: str) -> None:
        """Record that the person's broker refused the ticket; only an order with no fill can be rejected."""
        with self._transaction() as conn:
            row = self._existing(conn, client_order_id)
            if row["status"] != ReportStatus.WORKING.value or Decimal(row["filled_quantity"]):
                raise ManualEntryError(
                    f"{client_order_id}: cannot reject an order that is {row['status']}", code="NOT_REJECTABLE"
                )
            self._set_status(conn, client_order_id, ReportStatus.REJECTED, reason)

    def order_reports(self, *, open_only: bool, since: datetime | None) -> list[OrderReport]:
        sql, params = "SELECT * FROM tickets WHERE 1 = 1", []
        if open_only:
            sql += " AND status IN ('working', 'partially_filled')"
        if since is not None:
            sql, params = sql + " AND updated_at >= ?", [_iso(since)]
        with self._lock:
            return [_report(row) for row in self._conn.execute(sql + " ORDER BY rowid", params)]

    def fill_reports(self, *, since: datetime | None) -> list[FillReport]:
        sql = (
            "SELECT f.*, t.broker_order_id, t.symbol, t.side FROM fills f"
            " JOIN tickets t ON t.client_order_id = f.client_order_id"
        )
        params = []
        if since is not None:
            sql, params = sql + " WHERE f.at >= ?", [_iso(since)]
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY f.seq", params).fetchall()
        return [
            FillReport(
                exec_id=row["exec_id"],
                client_order_id=row["client_order_id"],
                broker_order_id=row["broker_order_id"],
                symbol=row["symbol"],
                side=Side(row["side"]),
                quantity=Decimal(row["quantity"]),
                price=Decimal(row["price"]),
                at=datetime.fromisoformat(row["at"]),
                commission=Decimal(row["commission"]),
            )
            for row in rows
        ]

    def find(self, client_order_id: str) -> OrderReport:
        with self._lock:
            return _report(self._existing(self._conn, client_order_id))

    def traded_positions(self) -> list[Position]:
        """Return the net quantity and average cost per symbol traded through this book (not the whole account)."""
        net: dict[str, tuple[Decimal, Decimal]] = {}
        sql = "SELECT t.symbol, t.side, f.quantity, f.price FROM fills f JOIN tickets t USING (client_order_id)"
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY f.seq").fetchall()
        for row in rows:
            quantity, cost = net.get(row["symbol"], (Decimal(0), Decimal(0)))
            traded = Decimal(row["quantity"])
            if Side(row["side"]) is Side.BUY:
                quantity, cost = quantity + traded, cost + traded * Decimal(row["price"])
            else:  # a sale takes out its share of the cost, leaving the average cost of what remains unchanged
                cost -= cost * traded / quantity if quantity > 0 else Decimal(0)
                quantity -= traded
            net[row["symbol"]] = (quantity, cost)
        return [
            Position(symbol, quantity, (cost / quantity).quantize(_AVERAGE_PLACES))
            for symbol, (quantity, cost) in sorted(net.items())
            if quantity
        ]

    def _book(self, conn: sqlite3.Connection, fill: ManualFill) -> bool:
        where = fill.client_order_id
        if fill.quantity <= 0:
            raise ManualEntryError(f"{where}: quantity must be positive, got {fill.quantity}", code="INVALID_QUANTITY")
        if fill.price <= 0:
            raise ManualEntryError(f"{where}: price must be positive, got {fill.price}", code="INVALID_PRICE")
        if fill.at.tzinfo is None:
            raise ManualEntryError(f"{where}: fill time {fill.at} has no time zone", code="NAIVE_TIME")
        exec_id = fill.exec_id or derived_exec_id(fill)
        seen = conn.execute("SELECT * FROM fills WHERE exec_id = ?", (exec_id,)).fetchone()
        if seen is not None:
            if (seen["client_order_id"], Decimal(seen["quantity"]), Decimal(seen["price"])) != (
                fill.client_order_id,
                fill.quantity,
                fill.price,
            ):
                raise ManualEntryError(
                    f"{where}: execution id {exec_id} is already booked with other details", code="EXEC_ID_CONFLICT"
                )
            return False
        row = conn.execute("SELECT * FROM tickets WHERE client_order_id = ?", (fill.client_order_id,)).fetchone()
        if row is None:
            raise ManualEntryError(f"{where}: no such order in the manual book", code="UNKNOWN_ORDER")
        if row["status"] == ReportStatus.REJECTED.value:
            raise ManualEntryError(f"{where}: the order was rejected; a fill cannot be booked", code="ORDER_REJECTED")
        quantity, filled = Decimal(row["quantity"]), Decimal(row["filled_quantity"])
        if filled + fill.quantity > quantity:
            raise ManualEntryError(
                f"{where}: a fill of {fill.quantity} would overfill the order ({filled} of {quantity} already filled,"
                f" {quantity - filled} left); check the quantity",
                code="OVERFILL",
            )
        conn.execute(
            "INSERT INTO fills (exec_id, client_order_id, quantity, price, at, commission) VALUES (?, ?, ?, ?, ?, ?)",
            (exec_id, fill.client_order_id, str(fill.quantity), str(fill.price), _iso(fill.at), str(fill.commission)),
        )
        filled += fill.quantity
        status = row["status"]  # a late fill on a cancelled ticket is booked and leaves it cancelled until complete
        if filled == quantity:
            status = ReportStatus.FILLED.value
        elif status in _OPEN:
            status = ReportStatus.PARTIALLY_FILLED.value
        conn.execute(
            "UPDATE tickets SET filled_quantity = ?, filled_notional = ?, status = ?, updated_at = ?"
            " WHERE client_order_id = ?",
            (
                str(filled),
                str(Decimal(row["filled_notional"]) + fill.quantity * fill.price),
                status,
                self._stamp(),
                fill.client_order_id,
            ),
        )
        return True

    def _set_status(self, conn: sqlite3.Connection, client_order_id: str, status: ReportStatus, reason: str) -> None:
        conn.execute(
            "UPDATE tickets SET status = ?, reason = ?, updated_at = ? WHERE client_order_id = ?",
            (status.value, reason, self._stamp(), client_order_id),
        )

    def _stamp(self) -> str:
        return _iso(self._now())

    @staticmethod
    def _row(conn: sqlite3.Connection, client_order_id: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM tickets WHERE client_order_id = ?", (client_order_id,)).fetchone()

    def _existing(self, conn: sqlite3.Connection, client_order_id: str) -> sqlite3.Row:
        row = self._row(conn, client_order_id)
        if row is None:
            raise OrderNotFound(f"no order with client order id {client_order_id} in the manual book")
        return row

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


def _report(row: sqlite3.Row) -> OrderReport:
    filled = Decimal(row["filled_quantity"])
    return OrderReport(
        client_order_id=row["client_order_id"],
        broker_order_id=row["broker_order_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        quantity=Decimal(row["quantity"]),
        status=ReportStatus(row["status"]),
        filled_quantity=filled,
        average_fill_price=(Decimal(row["filled_notional"]) / filled).quantize(_AVERAGE_PLACES) if filled else None,
        reason=row["reason"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
        raw_status=row["status"],
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(moment: datetime) -> str:
    """Store times as fixed-width UTC ISO text so they compare correctly as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
