"""A fake TWS / IB Gateway: an asyncio TCP server on loopback that speaks the TWS API wire protocol.

The real ib_async client connects to it. It holds orders (keyed by permId) and executions for one account, and that
state outlives client connections, so tests can kill the client, drop the socket or restart the adapter and see
what a real gateway would show afterwards. Tests steer it in-process: fill orders, reject the next one, lose an
acknowledgement, lose a cancel race, send any error code, drop every connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.fakes import ib_wire as wire
from tests.fakes.ib_reference import ReferenceDesk
from tests.fakes.ib_wire import GatewayExecution, GatewayOrder, Listing

SERVER_VERSIONS = (176, 178)


@dataclass
class _Session:
    """One API client connection."""

    writer: asyncio.StreamWriter
    version: int = 0
    client_id: int = -1
    account_updates: bool = False  # subscribed with reqAccountUpdates: values are pushed as they change

    def send(self, fields: list[object]) -> None:
        if not self.writer.is_closing():
            self.writer.write(wire.frame(fields))


@dataclass
class _Fault:
    code: int
    message: str


@dataclass
class FakeIbGateway:
    """The gateway. `await start()` binds 127.0.0.1 on a free port; `port` tells which."""

    server_version: int = 178
    account: str = "DU1234567"
    cash: Decimal = Decimal("1000000")
    listings: dict[str, list[Listing]] = field(default_factory=dict)
    orders: dict[int, GatewayOrder] = field(default_factory=dict)
    executions: list[GatewayExecution] = field(default_factory=list)
    received: list[list[str]] = field(default_factory=list)
    duplicate_executions: bool = False
    opening: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # symbol -> (quantity, avg cost)
    auto_fill: bool = False  # fill marketable orders by itself, in two executions (for end-to-end runs)
    any_symbol: bool = False  # invent a listing for any symbol asked about (for end-to-end runs)
    market_data: ReferenceDesk = field(default_factory=ReferenceDesk)  # snapshots and bars (ib_reference.py)
    port: int = 0
    _sessions: list[_Session] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _next_fault: _Fault | None = None
    _silence_next_ack: bool = False
    _drop_after_next_order: bool = False
    _lose_next_cancel_race: bool = False
    _hold_next: _Fault | None = None
    _warn_next: _Fault | None = None
    _reject_after_ack: _Fault | None = None
    _reject_why_held: str = ""
    _perm_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(900_000_001))
    _exec_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _next_order_id: dict[int, int] = field(default_factory=dict)
    _invented: set[str] = field(default_factory=set)

    # ---- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> int:
        if not self.listings:
            self.add_listing(Listing("AAPL", 265598, "NASDAQ", "APPLE INC", Decimal("190.00")))
            self.add_listing(Listing("SPY", 756733, "ARCA", "SPDR S&P 500 ETF TRUST", Decimal("450.00")))
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        await self.drop_connections()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def add_listing(self, listing: Listing) -> None:
        """Make a symbol known; adding a second listing under one symbol makes it ambiguous."""
        self.listings.setdefault(listing.symbol, []).append(listing)

    @property
    def connected_clients(self) -> list[int]:
        return [s.client_id for s in self._sessions if s.client_id >= 0 and not s.writer.is_closing()]

    # ---- remote control ----------------------------------------------------------------------------------------

    def fail_next_order(self, code: int, message: str) -> None:
        """Answer the next placeOrder with this error and keep nothing (201 reject, 103 duplicate id, 100 pacing)."""
        self._next_fault = _Fault(code, message)

    def hold_next_order(self, code: int = 399, message: str = "") -> None:
        """Take the next order but hold it, as a TWS precaution does: warning `code` (399: "will not be placed at
        the exchange until ...") goes out, and no client sees the order, in any listing, until `release_held`."""
        text = message or "Order Message: Warning: your order will not be placed at the exchange until 09:30:00"
        self._hold_next = _Fault(code, text)

    def release_held(self) -> None:
        """Let held orders show: each client that placed one now hears of it, as of an order just acknowledged."""
        for order in self.orders.values():
            if order.held:
                order.held = False
                for session in self._sessions_of(order.client_id):
                    session.send(wire.open_order(session.version, order))
                    session.send(wire.order_status(order))

    def warn_next_order(self, code: int, message: str) -> None:
        """Send a warning about the next order before acknowledging it (399 with every pre-market DAY order,
        10349 TIF changed by a preset, 2109 outside-RTH attribute ignored...); the order is placed all the same."""
        self._warn_next = _Fault(code, message)

    def reject_next_after_acknowledgement(self, code: int = 201, message: str = "", why_held: str = "") -> None:
        """Acknowledge the next order, then reject it: error `code` and status Inactive (with `why_held`, e.g.
        "locate", the order is Inactive while IB looks for shares to borrow, and still lives)."""
        self._reject_after_ack = _Fault(code, message or "Order rejected - reason:Short sale not allowed")
        self._reject_why_held = why_held

    def release_locate(self, order: GatewayOrder) -> None:
        """Shares found for a short sale held for a locate: the order works (Submitted)."""
        order.status, order.why_held = "Submitted", ""
        for session in self._sessions_of(order.client_id):
            session.send(wire.order_status(order))

    def silence_next_acknowledgement(self) -> None:
        """Accept the next order but send nothing back about it (a reply lost on the way)."""
        self._silence_next_ack = True

    def drop_after_next_order(self) -> None:
        """Take the next order, then drop every connection before a word about it goes out."""
        self._silence_next_ack = True
        self._drop_after_next_order = True

    def lose_next_cancel_race(self) -> None:
        """The next cancel arrives too late: answer 10148, then the order fills completely."""
        self._lose_next_cancel_race = True

    def age_executions(self, days: int = 1) -> None:
        """Move every execution so far `days` into the past, as when the OMS stayed down across midnight: TWS no
        longer lists them in reqExecutions, though the orders still show their filled quantity."""
        for fill in self.executions:
            fill.at -= timedelta(days=days)

    def order_by_ref(self, order_ref: str) -> GatewayOrder:
        for order in self.orders.values():
            if order.order_ref == order_ref:
                return order
        raise KeyError(order_ref)

    def execute(self, order: GatewayOrder, quantity: Decimal, price: Decimal, *, send_status: bool = True) -> None:
        """Fill part or all of an order and tell its client (execDetails, commissionReport, orderStatus)."""
        quantity = min(quantity, order.remaining)
        if quantity <= 0:
            raise ValueError(f"order {order.order_ref} has nothing left to fill")
        order.filled += quantity
        order.notional += quantity * price
        number = next(self._exec_ids)
        fill = GatewayExecution(
            exec_id=f"0000e0d5.{number:08x}.01.01",
            order=order,
            shares=quantity,
            price=price,
            at=datetime.now(UTC),
            cum_qty=order.filled,
            avg_price=order.average_price,
            zoneless_time=number % 2 == 1,  # TWS uses both forms; every other execution takes the other one
        )
        self.executions.append(fill)
        if order.remaining == 0:
            self._complete(order, "Filled")
        for session in self._sessions_of(order.client_id):
            for _ in range(2 if self.duplicate_executions else 1):
                session.send(wire.execution(session.version, -1, fill))
                session.send(wire.commission_report(fill))
            if send_status:
                session.send(wire.order_status(order))
        for session in self._live_sessions():
            if session.account_updates:
                self._push_account_values(session)

    def correct_execution(self, fill: GatewayExecution, price: Decimal) -> GatewayExecution:
        """Correct an execution as IB does: the same execId with its last part raised, the new price."""
        head, _, suffix = fill.exec_id.rpartition(".")
        fixed = GatewayExecution(
            exec_id=f"{head}.{int(suffix) + 1:02d}",
            order=fill.order,
            shares=fill.shares,
            price=price,
            at=fill.at,
            cum_qty=fill.cum_qty,
            avg_price=price,
            zoneless_time=fill.zoneless_time,
        )
        self.executions[self.executions.index(fill)] = fixed
        for session in self._sessions_of(fill.order.client_id):
            session.send(wire.execution(session.version, -1, fixed))
            session.send(wire.commission_report(fixed))
        return fixed

    def send_error(self, code: int, message: str, req_id: int = -1) -> None:
        """Send an error or notice to every connected client."""
        for session in self._live_sessions():
            session.send(wire.error(session.version, req_id, code, message))

    def cancel_at_venue(self, order: GatewayOrder, code: int, message: str) -> None:
        """The venue cancels an order on its own (e.g. margin): error `code` then orderStatus Cancelled."""
        self._complete(order, "Cancelled")
        for session in self._sessions_of(order.client_id):
            session.send(wire.error(session.version, order.order_id, code, message))
            session.send(wire.order_status(order))

    async def drop_connections(self) -> None:
        """Close every client socket, as when the gateway restarts or the network drops."""
        sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.writer.close()
            with contextlib.suppress(Exception):
                await session.writer.wait_closed()

    # ---- serving -------------------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(writer)
        self._sessions.append(session)
        try:
            await self._handshake(reader, session)
            while True:
                size = struct.unpack(">I", await reader.readexactly(4))[0]
                fields = (await reader.readexactly(size)).decode().split("\0")[:-1]
                self.received.append(fields)
                self._handle(session, fields)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if session in self._sessions:
                self._sessions.remove(session)
            writer.close()

    async def _handshake(self, reader: asyncio.StreamReader, session: _Session) -> None:
        if await reader.readexactly(4) != b"API\0":
            raise ConnectionError("not a TWS API client")
        size = struct.unpack(">I", await reader.readexactly(4))[0]
        offered = (await reader.readexactly(size)).decode().split()[0]  # "v157..178"
        low, high = (int(v) for v in offered.lstrip("v").split(".."))
        if not low <= self.server_version <= high:
            raise ConnectionError(f"client offers {offered}, gateway speaks {self.server_version}")
        session.version = self.server_version
        session.send([self.server_version, wire.ib_time(datetime.now(UTC))])

    def _handle(self, session: _Session, fields: list[str]) -> None:
        kind = int(fields[0])
        if kind == wire.START_API:
            self._start_api(session, int(fields[2]))
        elif kind == wire.PLACE_ORDER:
            self._place_order(session, fields)
        elif kind == wire.CANCEL_ORDER:
            self._cancel_order(session, int(fields[2]))
        elif kind in (wire.REQ_OPEN_ORDERS, wire.REQ_ALL_OPEN_ORDERS):
            self._send_open_orders(session, all_clients=kind == wire.REQ_ALL_OPEN_ORDERS)
        elif kind == wire.REQ_COMPLETED_ORDERS:
            for order in self.orders.values():
                if not order.is_open and not order.held:
                    session.send(wire.completed_order(session.version, order))
            session.send([wire.COMPLETED_ORDERS_END])
        elif kind == wire.REQ_EXECUTIONS:
            req_id = int(fields[2])
            # Like TWS: today's executions only (the day as IB counts it, in New York), the calling client's only.
            today = datetime.now(wire.EASTERN).date()
            for fill in self.executions:
                if fill.at.astimezone(wire.EASTERN).date() != today or fill.order.client_id != session.client_id:
                    continue
                session.send(wire.execution(session.version, req_id, fill))
                session.send(wire.commission_report(fill))
            session.send([wire.EXECUTION_DATA_END, 1, req_id])
        elif kind == wire.REQ_POSITIONS:
            for listing, quantity, cost in self._positions():
                session.send(wire.position(self.account, listing, quantity, cost))
            session.send([wire.POSITION_END, 1])
        elif kind == wire.REQ_ACCOUNT_UPDATES:
            session.account_updates = fields[2] == "1"
            self._push_account_values(session)
            session.send([wire.ACCOUNT_TIME, 1, datetime.now(UTC).strftime("%H:%M")])
            session.send([wire.ACCOUNT_DOWNLOAD_END, 1, self.account])
        elif kind == wire.REQ_ACCOUNT_UPDATES_MULTI:
            req_id = int(fields[2])
            for tag, value in self._account_values():
                session.send([wire.ACCOUNT_UPDATE_MULTI, 1, req_id, self.account, "", tag, value, "USD"])
            session.send([wire.ACCOUNT_UPDATE_MULTI_END, 1, req_id])
        elif kind == wire.REQ_CONTRACT_DETAILS:
            self._contract_details(session, int(fields[2]), fields[4])
        elif kind == wire.REQ_IDS:
            session.send([wire.NEXT_VALID_ID, 1, self._next_order_id.get(session.client_id, 1)])
        elif kind == wire.REQ_CURRENT_TIME:
            session.send([wire.CURRENT_TIME, 1, int(datetime.now(UTC).timestamp())])
        elif (answer := self.market_data.answer(session.version, session.client_id, fields)) is not None:
            for message in answer:
                session.send(message)
        # Anything else (news, scanners...) is not part of what the OMS asks; a real gateway would answer, the
        # fake stays silent so an unexpected request shows up as a timeout in a test.

    def _start_api(self, session: _Session, client_id: int) -> None:
        if client_id in self.connected_clients:
            session.send(wire.error(session.version, -1, 326, "Unable to connect as the client id is already in use."))
            session.writer.close()
            return
        session.client_id = client_id
        session.send([wire.NEXT_VALID_ID, 1, self._next_order_id.setdefault(client_id, 1)])
        session.send([wire.MANAGED_ACCOUNTS, 1, self.account])
        for code, text in (
            (2104, "Market data farm connection is OK:usfarm"),
            (2106, "HMDS data farm connection is OK:ushmds"),
            (2158, "Sec-def data farm connection is OK:secdefnj"),
        ):
            session.send(wire.error(session.version, -1, code, text))

    def _place_order(self, session: _Session, fields: list[str]) -> None:
        # placeOrder: 3, orderId, 12 contract fields (conId ... tradingClass), secIdType, secId, action,
        # totalQuantity, orderType, lmtPrice, auxPrice, tif, ocaGroup, account, openClose, origin, orderRef, ...
        order_id = int(fields[1])
        symbol = fields[3]
        self._next_order_id[session.client_id] = max(self._next_order_id.get(session.client_id, 1), order_id + 1)
        if self._next_fault is not None:
            fault, self._next_fault = self._next_fault, None
            session.send(wire.error(session.version, order_id, fault.code, fault.message))
            return
        listing = self.listings[symbol][0]
        order = GatewayOrder(
            perm_id=next(self._perm_ids),
            order_id=order_id,
            client_id=session.client_id,
            listing=listing,
            action=fields[16],
            quantity=Decimal(fields[17]),
            order_type=fields[18],
            limit_price=Decimal(fields[19]) if fields[19] else None,
            aux_price=Decimal(fields[20]) if fields[20] else None,
            tif=fields[21],
            account=fields[23] or self.account,
            order_ref=fields[26],
            status="PreSubmitted",
        )
        self.orders[order.perm_id] = order
        if self._hold_next is not None:
            fault, self._hold_next = self._hold_next, None
            order.held, order.status = True, "Submitted"
            session.send(wire.error(session.version, order_id, fault.code, fault.message))
            return
        if self._warn_next is not None:
            fault, self._warn_next = self._warn_next, None
            session.send(wire.error(session.version, order_id, fault.code, fault.message))
        if self._silence_next_ack:
            self._silence_next_ack = False
            order.status = "Submitted"
            if self._drop_after_next_order:
                self._drop_after_next_order = False
                for live in self._sessions:
                    live.writer.close()
            return
        session.send(wire.open_order(session.version, order))
        session.send(wire.order_status(order))
        if self._reject_after_ack is not None:
            fault, self._reject_after_ack = self._reject_after_ack, None
            order.why_held = self._reject_why_held
            if order.why_held:
                order.status = "Inactive"  # held for a locate: Inactive, yet alive
            else:
                self._complete(order, "Inactive")
            session.send(wire.error(session.version, order_id, fault.code, fault.message))
            session.send(wire.order_status(order))
            return
        order.status = "Submitted"
        session.send(wire.open_order(session.version, order))
        session.send(wire.order_status(order))
        if self.auto_fill:
            self._fill_if_marketable(order)

    def _fill_if_marketable(self, order: GatewayOrder) -> None:
        """Fill a market order, or a limit that crosses the listing's price, in two executions."""
        price = order.listing.price
        if order.listing.symbol in self._invented and order.limit_price is not None:
            price = order.limit_price  # nobody knows where an invented symbol trades: the limit is the market
        if order.limit_price is not None:
            crosses = order.limit_price >= price if order.action == "BUY" else order.limit_price <= price
            if not crosses:
                return
        first = (order.quantity / 2).to_integral_value() or order.quantity
        self.execute(order, first, price)
        if order.remaining:
            self.execute(order, order.remaining, price)

    def _cancel_order(self, session: _Session, order_id: int) -> None:
        order = next(
            (o for o in self.orders.values() if o.client_id == session.client_id and o.order_id == order_id), None
        )
        if order is None:
            text = f"OrderId {order_id} that needs to be cancelled is not found."
            session.send(wire.error(session.version, order_id, 10147, text))
            return
        if self._lose_next_cancel_race and order.is_open:
            self._lose_next_cancel_race = False
            text = f"OrderId {order_id} that needs to be cancelled cannot be cancelled, state: Filled."
            session.send(wire.error(session.version, order_id, 10148, text))
            self.execute(order, order.remaining, order.limit_price or order.listing.price)
            return
        if not order.is_open:
            text = f"OrderId {order_id} that needs to be cancelled cannot be cancelled, state: {order.status}."
            session.send(wire.error(session.version, order_id, 10148, text))
            return
        self._complete(order, "Cancelled")
        session.send(wire.order_status(order))
        session.send(wire.error(session.version, order_id, 202, "Order Canceled - reason:"))

    def _send_open_orders(self, session: _Session, *, all_clients: bool) -> None:
        for order in self.orders.values():
            if order.is_open and not order.held and (all_clients or order.client_id in (session.client_id, 0)):
                session.send(wire.open_order(session.version, order))
                session.send(wire.order_status(order))
        session.send([wire.OPEN_ORDER_END, 1])

    def _contract_details(self, session: _Session, req_id: int, symbol: str) -> None:
        if self.any_symbol and symbol not in self.listings:
            self._invented.add(symbol)
            self.add_listing(Listing(symbol, 100_000 + len(self.listings), "NYSE", symbol, Decimal("100.00")))
        matches = self.listings.get(symbol, [])
        if not matches:
            text = "No security definition has been found for the request"
            session.send(wire.error(session.version, req_id, 200, text))
            return
        for listing in matches:
            session.send(wire.contract_details(req_id, listing))
        session.send([wire.CONTRACT_DATA_END, 1, req_id])

    # ---- state helpers ---------------------------------------------------------------------------------------

    def _complete(self, order: GatewayOrder, status: str) -> None:
        order.status = status
        order.completed_at = datetime.now(UTC)
        order.completed_status = status

    def _live_sessions(self) -> list[_Session]:
        return [s for s in self._sessions if s.client_id >= 0 and not s.writer.is_closing()]

    def _sessions_of(self, client_id: int) -> list[_Session]:
        return [s for s in self._live_sessions() if s.client_id == client_id]

    def hold(self, symbol: str, quantity: Decimal, average_cost: Decimal) -> None:
        """Start the account holding `quantity` of `symbol` (a listing priced at the average cost if unknown)."""
        if symbol not in self.listings:
            self._invented.add(symbol)
            self.add_listing(Listing(symbol, 300_000 + len(self.listings), "NYSE", symbol, average_cost))
        self.opening[symbol] = (quantity, average_cost)

    def _positions(self) -> list[tuple[Listing, Decimal, Decimal]]:
        held: dict[str, tuple[Listing, Decimal, Decimal]] = {
            symbol: (self.listings[symbol][0], quantity, quantity * cost)
            for symbol, (quantity, cost) in self.opening.items()
        }
        for fill in self.executions:
            listing = fill.order.listing
            _, quantity, cost = held.get(listing.symbol, (listing, Decimal(0), Decimal(0)))
            signed = fill.shares if fill.order.action == "BUY" else -fill.shares
            held[listing.symbol] = (listing, quantity + signed, cost + signed * fill.price)
        return [(listing, q, (c / q if q else Decimal(0))) for listing, q, c in held.values() if q]

    def _push_account_values(self, session: _Session) -> None:
        for tag, value in self._account_values():
            session.send([wire.ACCOUNT_VALUE, 2, tag, value, "USD", self.account])

    def _account_values(self) -> list[tuple[str, Decimal]]:
        spent = sum(
            ((f.shares * f.price) * (1 if f.order.action == "BUY" else -1) for f in self.executions), Decimal(0)
        )
        cash = self.cash - spent
        held = sum((q * listing.price for listing, q, _ in self._positions()), Decimal(0))
        return [
            ("TotalCashValue", cash),
            ("NetLiquidation", cash + held),
            ("BuyingPower", (cash + held) * 4),
            ("AvailableFunds", cash),
        ]
