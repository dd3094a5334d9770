"""IbkrBroker: the broker port on ib_async, in the caller's asyncio loop.

Reads are answered from the gateway itself (open orders, completed orders, executions: three requests per poll
cycle), merged into the adapter's `OrderBook`; live events keep the book current in between. Submissions wait,
for a bounded time, until the connection is up and reconciled; a submission whose acknowledgement does not arrive
is an unknown outcome (BrokerUnavailable), resolved later by `find_order`, which reads the gateway by orderRef.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.ibkr.book import Entry, OrderBook
from adapters.ibkr.mapping import ErrorKind, classify_error, order_fields, to_decimal
from adapters.ibkr.pacing import Pacer
from oms.config import IbkrSettings
from oms.domain.enums import OrderType
from oms.domain.market import Position
from oms.execution.guards import (
    LiveGuardRefused,
    Mode,
    check_connected_account,
    check_endpoint_matches_mode,
    ibkr_port_is_paper,
    submission_log_fields,
)
from oms.logging import get_logger
from oms.ports import (
    AccountInfo,
    BrokerRejected,
    BrokerUnavailable,
    Capabilities,
    FillReport,
    MarketClock,
    OrderNotFound,
    OrderReport,
    OrderRequest,
)

# IB's limit is 50 messages a second (error 100 beyond it): the adapter paces itself at 40, ib_async's own
# throttle (45) stays as a backstop.
MESSAGES_PER_SECOND = 40
SDK_MESSAGES_PER_SECOND = 45
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class _Pulse:
    """Wake every waiter whenever something changed, so conditions are re-checked without polling."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def fire(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def until(self, condition: Callable[[], bool], seconds: float) -> bool:
        """Wait until `condition()` holds (True) or `seconds` have passed (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)
        return True


class IbkrBroker:
    """One IB account through TWS or IB Gateway."""

    name = "ibkr"
    capabilities = Capabilities(
        streaming=True,
        extended_hours=True,
        order_types=frozenset({OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT}),
        max_client_order_id_length=48,
    )

    def __init__(
        self,
        settings: IbkrSettings,
        *,
        live: bool = False,
        ack_timeout: float | None = None,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
    ) -> None:
        self._settings = settings
        self._live = live
        self._timeout = settings.timeout_seconds
        self._ack_timeout = ack_timeout if ack_timeout is not None else settings.timeout_seconds
        self._reconnect_delays = tuple(reconnect_delays)
        self._ib: Any = None
        self._account = settings.account
        self._book = OrderBook()
        self._contracts: dict[str, Any] = {}
        self._session_ids: dict[int, str] = {}  # orderId -> client order id, this session only
        self._errors: dict[str, tuple[int, str]] = {}  # the last order error, by client order id
        self._ready = False
        self._closing = False
        self._opening = False
        self._pulse = _Pulse()
        self._pacer = Pacer(MESSAGES_PER_SECOND)
        self._reading = asyncio.Lock()  # ib_async keys open/completed order requests by name: one at a time
        self._tasks: set[asyncio.Task[None]] = set()
        self._log = get_logger("adapters.ibkr")

    # ---- connection ------------------------------------------------------------------------------------------

    @property
    def live(self) -> bool:
        """Whether this adapter was built for live trading (it then refuses paper ports)."""
        return self._live

    @property
    def port(self) -> int:
        return self._settings.port

    @property
    def account_id(self) -> str:
        """The account this adapter trades, as the gateway confirmed it at connect."""
        return self._account

    async def connect(self) -> None:
        from ib_async import IB

        self._closing = False
        if self._ib is None:
            ib = IB()
            ib.client.MaxRequests = SDK_MESSAGES_PER_SECOND
            ib.openOrderEvent += self._on_trade
            ib.orderStatusEvent += self._on_trade
            ib.execDetailsEvent += self._on_fill
            ib.commissionReportEvent += self._on_commission
            ib.errorEvent += self._on_error
            ib.disconnectedEvent += self._on_disconnected
            self._ib = ib
        await self._open_session()

    async def close(self) -> None:
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        if self._ib is not None:
            self._ib.disconnect()
        self._ready = False
        self._pulse.fire()

    async def _open_session(self) -> None:
        s = self._settings
        mode = Mode.LIVE if self._live else Mode.PAPER
        self._opening = True
        try:
            _guard(
                check_endpoint_matches_mode,
                mode,
                endpoint_is_paper=ibkr_port_is_paper(s.port),
                endpoint=f"port {s.port}",
            )
            try:
                await self._ib.connectAsync(s.host, s.port, s.client_id, timeout=self._timeout, account=s.account)
            except (OSError, TimeoutError, ConnectionError) as exc:
                raise BrokerUnavailable(f"IB gateway at {s.host}:{s.port} not reachable: {exc!r}") from exc
            accounts = list(self._ib.managedAccounts())
            try:
                _guard(check_connected_account, mode, configured_account=s.account, connected_accounts=accounts)
            except BrokerRejected:
                self._ib.disconnect()
                raise
            self._account = s.account or accounts[0]
            await self._reconcile()
        finally:
            self._opening = False
        self._ready = True
        self._log.info("ibkr.connected", account=self._account, port=s.port, client_id=s.client_id)
        self._pulse.fire()

    def _on_disconnected(self) -> None:
        was_ready, self._ready = self._ready, False
        self._session_ids.clear()
        for entry in self._book.entries():
            entry.trade = None
        self._pulse.fire()
        if self._closing or self._opening or any(t.get_name() == "ibkr-reconnect" for t in self._tasks):
            return
        if was_ready:
            self._log.warning("ibkr.disconnected", account=self._account)
        self._spawn(self._reconnect(), "ibkr-reconnect")

    async def _reconnect(self) -> None:
        delays = itertools.chain(self._reconnect_delays, itertools.repeat(self._reconnect_delays[-1]))
        for attempt, delay in enumerate(delays, start=1):
            await asyncio.sleep(delay)
            if self._closing:
                return
            try:
                await self._open_session()
            except BrokerRejected as exc:
                self._log.error("ibkr.reconnect_refused", reason=exc.reason)
                return
            except BrokerUnavailable as exc:
                self._log.warning("ibkr.reconnect_failed", attempt=attempt, error=str(exc))
                continue
            self._log.info("ibkr.reconnected", attempt=attempt)
            return

    async def _resync(self, *, data_lost: bool) -> None:
        """After IB's servers come back (1101/1102): reconcile, then let submissions through again.

        1101 means the gateway dropped its subscriptions: the account updates are asked for again.
        """
        try:
            if data_lost:
                await self._request(lambda: self._ib.reqAccountUpdatesAsync(self._account))
            await self._reconcile()
        except BrokerUnavailable:
            return  # the socket went too; the reconnect path takes over
        self._ready = True
        self._pulse.fire()

    def _is_ready(self) -> bool:
        return self._ready and self._ib is not None and self._ib.client.isReady()

    async def _wait_ready(self) -> None:
        if not await self._pulse.until(self._is_ready, self._timeout):
            raise BrokerUnavailable(
                f"IB gateway not connected (or not reconciled) after {self._timeout:g}s; nothing was sent"
            )

    def _spawn(self, coroutine: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- reading the gateway ---------------------------------------------------------------------------------

    async def _request(self, send: Callable[[], Any]) -> Any:
        """Send one paced request (`send` makes the ib_async call) and await its answer within the timeout."""
        await self._pacer.acquire()
        if not self._ib.client.isReady():
            raise BrokerUnavailable("IB gateway connection dropped")
        try:
            return await asyncio.wait_for(send(), self._timeout)
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise BrokerUnavailable(f"IB gateway did not answer: {exc!r}") from exc

    async def _reconcile(self) -> None:
        """Read open orders, completed orders and executions from the gateway into the book."""
        async with self._reading:
            await self._reconcile_now()

    async def _reconcile_now(self) -> None:
        ib = self._ib
        open_trades = await self._request(ib.reqOpenOrdersAsync)
        completed = await self._request(lambda: ib.reqCompletedOrdersAsync(False))
        open_perms: set[int] = set()
        for trade in open_trades:
            entry = self._book.absorb(trade, open_at_gateway=True)
            if entry is not None:
                open_perms.add(entry.perm_id)
                entry.trade = trade
                self._session_ids[trade.order.orderId] = entry.client_order_id
        completed_perms: set[int] = set()
        for trade in completed:
            entry = self._book.absorb(trade)
            if entry is not None:
                completed_perms.add(entry.perm_id)
        for entry in self._book.settle_unconfirmed(open_perms, completed_perms):
            self._log.info(
                "ibkr.error_cancel_confirmed", client_order_id=entry.client_order_id, status=entry.raw_status
            )
        await self._read_executions_now()
        self._pulse.fire()

    async def _read_executions(self) -> None:
        async with self._reading:
            await self._read_executions_now()

    async def _read_executions_now(self) -> None:
        ib = self._ib
        for fill in await self._request(ib.reqExecutionsAsync):
            # The session's own Fill object carries the commission report that followed the execution.
            known = ib.wrapper.fills.get(fill.execution.execId, fill)
            if self._book.add_fill(known) is not None:
                self._log.info("ibkr.fill_recovered", exec_id=fill.execution.execId)

    # ---- live events -----------------------------------------------------------------------------------------

    def _on_trade(self, trade: Any) -> None:
        entry = self._book.absorb(trade)
        if entry is None:
            return
        entry.trade = trade
        self._session_ids[trade.order.orderId] = entry.client_order_id
        if entry.unconfirmed_cancel is not None and self._ready and not self._opening:
            # ib_async cancels a trade locally on any error; the order may still live. Ask the gateway.
            self._spawn(self._confirm(), "ibkr-confirm")
        self._pulse.fire()

    async def _confirm(self) -> None:
        with contextlib.suppress(BrokerUnavailable):
            await self._reconcile()

    def _on_fill(self, trade: Any, fill: Any) -> None:
        self._book.match(trade)
        report = self._book.add_fill(fill)
        if report is not None:
            self._log.info(
                "ibkr.fill",
                exec_id=report.exec_id,
                client_order_id=report.client_order_id,
                quantity=str(report.quantity),
            )
        self._pulse.fire()

    def _on_commission(self, trade: Any, fill: Any, report: Any) -> None:
        self._book.add_commission(report.execId, report.commission)

    def _on_error(self, req_id: int, code: int, message: str, contract: Any) -> None:
        meaning = classify_error(code)
        if meaning.kind is ErrorKind.NOTICE:
            self._log.info("ibkr.notice", code=code, message=message)
            return
        if meaning.kind is ErrorKind.CONNECTIVITY_LOST:
            self._log.warning("ibkr.connectivity_lost", code=code, message=message)
            self._ready = False
        elif meaning.kind is ErrorKind.CONNECTIVITY_RESTORED:
            self._log.info("ibkr.connectivity_restored", code=code, message=message)
            self._spawn(self._resync(data_lost=code == 1101), "ibkr-resync")
        elif req_id in self._session_ids:
            client_order_id = self._session_ids[req_id]
            self._errors[client_order_id] = (code, message)
            entry = self._book.get(client_order_id)
            if entry is not None and meaning.kind is ErrorKind.CANCEL_REJECTED:
                entry.reason = f"cancel rejected ({code}): {message}"
            level = self._log.info if meaning.kind is ErrorKind.CANCELLED else self._log.warning
            level("ibkr.order_error", client_order_id=client_order_id, code=code, message=message)
        else:
            self._log.warning("ibkr.error", req_id=req_id, code=code, message=message)
        self._pulse.fire()

    # ---- write side ------------------------------------------------------------------------------------------

    async def submit(self, request: OrderRequest) -> OrderReport:
        fields = order_fields(request, self._account)
        contract = await self._read(lambda: self._contract(request.symbol))
        existing = self._book.get(request.client_order_id)
        if existing is not None and not existing.rejected:
            return self._book.report(existing)  # already at IB: sending it again would duplicate it
        self._log.info("ibkr.order.submitting", **submission_log_fields("ibkr", self._account, self._live, request))
        for attempt in (1, 2):
            entry = await self._place_when_ready(contract, fields, request)

            def answered(entry: Entry = entry) -> bool:
                return bool(entry.perm_id) or entry.client_order_id in self._errors or not self._is_ready()

            acknowledged = await self._pulse.until(answered, self._ack_timeout)
            if entry.perm_id:
                return self._book.report(entry)
            if not acknowledged or not self._is_ready():
                raise BrokerUnavailable(
                    f"{request.client_order_id}: no acknowledgement from IB within {self._ack_timeout:g}s;"
                    " the order may be live: resolve it with find_order"
                )
            code, message = self._errors[request.client_order_id]
            # Confirm with the gateway before calling it rejected: an error does not prove the order is gone.
            await self._reconcile()
            if entry.perm_id:
                return self._book.report(entry)
            if classify_error(code).kind is ErrorKind.RETRY and attempt == 1:
                self._log.warning("ibkr.order.retry", client_order_id=request.client_order_id, code=code)
                continue
            self._book.reject(entry, f"IB error {code}: {message}")
            raise BrokerRejected(f"{request.client_order_id}: IB error {code}: {message}", code=f"IB_{code}")
        raise AssertionError("unreachable")  # pragma: no cover

    async def _place_when_ready(self, contract: Any, fields: Any, request: OrderRequest) -> Entry:
        """Send the order once the session is up; a socket found dead before sending means wait, not fail."""
        while True:
            await self._wait_ready()
            await self._pacer.acquire()
            try:
                return self._place(contract, fields, request)
            except ConnectionError:
                continue  # ib_async refused to send (not connected): nothing left the process

    def _place(self, contract: Any, fields: Any, request: OrderRequest) -> Entry:
        from ib_async import Order

        order = Order(
            action=fields.action,
            totalQuantity=fields.total_quantity,
            orderType=fields.order_type,
            tif=fields.tif,
            outsideRth=fields.outside_rth,
            orderRef=fields.order_ref,
            account=fields.account,
        )
        if fields.limit_price is not None:
            order.lmtPrice = fields.limit_price
        if fields.aux_price is not None:
            order.auxPrice = fields.aux_price
        self._errors.pop(request.client_order_id, None)
        trade = self._ib.placeOrder(contract, order)
        entry = self._book.track(request.client_order_id, request.symbol, request.side, request.quantity, trade)
        self._session_ids[trade.order.orderId] = request.client_order_id
        return entry

    async def _contract(self, symbol: str) -> Any:
        """A qualified `Stock(symbol, "SMART", "USD")`, asked for once per symbol."""
        if symbol in self._contracts:
            return self._contracts[symbol]
        from ib_async import Stock

        stock = Stock(symbol, "SMART", "USD")
        [result] = await self._request(lambda: self._ib.qualifyContractsAsync(stock, returnAll=True))
        if result is None:
            raise BrokerRejected(f"{symbol}: unknown to IB as a US stock or ETF on SMART", code="IB_UNKNOWN_SYMBOL")
        if isinstance(result, list):
            venues = sorted({c.primaryExchange for c in result if c is not None})
            raise BrokerRejected(
                f"{symbol}: ambiguous at IB ({len(result)} listings: {', '.join(venues)})", code="IB_AMBIGUOUS_SYMBOL"
            )
        self._contracts[symbol] = result
        return result

    async def cancel(self, client_order_id: str, broker_order_id: str | None = None) -> None:
        await self._wait_ready()
        entry = self._book.get(client_order_id)
        if entry is None:
            await self._read(self._reconcile)  # placed by an earlier session and not seen since? ask the gateway
            entry = self._book.get(client_order_id)
        if entry is None or entry.rejected:
            raise OrderNotFound(f"{client_order_id}: no such order at IB")
        if entry.raw_status in ("Filled", "Cancelled", "ApiCancelled", "Inactive") and entry.unconfirmed_cancel is None:
            raise BrokerRejected(f"{client_order_id}: too late to cancel ({entry.raw_status})", code="TOO_LATE")
        if entry.trade is None:
            raise BrokerUnavailable(f"{client_order_id}: not yet re-read from the gateway after reconnecting")
        self._log.info("ibkr.order.cancelling", client_order_id=client_order_id, perm_id=entry.perm_id)
        await self._pacer.acquire()
        self._ib.cancelOrder(entry.trade.order)

    # ---- read side -------------------------------------------------------------------------------------------

    async def _read(self, read: Callable[[], Any]) -> Any:
        """Run a read once the session is ready; a read cut by a dropping socket is retried after the reconnect."""
        for attempt in (1, 2):
            await self._wait_ready()
            try:
                return await read()
            except BrokerUnavailable:
                if attempt == 2 or self._is_ready():
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> Sequence[OrderReport]:
        await self._read(self._reconcile)
        reports = [self._book.report(e) for e in self._book.entries()]
        return [
            r
            for r in reports
            if not (open_only and r.status.is_final)
            and (since is None or r.updated_at is None or r.updated_at >= since)
        ]

    async def fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        await self._read(self._read_executions)
        return [f for f in self._book.fills() if since is None or f.at >= since]

    async def find_order(self, client_order_id: str) -> OrderReport:
        await self._read(self._reconcile)
        entry = self._book.get(client_order_id)
        if entry is None:
            raise OrderNotFound(f"{client_order_id}: IB has no open, completed or executed order with this orderRef")
        return self._book.report(entry)

    async def positions(self) -> Sequence[Position]:
        held = await self._read(lambda: self._request(self._ib.reqPositionsAsync))
        return [
            Position(p.contract.symbol, to_decimal(p.position) or Decimal(0), to_decimal(p.avgCost))
            for p in held
            if p.account == self._account and p.position
        ]

    async def account(self) -> AccountInfo:
        await self._wait_ready()
        values = {v.tag: v.value for v in self._ib.accountValues(self._account) if v.currency in ("USD", "BASE", "")}
        return AccountInfo(
            account_id=self._account,
            cash=_amount(values, "TotalCashValue"),
            buying_power=_amount(values, "BuyingPower"),
            equity=_amount(values, "NetLiquidation"),
            live=self._live,
        )

    async def clock(self) -> MarketClock | None:
        return None  # IB has no session clock call; the exchange calendar is the authority


def _guard(check: Callable[..., None], mode: Mode, **facts: Any) -> None:
    """Run a live-trading guard; its refusal is a definite no from this adapter."""
    try:
        check(mode, **facts)
    except LiveGuardRefused as refused:
        raise BrokerRejected(refused.message, code=refused.code) from None


def _amount(values: dict[str, str], tag: str) -> Decimal:
    raw = values.get(tag)
    return Decimal(raw) if raw else Decimal(0)
