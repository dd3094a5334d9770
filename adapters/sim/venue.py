"""The simulated venue: a broker that lives in one SQLite file and advances lazily on every call.

There is no background thread: each call computes the simulated time now, steps the market up to it and matches
the working orders, all inside one write transaction. Given the seed and the times of the calls, everything the
venue does is deterministic, and any number of processes may share the file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from adapters.sim import faults, market, reservations, rules, store, tape
from adapters.sim.book import OpenOrder, book_execution, fill_report, move_position, order_report
from adapters.sim.clock import NEW_YORK, SESSION_OPEN, SESSION_SECONDS, SessionClock, next_weekday
from adapters.sim.matching import Market, mid_at, run_steps
from adapters.sim.settings import SimSettings
from oms.domain.market import Position, PricePoint, Security, VenueQuote
from oms.logging import get_logger
from oms.ports import (
    AccountInfo,
    BrokerError,
    BrokerRejected,
    BrokerUnavailable,
    FillReport,
    MarketClock,
    OrderNotFound,
    OrderReport,
    OrderRequest,
    ReportStatus,
)

T = TypeVar("T")
log = get_logger("adapters.sim")

_RESERVATIONS_VERSION = "1"
# Spelled out (the statuses of store.OPEN_STATUSES) so every statement is a literal.
_OPEN = "status IN ('pending', 'working', 'partially_filled', 'pending_cancel')"


class _CommitThenRaise(Exception):
    """Raised inside a transaction for an error that must not undo it (a consumed fault switch, an accepted order)."""

    def __init__(self, error: BrokerError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True, slots=True)
class _Now:
    clock: SessionClock
    elapsed: float
    step: int


def index_securities(securities: Mapping[str, Security] | Iterable[Security]) -> dict[str, Security]:
    """Accept a symbol-keyed mapping or any iterable of securities."""
    if isinstance(securities, Mapping):
        return {symbol.upper(): security for symbol, security in securities.items()}
    return {security.symbol.upper(): security for security in securities}


class SimVenue:
    """The venue itself (synchronous). `SimulatedBroker` puts the async port on it; tests drive its switches."""

    def __init__(
        self,
        path: Path,
        securities: Mapping[str, Security] | Iterable[Security],
        settings: SimSettings | None = None,
        *,
        wall: Callable[[], float] = time.time,
        initial_positions: Iterable[Position] = (),
    ) -> None:
        self.path = path
        self.settings = settings or SimSettings()
        self.securities = index_securities(securities)
        self._wall = wall
        self._lock = threading.Lock()
        self._conn = store.connect(path, busy_timeout_ms=self.settings.busy_timeout_ms)
        with self._lock, store.transaction(self._conn) as conn:
            self._open_or_create(conn, list(initial_positions))
            meta = store.read_meta(conn)
        self._seed = int(meta["seed"])
        self._market = Market(self.securities, self.settings, self._seed, float(meta["step_seconds"]))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- the write side -------------------------------------------------------------------------------------------

    def submit(self, request: OrderRequest) -> OrderReport:
        """Accept or refuse one order; see `SimulatedBroker.submit`."""
        return self._run(lambda conn, now: self._submit(conn, now, request))

    def cancel(self, client_order_id: str) -> None:
        """Cancel what is left of an open order; a cancel after the order ended is rejected as too late."""
        self._run(lambda conn, now: self._cancel(conn, now, client_order_id))

    # -- the read side --------------------------------------------------------------------------------------------

    def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> list[OrderReport]:
        def read(conn: sqlite3.Connection, now: _Now) -> list[OrderReport]:
            self._fail_if_reports_down(conn)
            sql = "SELECT * FROM orders WHERE 1 = 1"
            params: list[object] = []
            if open_only:
                sql += " AND " + _OPEN
            if since is not None and (bound := now.clock.since_bound(since)) is not None:
                sql += " AND updated_e >= ?"
                params.append(bound)
            return [order_report(row, now.clock) for row in conn.execute(sql + " ORDER BY seq", params)]

        return self._run(read)

    def fill_reports(self, *, since: datetime | None = None) -> list[FillReport]:
        def read(conn: sqlite3.Connection, now: _Now) -> list[FillReport]:
            self._fail_if_reports_down(conn)
            sql, params = "SELECT * FROM executions", []
            if since is not None and (bound := now.clock.since_bound(since)) is not None:
                sql, params = sql + " WHERE at_e >= ?", [bound]
            fills = [fill_report(row, now.clock) for row in conn.execute(sql + " ORDER BY seq", params)]
            if faults.peek(conn, faults.DUPLICATE_FILLS):
                return [twin for fill in fills for twin in (fill, fill)]
            return fills

        return self._run(read)

    def find_order(self, client_order_id: str) -> OrderReport:
        def read(conn: sqlite3.Connection, now: _Now) -> OrderReport:
            row = conn.execute("SELECT * FROM orders WHERE client_order_id = ?", (client_order_id,)).fetchone()
            if row is None:
                raise _CommitThenRaise(OrderNotFound(f"no order with client order id {client_order_id}"))
            return order_report(row, now.clock)

        return self._run(read)

    def positions(self) -> list[Position]:
        def read(conn: sqlite3.Connection, now: _Now) -> list[Position]:
            held = []
            for row in conn.execute("SELECT symbol, quantity, cost FROM positions ORDER BY symbol"):
                quantity = Decimal(row["quantity"])
                if quantity:
                    held.append(Position(row["symbol"], quantity, Decimal(row["cost"]) / quantity))
            return held

        return self._run(read)

    def account(self) -> AccountInfo:
        def read(conn: sqlite3.Connection, now: _Now) -> AccountInfo:
            meta = store.read_meta(conn)
            cash = Decimal(meta["cash"])
            equity = cash
            for row in conn.execute("SELECT symbol, quantity, cost FROM positions").fetchall():
                quantity = Decimal(row["quantity"])
                security = self.securities.get(row["symbol"])
                if quantity and security is not None:
                    equity += quantity * market.to_tick(mid_at(conn, self._market, security, now.step))
                elif quantity:
                    equity += Decimal(row["cost"])  # no reference data in this process: value at cost
            return AccountInfo(
                account_id=meta["account_id"], cash=cash, buying_power=max(cash, Decimal(0)), equity=equity
            )

        return self._run(read)

    def mids(self, symbols: Iterable[str]) -> tuple[datetime, dict[str, float]]:
        """Return the venue's time now and the mid of each listed symbol (unknown ones left out)."""

        def read(conn: sqlite3.Connection, now: _Now) -> tuple[datetime, dict[str, float]]:
            known = [self.securities[s] for s in symbols if s in self.securities]
            return now.clock.at(now.elapsed), {s.symbol: mid_at(conn, self._market, s, now.step) for s in known}

        return self._run(read)

    def clock(self) -> MarketClock:
        """Return the venue's session clock: always inside a session, since nights take no simulated time."""
        with self._lock:
            meta = store.read_meta(self._conn)
        clock = SessionClock.from_meta(meta)
        elapsed = clock.elapsed(self._wall())
        session = clock.session_of(elapsed)
        return MarketClock(
            at=clock.at(elapsed), is_open=True, next_open=clock.open_at(session + 1), next_close=clock.close_at(session)
        )

    def quote(self, symbol: str) -> VenueQuote | None:
        """Return the bid and ask now, on the venue's clock; None for a symbol it does not list."""
        security = self.securities.get(symbol.upper())
        if security is None:
            return None
        return self._run(
            lambda conn, now: tape.quote(
                security, mid_at(conn, self._market, security, now.step), now.clock.at(now.elapsed)
            )
        )

    def bars(self, symbol: str, start: datetime, end: datetime) -> list[PricePoint]:
        """Return the market's bars of `symbol` between two times of the venue's clock (see `tape`)."""
        step = self._market.step_seconds
        return self._run(lambda conn, now: tape.read_bars(conn, now.clock, step, symbol, start, end))

    def submissions(self) -> dict[str, int]:
        """Return how many submits reached the venue per client order id, refused ones included (for crash drills)."""
        with self._lock:
            rows = self._conn.execute("SELECT client_order_id, COUNT(*) FROM submissions GROUP BY client_order_id")
            return {row[0]: row[1] for row in rows}

    # -- remote control (tests, demos; another process sees the switches) -------------------------------------------

    def _set_fault(self, name: str, value: str | None) -> None:
        with self._lock, store.transaction(self._conn) as conn:
            faults.put(conn, name, value)

    def reject_next_submission(self, reason: str = "simulated reject") -> None:
        self._set_fault(faults.REJECT_NEXT, reason)

    def time_out_next_submission(self, *, accepted: bool = True) -> None:
        """Make the next submit raise BrokerUnavailable, having (`accepted`) or not having kept the order."""
        self._set_fault(faults.TIMEOUT_NEXT, "accepted" if accepted else "lost")

    def duplicate_fills(self, on: bool = True) -> None:
        self._set_fault(faults.DUPLICATE_FILLS, "1" if on else None)

    def fail_report_queries(self, times: int = 1) -> None:
        """Make the next `times` order_reports/fill_reports calls raise BrokerUnavailable."""
        self._set_fault(faults.FAIL_REPORTS, str(times) if times > 0 else None)

    def force_fill(self, client_order_id: str, quantity: Decimal, price: Decimal | None = None) -> None:
        """Execute `quantity` of an open order now, at `price` (default: its limit, else the market's mid)."""

        def execute(conn: sqlite3.Connection, now: _Now) -> None:
            row = conn.execute("SELECT * FROM orders WHERE client_order_id = ?", (client_order_id,)).fetchone()
            if row is None:
                raise OrderNotFound(f"no order with client order id {client_order_id}")
            order = OpenOrder.from_row(row)
            if not order.is_open or quantity <= 0 or quantity > order.remaining:
                raise ValueError(f"{client_order_id}: cannot fill {quantity} of a {order.status} order")
            fill_price = price or order.limit_price
            if fill_price is None:
                fill_price = market.to_tick(mid_at(conn, self._market, self.securities[order.symbol], now.step))
            book_execution(conn, order, quantity, fill_price, now.elapsed)

        self._run(execute)

    # -- internals ----------------------------------------------------------------------------------------------------

    def _run(self, work: Callable[[sqlite3.Connection, _Now], T]) -> T:
        """Advance the venue to now and do `work`, all in one write transaction."""
        deferred: BrokerError | None = None
        with self._lock, store.transaction(self._conn) as conn:
            now = self._advance(conn)
            try:
                result = work(conn, now)
            except _CommitThenRaise as exc:
                deferred = exc.error
        if deferred is not None:
            raise deferred
        return result

    def _advance(self, conn: sqlite3.Connection) -> _Now:
        meta = store.read_meta(conn)
        clock = SessionClock.from_meta(meta)
        elapsed = clock.elapsed(self._wall())
        step = int(elapsed // self._market.step_seconds)
        done = int(meta["step_done"])
        if step > done:
            run_steps(conn, self._market, done + 1, step)
            store.write_meta(conn, step_done=step)
        conn.execute(
            "UPDATE orders SET status = 'working', updated_e = ack_e WHERE status = 'pending' AND ack_e <= ?",
            (elapsed,),
        )
        return _Now(clock, elapsed, step)

    def _submit(self, conn: sqlite3.Connection, now: _Now, request: OrderRequest) -> OrderReport:
        timeout = faults.take(conn, faults.TIMEOUT_NEXT)
        if timeout == "lost":
            raise _CommitThenRaise(BrokerUnavailable("simulated timeout: the order never reached the venue"))
        conn.execute(
            "INSERT INTO submissions (client_order_id, at_e) VALUES (?, ?)", (request.client_order_id, now.elapsed)
        )
        refusal = faults.take(conn, faults.REJECT_NEXT)
        if refusal is not None:
            raise _CommitThenRaise(BrokerRejected(refusal, code="SIMULATED_REJECT"))
        self._validate(conn, now, request)
        latency = self.settings.ack_latency_seconds
        status = ReportStatus.WORKING if latency <= 0 else ReportStatus.PENDING
        cursor = conn.execute(
            "INSERT INTO orders (client_order_id, broker_order_id, symbol, side, quantity, order_type, time_in_force,"
            " limit_price, status, session, submitted_e, ack_e, updated_e)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request.client_order_id,
                f"pending:{request.client_order_id}",
                request.symbol.upper(),
                request.side.value,
                str(request.quantity),
                request.order_type.value,
                request.time_in_force.value,
                str(request.limit_price) if request.limit_price is not None else None,
                status.value,
                now.clock.session_of(now.elapsed),
                now.elapsed,
                now.elapsed + latency,
                now.elapsed,
            ),
        )
        conn.execute("UPDATE orders SET broker_order_id = 'sim-' || seq WHERE seq = ?", (cursor.lastrowid,))
        kind = reservations.kind_of(request.order_type)
        symbol = request.symbol.upper()
        reservations.add(conn, symbol, request.side.value, kind, request.quantity, request.limit_price)
        row = conn.execute("SELECT * FROM orders WHERE seq = ?", (cursor.lastrowid,)).fetchone()
        log.info("sim.order_accepted", client_order_id=request.client_order_id, broker_order_id=row["broker_order_id"])
        if timeout == "accepted":
            raise _CommitThenRaise(BrokerUnavailable("simulated timeout: the venue kept the order, the reply was lost"))
        return order_report(row, now.clock)

    def _validate(self, conn: sqlite3.Connection, now: _Now, request: OrderRequest) -> None:
        refused = rules.refusal(conn, self._market, self.securities, request, now.step)
        if refused is not None:
            code, reason = refused
            log.info("sim.order_rejected", client_order_id=request.client_order_id, code=code, reason=reason)
            raise _CommitThenRaise(BrokerRejected(reason, code=code))

    def _cancel(self, conn: sqlite3.Connection, now: _Now, client_order_id: str) -> None:
        row = conn.execute("SELECT * FROM orders WHERE client_order_id = ?", (client_order_id,)).fetchone()
        if row is None:
            raise _CommitThenRaise(OrderNotFound(f"no order with client order id {client_order_id}"))
        order = OpenOrder.from_row(row)
        if not order.is_open:
            raise _CommitThenRaise(BrokerRejected(f"too late: {order.status}", code="CANCEL_TOO_LATE"))
        order.close(ReportStatus.CANCELLED, now.elapsed, "cancelled by request")
        order.save(conn)
        log.info("sim.order_cancelled", client_order_id=client_order_id, filled_quantity=str(order.filled))

    def _fail_if_reports_down(self, conn: sqlite3.Connection) -> None:
        left = faults.peek(conn, faults.FAIL_REPORTS)
        if left:
            faults.put(conn, faults.FAIL_REPORTS, str(int(left) - 1) if int(left) > 1 else None)
            raise _CommitThenRaise(BrokerUnavailable("simulated outage: report query failed"))

    def _open_or_create(self, conn: sqlite3.Connection, initial_positions: list[Position]) -> None:
        """Create the venue's clock, cash and holdings on first use; later, keep them (changing only the speed)."""
        meta = store.read_meta(conn)
        now = self._wall()
        settings = self.settings
        if not meta:
            first = date.fromisoformat(settings.start_date) if settings.start_date else datetime.now(NEW_YORK).date()
            start = clock_time.fromisoformat(settings.start_time)
            offset = (start.hour * 3600 + start.minute * 60 + start.second) - (
                SESSION_OPEN.hour * 3600 + SESSION_OPEN.minute * 60
            )
            elapsed = min(max(float(offset), 0.0), SESSION_SECONDS - 1)
            store.write_meta(
                conn,
                seed=settings.seed,
                speed=settings.speed,
                first_session=next_weekday(first).isoformat(),
                epoch_wall=repr(now),
                epoch_elapsed=repr(elapsed),
                step_seconds=repr(settings.step_seconds),
                step_done=int(elapsed // settings.step_seconds),
                cash=str(settings.starting_cash),
                account_id=f"SIM-{settings.seed}",
            )
            for position in initial_positions:
                move_position(conn, position.symbol.upper(), position.quantity, position.average_cost or Decimal(0))
            store.write_meta(conn, reservations=_RESERVATIONS_VERSION)
            log.info("sim.venue_created", path=str(self.path), seed=settings.seed, speed=settings.speed)
            return
        if meta.get("reservations") != _RESERVATIONS_VERSION:  # a venue file from before the running totals
            reservations.rebuild(conn)
            store.write_meta(conn, reservations=_RESERVATIONS_VERSION)
        if float(meta["speed"]) != settings.speed:
            # Rebase so simulated time stays continuous: the venue's past does not change with the new speed.
            elapsed = SessionClock.from_meta(meta).elapsed(now)
            store.write_meta(conn, speed=settings.speed, epoch_wall=repr(now), epoch_elapsed=repr(elapsed))
        if int(meta["seed"]) != settings.seed:
            log.warning("sim.seed_kept", path=str(self.path), seed=int(meta["seed"]), requested=settings.seed)
