"""The connection to TWS / IB Gateway: connect, reconnect with backoff, reconcile, and keep the order book current.

ib_async runs in the caller's asyncio loop. The session reads the gateway's truth (open orders, completed orders,
executions) at every (re)connect and whenever asked, and applies live events (openOrder, orderStatus, execDetails,
commissionReport, errors) to the `OrderBook` in between. `ready` is true only once a connection is up *and*
reconciled; submissions wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from adapters.ibkr.book import OrderBook
from adapters.ibkr.mapping import ErrorKind, classify_error
from adapters.ibkr.pacing import Pacer
from adapters.ibkr.plumbing import Pulse, read_times_as_utc
from adapters.ibkr.settings import IbkrSettings
from oms.domain.live_guards import (
    LiveGuardRefused,
    Mode,
    check_connected_account,
    check_endpoint_matches_mode,
    ibkr_port_is_paper,
)
from oms.logging import get_logger
from oms.ports import BrokerRejected, BrokerUnavailable

# IB's limit is 50 messages a second (error 100 beyond it): the adapter paces itself at 40, ib_async's own
# throttle (45) stays as a backstop.
MESSAGES_PER_SECOND = 40
SDK_MESSAGES_PER_SECOND = 45
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def sdk() -> ModuleType:
    """The IB client library, imported on first use: ib_async, or ib_insync (same API) where that is installed."""
    try:
        import ib_async
    except ImportError:  # pragma: no cover - the project depends on ib_async; ib_insync is the fallback
        import ib_insync

        return ib_insync
    return ib_async


class GatewaySession:
    """One client connection to the gateway, re-established after every drop, and the book it keeps."""

    def __init__(
        self, settings: IbkrSettings, *, live: bool, reconnect_delays: Sequence[float] = RECONNECT_DELAYS
    ) -> None:
        self.settings = settings
        self.live = live
        self.timeout = settings.timeout_seconds
        self.ib: Any = None
        self.account = settings.account
        self.book = OrderBook()
        self.session_ids: dict[int, str] = {}  # orderId -> client order id, this session only
        self.errors: dict[str, tuple[int, str]] = {}  # the last order error, by client order id
        self.client_id_refused: str | None = None  # set when the gateway answered 326 at connect
        self.pulse = Pulse()
        self.pacer = Pacer(MESSAGES_PER_SECOND)
        self._reconnect_delays = tuple(reconnect_delays)
        self._ready = False
        self._closing = False
        self._opening = False
        self._reading = asyncio.Lock()  # ib_async keys open/completed order requests by name: one at a time
        self._tasks: set[asyncio.Task[None]] = set()
        self._log = get_logger("adapters.ibkr")

    async def connect(self) -> None:
        self._closing = False
        if self.ib is None:
            ib = sdk().IB()
            ib.client.MaxRequests = SDK_MESSAGES_PER_SECOND
            ib.openOrderEvent += self._on_trade
            ib.orderStatusEvent += self._on_trade
            ib.execDetailsEvent += self._on_fill
            ib.commissionReportEvent += self._on_commission
            ib.errorEvent += self._on_error
            ib.disconnectedEvent += self._on_disconnected
            read_times_as_utc(ib)
            self.ib = ib
        await self._open_session()

    async def close(self) -> None:
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        if self.ib is not None:
            self.ib.disconnect()
        self._ready = False
        self.pulse.fire()

    async def _open_session(self) -> None:
        s = self.settings
        mode = Mode.LIVE if self.live else Mode.PAPER
        self._opening = True
        try:
            _guard(
                check_endpoint_matches_mode,
                mode,
                endpoint_is_paper=ibkr_port_is_paper(s.port),
                endpoint=f"port {s.port}",
            )
            await self._connect_socket()
            accounts = list(self.ib.managedAccounts())
            try:
                _guard(check_connected_account, mode, configured_account=s.account, connected_accounts=accounts)
            except BrokerRejected:
                self.ib.disconnect()
                raise
            self.account = s.account or accounts[0]
            try:
                await self.reconcile()
            except BrokerUnavailable:
                self.ib.disconnect()  # half a session is no session: the next attempt starts clean
                raise
        finally:
            self._opening = False
        self._ready = True
        self._log.info("ibkr.connected", account=self.account, port=s.port, client_id=s.client_id)
        self.pulse.fire()

    async def _connect_socket(self) -> None:
        """Connect the client; 326 (client id taken) is a definite, final no, not a reason to retry."""
        s = self.settings
        self.client_id_refused = None
        connecting = asyncio.ensure_future(
            self.ib.connectAsync(s.host, s.port, s.client_id, timeout=self.timeout, account=s.account)
        )
        connecting.add_done_callback(lambda _: self.pulse.fire())
        await self.pulse.until(lambda: connecting.done() or self.client_id_refused is not None, self.timeout + 1)
        if self.client_id_refused is not None:
            connecting.cancel()
            with contextlib.suppress(BaseException):
                await connecting
            self.ib.disconnect()
            raise BrokerRejected(
                f"{self.client_id_refused}; set another [ibkr] client_id or close the other client",
                code="IB_CLIENT_ID_IN_USE",
            )
        try:
            await connecting
        except (OSError, TimeoutError, ConnectionError) as exc:
            raise BrokerUnavailable(f"IB gateway at {s.host}:{s.port} not reachable: {exc!r}") from exc

    def _on_disconnected(self) -> None:
        was_ready, self._ready = self._ready, False
        self.session_ids.clear()
        for entry in self.book.entries():
            entry.trade = None
        self.pulse.fire()
        if self._closing or self._opening or any(t.get_name() == "ibkr-reconnect" for t in self._tasks):
            return
        if was_ready:
            self._log.warning("ibkr.disconnected", account=self.account)
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
                await self.request(lambda: self.ib.reqAccountUpdatesAsync(self.account))
            await self.reconcile()
        except BrokerUnavailable:
            return  # the socket went too; the reconnect path takes over
        self._ready = True
        self.pulse.fire()

    def is_ready(self) -> bool:
        return self._ready and self.ib is not None and self.ib.client.isReady()

    async def wait_ready(self) -> None:
        if not await self.pulse.until(self.is_ready, self.timeout):
            raise BrokerUnavailable(
                f"IB gateway not connected (or not reconciled) after {self.timeout:g}s; nothing was sent"
            )

    def _spawn(self, coroutine: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- reading the gateway ---------------------------------------------------------------------------------

    async def request(self, send: Callable[[], Any]) -> Any:
        """Send one paced request (`send` makes the ib_async call) and await its answer within the timeout."""
        await self.pacer.acquire()
        if not self.ib.client.isReady():
            raise BrokerUnavailable("IB gateway connection dropped")
        try:
            return await asyncio.wait_for(send(), self.timeout)
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise BrokerUnavailable(f"IB gateway did not answer: {exc!r}") from exc

    async def reconcile(self) -> None:
        """Read open orders, completed orders and executions from the gateway into the book."""
        async with self._reading:
            await self._reconcile_now()

    async def _reconcile_now(self) -> None:
        ib = self.ib
        # Every client's open orders: one placed under another client id (an earlier run) is ours all the same.
        open_trades = await self.request(ib.reqAllOpenOrdersAsync)
        completed = await self.request(lambda: ib.reqCompletedOrdersAsync(False))
        open_perms: set[int] = set()
        for trade in open_trades:
            entry = self.book.absorb(trade, open_at_gateway=True)
            if entry is not None:
                open_perms.add(entry.perm_id)
                entry.trade = trade
                self.session_ids[trade.order.orderId] = entry.client_order_id
        completed_perms: set[int] = set()
        for trade in completed:
            entry = self.book.absorb(trade)
            if entry is not None:
                completed_perms.add(entry.perm_id)
        for entry in self.book.settle_unconfirmed(open_perms, completed_perms):
            self._log.info(
                "ibkr.error_cancel_confirmed", client_order_id=entry.client_order_id, status=entry.raw_status
            )
        await self._read_executions_now()
        self.pulse.fire()

    async def read_executions(self) -> None:
        async with self._reading:
            await self._read_executions_now()

    async def _read_executions_now(self) -> None:
        ib = self.ib
        for fill in await self.request(ib.reqExecutionsAsync):
            # The session's own Fill object carries the commission report that followed the execution.
            known = ib.wrapper.fills.get(fill.execution.execId, fill)
            if self.book.add_fill(known) is not None:
                self._log.info("ibkr.fill_recovered", exec_id=fill.execution.execId)

    # ---- live events -----------------------------------------------------------------------------------------

    def _on_trade(self, trade: Any) -> None:
        entry = self.book.absorb(trade)
        if entry is None:
            return
        entry.trade = trade
        self.session_ids[trade.order.orderId] = entry.client_order_id
        if entry.unconfirmed_cancel is not None and self._ready and not self._opening:
            # ib_async cancels a trade locally on any error; the order may still live. Ask the gateway.
            self._spawn(self._confirm(), "ibkr-confirm")
        self.pulse.fire()

    async def _confirm(self) -> None:
        with contextlib.suppress(BrokerUnavailable):
            await self.reconcile()

    def _on_fill(self, trade: Any, fill: Any) -> None:
        self.book.match(trade)
        report = self.book.add_fill(fill)
        if report is not None:
            self._log.info(
                "ibkr.fill",
                exec_id=report.exec_id,
                client_order_id=report.client_order_id,
                quantity=str(report.quantity),
            )
        self.pulse.fire()

    def _on_commission(self, trade: Any, fill: Any, report: Any) -> None:
        self.book.add_commission(report.execId, report.commission)

    def _on_error(self, req_id: int, code: int, message: str, contract: Any) -> None:
        meaning = classify_error(code)
        if meaning.kind is ErrorKind.NOTICE:
            self._log.info("ibkr.notice", code=code, message=message)
            return
        if meaning.kind is ErrorKind.WARNING:
            # Never an order's answer: the order lives on (399: held until the open, possibly invisible meanwhile).
            self._log.info(
                "ibkr.order_warning", client_order_id=self.session_ids.get(req_id), code=code, message=message
            )
            return
        if meaning.kind is ErrorKind.CLIENT_ID_IN_USE:
            self.client_id_refused = f"IB error {code}: client id {self.settings.client_id} is in use ({message})"
            self._log.error("ibkr.client_id_in_use", client_id=self.settings.client_id, message=message)
            self.pulse.fire()
            return
        if meaning.kind is ErrorKind.CONNECTIVITY_LOST:
            self._log.warning("ibkr.connectivity_lost", code=code, message=message)
            self._ready = False
        elif meaning.kind is ErrorKind.CONNECTIVITY_RESTORED:
            self._log.info("ibkr.connectivity_restored", code=code, message=message)
            self._spawn(self._resync(data_lost=code == 1101), "ibkr-resync")
        elif req_id in self.session_ids:
            client_order_id = self.session_ids[req_id]
            self.errors[client_order_id] = (code, message)
            entry = self.book.get(client_order_id)
            if entry is not None and meaning.kind is ErrorKind.CANCEL_REJECTED:
                entry.reason = f"cancel rejected ({code}): {message}"
            level = self._log.info if meaning.kind is ErrorKind.CANCELLED else self._log.warning
            level("ibkr.order_error", client_order_id=client_order_id, code=code, message=message)
        else:
            self._log.warning("ibkr.error", req_id=req_id, code=code, message=message)
        self.pulse.fire()

    async def read(self, read: Callable[[], Any]) -> Any:
        """Run a read once the session is ready; a read cut by a dropping socket is retried after the reconnect."""
        for attempt in (1, 2):
            await self.wait_ready()
            try:
                return await read()
            except BrokerUnavailable:
                if attempt == 2 or self.is_ready():
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def _guard(check: Callable[..., None], mode: Mode, **facts: Any) -> None:
    """Run a live-trading guard; its refusal is a definite no from this adapter."""
    try:
        check(mode, **facts)
    except LiveGuardRefused as refused:
        raise BrokerRejected(refused.message, code=refused.code) from None
