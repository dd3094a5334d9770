"""IbkrBroker: the broker port on ib_async, in the caller's asyncio loop.

Reads are answered from the gateway itself (open orders, completed orders, executions: three requests per poll
cycle), merged into the adapter's `OrderBook`; live events keep the book current in between (`session.py`).
Submissions wait, for a bounded time, until the connection is up and reconciled; a submission whose
acknowledgement does not arrive is an unknown outcome (BrokerUnavailable), resolved later by `find_order`, which
reads the gateway by orderRef.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.ibkr.book import Entry
from adapters.ibkr.mapping import ErrorKind, OrderFields, classify_error, order_fields, to_decimal
from adapters.ibkr.session import RECONNECT_DELAYS, GatewaySession, sdk
from adapters.ibkr.settings import IbkrSettings
from oms.domain.enums import OrderType
from oms.domain.live_guards import submission_log_fields
from oms.domain.market import Position
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

_FINAL = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


class IbkrBroker:
    """One IB account through TWS or IB Gateway."""

    name = "ibkr"
    capabilities = Capabilities(
        streaming=True,
        extended_hours=True,
        order_types=frozenset({OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT}),
        max_client_order_id_length=48,
        # IB takes a second order under an orderRef it already holds; orders held by a TWS precaution or placed
        # under another client id are invisible to this one.
        unique_client_order_ids=False,
        extended_hours_order_types=frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT}),
    )

    def __init__(
        self,
        settings: IbkrSettings,
        *,
        live: bool = False,
        ack_timeout: float | None = None,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
    ) -> None:
        self._session = GatewaySession(settings, live=live, reconnect_delays=reconnect_delays)
        self._book = self._session.book  # one book for the adapter's life, across reconnects
        self._ack_timeout = ack_timeout if ack_timeout is not None else settings.timeout_seconds
        self._contracts: dict[str, Any] = {}
        self._qualifying: dict[str, asyncio.Lock] = {}
        self._log = get_logger("adapters.ibkr")

    @property
    def live(self) -> bool:
        """Whether this adapter was built for live trading (it then refuses paper ports)."""
        return self._session.live

    @property
    def port(self) -> int:
        return self._session.settings.port

    @property
    def account_id(self) -> str:
        """The account this adapter trades, as the gateway confirmed it at connect."""
        return self._session.account

    async def connect(self) -> None:
        await self._session.connect()

    async def close(self) -> None:
        await self._session.close()

    # ---- write side ------------------------------------------------------------------------------------------

    async def submit(self, request: OrderRequest) -> OrderReport:
        fields = order_fields(request, self._session.account)
        contract = await self._session.read(lambda: self._contract(request.symbol))
        existing = self._book.get(request.client_order_id)
        if existing is not None and existing.rejected:
            # A resend: IB takes duplicate orderRefs, so look at open orders (every client's), completed orders
            # and today's executions first; an orderRef IB has shown is never placed again.
            await self._session.read(self._session.reconcile)
        if existing is not None and (not existing.rejected or existing.perm_id):
            return self._book.report(existing)  # already at IB: sending it again would duplicate it
        self._log.info(
            "ibkr.order.submitting", **submission_log_fields("ibkr", self._session.account, self._session.live, request)
        )
        for attempt in (1, 2):
            entry = await self._place_when_ready(contract, fields, request)

            def answered(entry: Entry = entry) -> bool:
                session = self._session
                return bool(entry.perm_id) or entry.client_order_id in session.errors or not session.is_ready()

            acknowledged = await self._session.pulse.until(answered, self._ack_timeout)
            if entry.perm_id:
                return self._book.report(entry)
            if not acknowledged or not self._session.is_ready():
                raise BrokerUnavailable(
                    f"{request.client_order_id}: no acknowledgement from IB within {self._ack_timeout:g}s;"
                    " the order may be live: resolve it with find_order"
                )
            code, message = self._session.errors[request.client_order_id]
            # Confirm with the gateway before calling it rejected: an error does not prove the order is gone.
            await self._session.reconcile()
            if entry.perm_id:
                return self._book.report(entry)
            if classify_error(code).kind is ErrorKind.RETRY and attempt == 1:
                self._log.warning("ibkr.order.retry", client_order_id=request.client_order_id, code=code)
                continue
            self._book.reject(entry, f"IB error {code}: {message}")
            raise BrokerRejected(f"{request.client_order_id}: IB error {code}: {message}", code=f"IB_{code}")
        raise AssertionError("unreachable")  # pragma: no cover

    async def _place_when_ready(self, contract: Any, fields: OrderFields, request: OrderRequest) -> Entry:
        """Send the order once the session is up; a socket found dead before sending means wait, not fail."""
        while True:
            await self._session.wait_ready()
            await self._session.pacer.acquire()
            try:
                return self._place(contract, fields, request)
            except ConnectionError:
                continue  # ib_async refused to send (not connected): nothing left the process

    def _place(self, contract: Any, fields: OrderFields, request: OrderRequest) -> Entry:
        order = sdk().Order(
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
        self._session.errors.pop(request.client_order_id, None)
        trade = self._session.ib.placeOrder(contract, order)
        entry = self._book.track(request.client_order_id, request.symbol, request.side, request.quantity, trade)
        self._session.session_ids[trade.order.orderId] = request.client_order_id
        return entry

    async def _contract(self, symbol: str) -> Any:
        """A qualified `Stock(symbol, "SMART", "USD")`, asked for once per symbol even by concurrent submissions."""
        async with self._qualifying.setdefault(symbol, asyncio.Lock()):
            if symbol not in self._contracts:
                self._contracts[symbol] = await self._qualify(symbol)
        return self._contracts[symbol]

    async def _qualify(self, symbol: str) -> Any:
        # Contract details rather than qualifyContracts: the ambiguity is ours to explain, and the call is the same
        # in ib_async and ib_insync.
        stock = sdk().Stock(symbol, "SMART", "USD")
        details = await self._session.request(lambda: self._session.ib.reqContractDetailsAsync(stock))
        listings = [d.contract for d in details if d.contract is not None and d.contract.secType == "STK"]
        if not listings:
            raise BrokerRejected(f"{symbol}: unknown to IB as a US stock or ETF on SMART", code="IB_UNKNOWN_SYMBOL")
        if len(listings) > 1:
            venues = sorted({c.primaryExchange for c in listings})
            raise BrokerRejected(
                f"{symbol}: ambiguous at IB ({len(listings)} listings: {', '.join(venues)})",
                code="IB_AMBIGUOUS_SYMBOL",
            )
        [contract] = listings
        contract.exchange = "SMART"  # route through SMART, whatever the listing's own exchange
        return contract

    async def cancel(self, client_order_id: str, broker_order_id: str | None = None) -> None:
        await self._session.wait_ready()
        entry = self._book.get(client_order_id)
        if entry is None:
            # Placed by an earlier session and not seen since? Ask the gateway before saying it does not exist.
            await self._session.read(self._session.reconcile)
            entry = self._book.get(client_order_id)
        if entry is None or entry.rejected:
            raise OrderNotFound(f"{client_order_id}: no such order at IB")
        if entry.raw_status in _FINAL and entry.unconfirmed_cancel is None:
            raise BrokerRejected(f"{client_order_id}: too late to cancel ({entry.raw_status})", code="TOO_LATE")
        if entry.trade is None:
            raise BrokerUnavailable(f"{client_order_id}: not yet re-read from the gateway after reconnecting")
        self._log.info("ibkr.order.cancelling", client_order_id=client_order_id, perm_id=entry.perm_id)
        await self._session.pacer.acquire()
        self._session.ib.cancelOrder(entry.trade.order)

    # ---- read side -------------------------------------------------------------------------------------------

    async def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> Sequence[OrderReport]:
        await self._session.read(self._session.reconcile)
        reports = [self._book.report(e) for e in self._book.entries()]
        return [
            r
            for r in reports
            if not (open_only and r.status.is_final)
            and (since is None or r.updated_at is None or r.updated_at >= since)
        ]

    async def fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        await self._session.read(self._session.read_executions)
        return [f for f in self._book.fills() if since is None or f.at >= since]

    async def fresh_fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        """Every read already asks the gateway (reqExecutions): a fresh read is an ordinary one."""
        return await self.fill_reports(since=since)

    async def find_order(self, client_order_id: str) -> OrderReport:
        await self._session.read(self._session.reconcile)
        entry = self._book.get(client_order_id)
        if entry is None:
            raise OrderNotFound(f"{client_order_id}: IB has no open, completed or executed order with this orderRef")
        return self._book.report(entry)

    async def positions(self) -> Sequence[Position]:
        held = await self._session.read(lambda: self._session.request(self._session.ib.reqPositionsAsync))
        return [
            Position(p.contract.symbol, to_decimal(p.position) or Decimal(0), to_decimal(p.avgCost))
            for p in held
            if p.account == self._session.account and p.position
        ]

    async def account(self) -> AccountInfo:
        await self._session.wait_ready()
        values = {
            v.tag: v.value
            for v in self._session.ib.accountValues(self._session.account)
            if v.currency in ("USD", "BASE", "")
        }
        return AccountInfo(
            account_id=self._session.account,
            cash=_amount(values, "TotalCashValue"),
            buying_power=_amount(values, "BuyingPower"),
            equity=_amount(values, "NetLiquidation"),
            live=self._session.live,
        )

    async def clock(self) -> MarketClock | None:
        return None  # IB has no session clock call; the exchange calendar is the authority


def _amount(values: dict[str, str], tag: str) -> Decimal:
    raw = values.get(tag)
    return Decimal(raw) if raw else Decimal(0)
