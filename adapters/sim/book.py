"""The venue's book: open orders as the matcher sees them, and the bookkeeping of one execution."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from adapters.sim import reservations
from adapters.sim.clock import SessionClock
from adapters.sim.store import OPEN_STATUSES
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.ports import FillReport, OrderReport, ReportStatus

_AVERAGE_PLACES = Decimal("0.000001")
# Enum lookups by value, cheaper than calling the enum for each of thousands of rows per poll.
_SIDES = {side.value: side for side in Side}
_TYPES = {kind.value: kind for kind in OrderType}
_TIME_IN_FORCE = {tif.value: tif for tif in TimeInForce}
_STATUSES = {status.value: status for status in ReportStatus}


@dataclass(slots=True)
class OpenOrder:
    """An open order while the venue advances; `save` writes back the fields that move."""

    seq: int
    client_order_id: str
    broker_order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType
    time_in_force: TimeInForce
    limit_price: Decimal | None
    status: str
    filled: Decimal
    notional: Decimal
    executions: int
    session: int
    ack_e: float
    updated_e: float
    reason: str | None
    reserved: Decimal = Decimal(0)  # the leaves this order counts for in `reserved` as last saved

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OpenOrder:
        return cls(
            seq=row["seq"],
            client_order_id=row["client_order_id"],
            broker_order_id=row["broker_order_id"],
            symbol=row["symbol"],
            side=_SIDES[row["side"]],
            quantity=Decimal(row["quantity"]),
            order_type=_TYPES[row["order_type"]],
            time_in_force=_TIME_IN_FORCE[row["time_in_force"]],
            limit_price=Decimal(row["limit_price"]) if row["limit_price"] is not None else None,
            status=row["status"],
            filled=Decimal(row["filled_quantity"]),
            notional=Decimal(row["filled_notional"]),
            executions=row["executions"],
            session=row["session"],
            ack_e=row["ack_e"],
            updated_e=row["updated_e"],
            reason=row["reason"],
            reserved=(
                Decimal(row["quantity"]) - Decimal(row["filled_quantity"])
                if row["status"] in OPEN_STATUSES
                else Decimal(0)
            ),
        )

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def close(self, status: ReportStatus, at: float, reason: str) -> None:
        self.status = status.value
        self.updated_e = at
        self.reason = reason

    def save(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE orders SET status = ?, filled_quantity = ?, filled_notional = ?, executions = ?, reason = ?,"
            " updated_e = ? WHERE seq = ?",
            (
                self.status,
                str(self.filled),
                str(self.notional),
                self.executions,
                self.reason,
                self.updated_e,
                self.seq,
            ),
        )
        leaves = self.remaining if self.is_open else Decimal(0)
        kind = reservations.kind_of(self.order_type)
        reservations.add(conn, self.symbol, self.side.value, kind, leaves - self.reserved, self.limit_price)
        self.reserved = leaves


def book_execution(conn: sqlite3.Connection, order: OpenOrder, quantity: Decimal, price: Decimal, at: float) -> None:
    """Fill `quantity` of `order` at `price`: the execution, the order, the position and the cash, in one go."""
    order.executions += 1
    order.filled += quantity
    order.notional += quantity * price
    order.updated_e = at
    order.status = (ReportStatus.FILLED if order.filled >= order.quantity else ReportStatus.PARTIALLY_FILLED).value
    conn.execute(
        "INSERT INTO executions (exec_id, client_order_id, broker_order_id, symbol, side, quantity, price, at_e)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            f"{order.broker_order_id}-{order.executions}",
            order.client_order_id,
            order.broker_order_id,
            order.symbol,
            order.side.value,
            str(quantity),
            str(price),
            at,
        ),
    )
    order.save(conn)
    move_position(conn, order.symbol, order.side.sign * quantity, price)
    row = conn.execute("SELECT value FROM meta WHERE key = 'cash'").fetchone()
    cash = Decimal(row["value"]) - order.side.sign * quantity * price
    conn.execute("UPDATE meta SET value = ? WHERE key = 'cash'", (str(cash),))


def move_position(conn: sqlite3.Connection, symbol: str, delta: Decimal, price: Decimal) -> None:
    """Change a holding by `delta` shares; buys add their cost, sells take out cost pro rata."""
    row = conn.execute("SELECT quantity, cost FROM positions WHERE symbol = ?", (symbol,)).fetchone()
    quantity, cost = (Decimal(row["quantity"]), Decimal(row["cost"])) if row else (Decimal(0), Decimal(0))
    if delta > 0:
        cost += delta * price
    elif quantity:
        cost -= cost * (-delta) / quantity
    quantity += delta
    if quantity == 0:
        cost = Decimal(0)
    conn.execute(
        "INSERT INTO positions (symbol, quantity, cost) VALUES (?, ?, ?)"
        " ON CONFLICT (symbol) DO UPDATE SET quantity = excluded.quantity, cost = excluded.cost",
        (symbol, str(quantity), str(cost)),
    )


def order_report(row: sqlite3.Row, clock: SessionClock) -> OrderReport:
    filled = Decimal(row["filled_quantity"])
    average = (Decimal(row["filled_notional"]) / filled).quantize(_AVERAGE_PLACES) if filled else None
    return OrderReport(
        client_order_id=row["client_order_id"],
        broker_order_id=row["broker_order_id"],
        symbol=row["symbol"],
        side=_SIDES[row["side"]],
        quantity=Decimal(row["quantity"]),
        status=_STATUSES[row["status"]],
        filled_quantity=filled,
        average_fill_price=average,
        reason=row["reason"],
        updated_at=clock.at(row["updated_e"]),
        raw_status=row["status"],
    )


def fill_report(row: sqlite3.Row, clock: SessionClock) -> FillReport:
    return FillReport(
        exec_id=row["exec_id"],
        client_order_id=row["client_order_id"],
        broker_order_id=row["broker_order_id"],
        symbol=row["symbol"],
        side=_SIDES[row["side"]],
        quantity=Decimal(row["quantity"]),
        price=Decimal(row["price"]),
        at=clock.at(row["at_e"]),
    )
