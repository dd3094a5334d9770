"""AlpacaBroker: the broker port on alpaca-py, safe against timeouts, resends, 429s and a dropped stream.

Identity: every order carries our client order id; an unknown outcome (timeout, 5xx, 504, a 422 duplicate) is
resolved with GET /v2/orders:by_client_order_id, never by sending again.
Fills: one key per execution, `<order id>@<cumulative quantity>` (see mapping.fill_key), whether the execution
came from the trade_updates stream or from the REST fill activities, so a restart, a reconnect or a duplicated
report books nothing twice. REST fills are read whenever the stream is down or has (re)connected since the last
read, which is the reconciliation Alpaca needs because it does not replay missed events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.alpaca.errors import DuplicateClientOrderId
from adapters.alpaca.mapping import decimal, fill_from_activity, fill_from_trade_update, order_report, timestamp
from adapters.alpaca.orders import check_client_order_id, sdk_order_request
from adapters.alpaca.rest import AlpacaRest, build_trading_client
from adapters.alpaca.rules import order_problem
from adapters.alpaca.settings import AlpacaConfigError, AlpacaConnection, AlpacaOptions
from adapters.alpaca.stream import TradeUpdates
from oms.config import Settings
from oms.domain.enums import OrderType
from oms.logging import get_logger
from oms.ports import (
    AccountInfo,
    BrokerError,
    BrokerRejected,
    BrokerUnavailable,
    Capabilities,
    FillReport,
    MarketClock,
    OrderNotFound,
    OrderReport,
    OrderRequest,
    Position,
)

log = get_logger("oms.adapters.alpaca")
ACTIVITY_PAGE = 100  # Alpaca's most per activities page
ONE_TICK = timedelta(microseconds=1)
RESOLVE_LOOKUPS = 3  # lookups by client order id after an unknown outcome before it stays unknown
_NEVER: Any = object()  # no REST read of fills yet


class AlpacaBroker:
    """One Alpaca account (paper by default) behind `oms.ports.Broker`."""

    name = "alpaca"
    capabilities = Capabilities(
        fractional=True,
        streaming=True,
        extended_hours=True,
        order_types=frozenset({OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT}),
        max_client_order_id_length=48,
        unique_client_order_ids=True,  # 422 "client_order_id must be unique"
        extended_hours_order_types=frozenset({OrderType.LIMIT}),
    )

    def __init__(self, connection: AlpacaConnection, options: AlpacaOptions | None = None) -> None:
        self.connection = connection
        self.options = options or AlpacaOptions()
        self._rest: AlpacaRest | None = None
        self._stream: TradeUpdates | None = None
        self._fills: dict[str, FillReport] = {}
        self._client_ids: dict[str, str] = {}  # Alpaca order id -> our client order id (activities lack it)
        # The stream generation and the window the last REST read covered (None: from the beginning).
        self._reconciled: tuple[int, datetime | None] | None = None
        self._fills_since: datetime | None = None
        self._rest_from: datetime | None = _NEVER  # the earliest `since` a REST read of fills started at
        self._rest_latest: datetime | None = None  # the newest fill a REST read returned
        self._tasks: set[asyncio.Task[None]] = set()
        self._assets: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, *, mode: str = "paper") -> AlpacaBroker:
        """Build from the OMS settings and the APCA_* variables (see docs/adapters/alpaca.md)."""
        return cls(AlpacaConnection.from_settings(settings, mode=mode))

    def __repr__(self) -> str:
        return f"AlpacaBroker(base_url={self.connection.base_url!r}, live={self.connection.live})"

    # -- lifecycle ---------------------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Build the SDK client, prove the keys on /v2/account, then start the stream (polling if it fails)."""
        client = await asyncio.to_thread(build_trading_client, self.connection)  # the SDK import is slow
        self._rest = AlpacaRest(client, self.options)
        try:
            info = await self.account()
        except BrokerRejected as exc:
            if exc.code != "ALPACA_AUTH":
                raise
            raise BrokerRejected(f"{exc.reason} [endpoint {self.connection.base_url}]", code=exc.code) from None
        if self.connection.live and info.account_id != self.connection.expected_account:
            expected = self.connection.expected_account
            raise AlpacaConfigError(f"alpaca: connected to account {info.account_id}, but live.account is {expected}")
        log.info("alpaca.connected", base_url=self.connection.base_url, account=info.account_id)
        if self.options.stream:
            self._stream = TradeUpdates(self.connection, self.options, self._on_trade_update, self._on_stream_connect)
            await self._stream.start()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        if self._rest is not None:
            self._rest.client._session.close()
            self._rest = None

    @property
    def rest(self) -> AlpacaRest:
        if self._rest is None:
            raise BrokerUnavailable("the Alpaca adapter is not connected")
        return self._rest

    @property
    def streaming(self) -> bool:
        return self._stream is not None and self._stream.connected.is_set()

    # -- write side --------------------------------------------------------------------------------------------
    async def submit(self, request: OrderRequest) -> OrderReport:
        """Send one order; an unknown outcome is resolved by client order id, never by sending again."""
        check_client_order_id(request.client_order_id)
        problem = order_problem(request, await self._asset(request.symbol))
        if problem is not None:
            raise problem
        model = sdk_order_request(request)
        client = self.rest.client
        if self.connection.live:
            log.info("alpaca.live_submit", account=self.connection.expected_account, **_request_fields(request))
        try:
            raw = await self.rest.call("submit_order", client.submit_order, model)
        except DuplicateClientOrderId:
            log.info("alpaca.duplicate_client_order_id", client_order_id=request.client_order_id)
            existing = await self._resolve(request.client_order_id, "a duplicate client order id")
            if (existing.symbol, existing.side, existing.quantity) != (request.symbol, request.side, request.quantity):
                raise BrokerRejected(
                    f"client order id {request.client_order_id} already names another order at Alpaca "
                    f"({existing.side} {existing.quantity} {existing.symbol}, {existing.raw_status})",
                    code="DUPLICATE_CLIENT_ORDER_ID",
                ) from None
            return existing
        except BrokerUnavailable as exc:
            log.warning("alpaca.submit_outcome_unknown", client_order_id=request.client_order_id, error=str(exc))
            return await self._resolve(request.client_order_id, str(exc))
        return self._remember(order_report(raw))

    async def _asset(self, symbol: str) -> dict[str, Any] | None:
        """The asset's flags (tradable, fractionable, shortable), read once per symbol for the adapter's life."""
        if symbol not in self._assets:
            try:
                self._assets[symbol] = await self.rest.call("get_asset", self.rest.client.get_asset, symbol)
            except BrokerUnavailable as exc:
                log.warning("alpaca.asset_unavailable", symbol=symbol, error=str(exc))
                return None  # not cached: asked again next time; the rules that need no flags still apply
            except BrokerError as exc:
                raise BrokerRejected(f"{symbol}: unknown to Alpaca ({exc})", code="ALPACA_UNKNOWN_ASSET") from exc
        return self._assets[symbol]

    async def _resolve(self, client_order_id: str, why: str) -> OrderReport:
        for attempt in range(RESOLVE_LOOKUPS):
            if attempt:  # a POST that timed out may still land: look again shortly before calling it unknown
                await asyncio.sleep(self.options.backoff_seconds * attempt)
            try:
                report = await self.find_order(client_order_id)
            except OrderNotFound:
                continue
            log.info("alpaca.resolved_by_client_order_id", client_order_id=client_order_id, status=report.status)
            return report
        raise BrokerUnavailable(
            f"order {client_order_id}: outcome unknown after {why}; Alpaca does not know it (yet): "
            "look it up by client order id before sending it again"
        )

    async def cancel(self, client_order_id: str, broker_order_id: str | None = None) -> None:
        """Ask Alpaca to cancel; BrokerRejected(CANCEL_TOO_LATE) when the order is already final."""
        order_id = broker_order_id or (await self.find_order(client_order_id)).broker_order_id
        try:
            await self.rest.call("cancel_order", self.rest.client.cancel_order_by_id, order_id)
        except BrokerRejected as exc:
            if exc.code != "CANCEL_PENDING":
                raise
            log.info("alpaca.cancel_already_pending", client_order_id=client_order_id)  # the answer comes in reports

    # -- read side ---------------------------------------------------------------------------------------------
    async def find_order(self, client_order_id: str) -> OrderReport:
        raw = await self.rest.call("get_order_by_client_id", self.rest.client.get_order_by_client_id, client_order_id)
        return self._remember(order_report(raw))

    async def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> Sequence[OrderReport]:
        """Every (open) order submitted at or after `since`, in pages of 500 whose time windows overlap.

        `after` is exclusive on submission time, so each next page starts one microsecond before the last order
        seen: orders sharing that instant are read again rather than skipped, and duplicates are dropped by id.
        """
        from alpaca.common.enums import Sort
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        status = QueryOrderStatus.OPEN if open_only else QueryOrderStatus.ALL
        after = since - ONE_TICK if since else None
        page = self.options.page_size
        seen: dict[str, OrderReport] = {}
        while True:
            query = GetOrdersRequest(status=status, limit=page, after=after, direction=Sort.ASC, nested=False)
            rows = await self.rest.call("get_orders", self.rest.client.get_orders, query)
            fresh = 0
            for raw in rows:
                if raw["id"] not in seen:
                    seen[raw["id"]] = self._remember(order_report(raw))
                    fresh += 1
            if len(rows) < page:
                break
            last = timestamp(rows[-1]["submitted_at"])
            if last is None:
                break
            # No progress means a whole page shares one instant: step past it rather than loop for ever.
            after = last if fresh == 0 else last - ONE_TICK
            if fresh == 0:
                log.error("alpaca.orders_page_without_progress", at=last.isoformat(), page=page)
        return list(seen.values())

    async def fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        """Every execution at or after `since`, each once, from the stream or (when needed) REST activities."""
        self._fills_since = since if self._fills_since is None or since is None else min(since, self._fills_since)
        if self._needs_rest(since):
            try:
                await self._read_rest_fills(since)
            except BrokerError as exc:
                # The activities endpoint failing (404, 5xx) must not stall the whole poll: what the stream gave is
                # returned, the next call tries REST again, and the engine's fill-gap repair covers the rest.
                log.warning("alpaca.fill_activities_failed", error=str(exc))
        return self._fills_at_or_after(since)

    async def fresh_fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        """Read the fill activities over REST now, whatever the stream says; a failure raises."""
        await self._read_rest_fills(since)
        return self._fills_at_or_after(since)

    def _fills_at_or_after(self, since: datetime | None) -> list[FillReport]:
        fills = [fill for fill in self._fills.values() if since is None or fill.at >= since]
        return sorted(fills, key=lambda fill: (fill.at, fill.exec_id))

    def _needs_rest(self, since: datetime | None) -> bool:
        if not self.streaming or self._stream is None or self._reconciled is None:
            return True
        generation, covered = self._reconciled
        if generation != self._stream.generation:
            return True
        return covered is not None and (since is None or since < covered)

    async def _read_rest_fills(self, since: datetime | None) -> None:
        generation = self._stream.generation if self._stream is not None else 0
        params: dict[str, Any] = {"direction": "asc", "page_size": ACTIVITY_PAGE}
        start = self._incremental_start(since)
        if start is not None:
            params["after"] = (start - ONE_TICK).isoformat()
        activities: list[dict[str, Any]] = []
        while True:
            page = await self.rest.call("get_fill_activities", self.rest.client.get, "/account/activities/FILL", params)
            activities.extend(page)
            if len(page) < ACTIVITY_PAGE:
                break
            params = {**params, "page_token": page[-1]["id"]}
        if self._rest_from is _NEVER or (since is None or (self._rest_from is not None and since < self._rest_from)):
            self._rest_from = since
        await self._learn_client_ids({str(a.get("order_id")) for a in activities})
        added = 0
        for activity in activities:
            fill = fill_from_activity(activity, self._client_ids.get(str(activity.get("order_id")), ""))
            if fill is not None:
                self._rest_latest = max(self._rest_latest or fill.at, fill.at)
                if fill.exec_id not in self._fills:
                    self._fills[fill.exec_id] = fill
                    added += 1
        self._reconciled = (generation, since)
        if added:
            log.info("alpaca.fills_reconciled", added=added, source="rest")

    def _incremental_start(self, since: datetime | None) -> datetime | None:
        """Where a REST read must start: `since`, or just before the newest fill already read when an earlier
        read covered `since` (activities can land a little after their transaction time, hence the overlap)."""
        covered = self._rest_from is not _NEVER and (
            self._rest_from is None or (since is not None and since >= self._rest_from)
        )
        if not covered or self._rest_latest is None:
            return since
        resume = self._rest_latest - timedelta(seconds=self.options.fill_overlap_seconds)
        return resume if since is None or resume > since else since

    async def _learn_client_ids(self, order_ids: set[str]) -> None:
        for order_id in sorted(order_ids - self._client_ids.keys()):
            raw = await self.rest.call("get_order_by_id", self.rest.client.get_order_by_id, order_id)
            self._remember(order_report(raw))

    async def positions(self) -> Sequence[Position]:
        rows = await self.rest.call("get_all_positions", self.rest.client.get_all_positions)
        held = []
        for raw in rows:
            quantity = decimal(raw.get("qty")) or Decimal(0)
            if raw.get("side") == "short" and quantity > 0:
                quantity = -quantity
            held.append(Position(str(raw["symbol"]), quantity, decimal(raw.get("avg_entry_price"))))
        return held

    async def account(self) -> AccountInfo:
        raw = await self.rest.call("get_account", self.rest.client.get_account)
        if not isinstance(raw, dict) or "cash" not in raw:
            raise BrokerRejected(f"Alpaca answered /v2/account with {str(raw)[:120]!r}", code="ALPACA_AUTH")
        return AccountInfo(
            account_id=str(raw.get("account_number") or raw.get("id")),
            cash=decimal(raw.get("cash")) or Decimal(0),
            buying_power=decimal(raw.get("buying_power")) or Decimal(0),
            equity=decimal(raw.get("equity")) or Decimal(0),
            currency=str(raw.get("currency") or "USD"),
            live=self.connection.live,
        )

    async def clock(self) -> MarketClock | None:
        raw = await self.rest.call("get_clock", self.rest.client.get_clock)
        return MarketClock(
            at=timestamp(raw.get("timestamp")) or datetime.now(UTC),
            is_open=bool(raw.get("is_open")),
            next_open=timestamp(raw.get("next_open")),
            next_close=timestamp(raw.get("next_close")),
        )

    # -- stream ------------------------------------------------------------------------------------------------
    async def _on_trade_update(self, message: dict[str, Any]) -> None:
        data = message.get("data") or {}
        order = data.get("order") or {}
        if order.get("id"):
            self._client_ids[str(order["id"])] = str(order.get("client_order_id", ""))
        fill = fill_from_trade_update(data)
        if fill is not None and fill.exec_id not in self._fills:
            self._fills[fill.exec_id] = fill
            log.info("alpaca.fill_streamed", client_order_id=fill.client_order_id, exec_id=fill.exec_id)

    def _on_stream_connect(self) -> None:
        """Reconcile over REST after every (re)connection: Alpaca does not replay what the stream missed."""
        task = asyncio.get_running_loop().create_task(self._reconcile())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reconcile(self) -> None:
        try:
            # Before the engine has asked for anything, the last day covers every order that can still be working.
            since = self._fills_since or datetime.now(UTC) - timedelta(days=1)
            await self._read_rest_fills(since)
        except Exception as exc:  # the next fill_reports call reads REST again: generation still differs
            log.warning("alpaca.reconcile_failed", error=str(exc))

    def _remember(self, report: OrderReport) -> OrderReport:
        if report.broker_order_id:
            self._client_ids[report.broker_order_id] = report.client_order_id
        return report


def _request_fields(request: OrderRequest) -> dict[str, Any]:
    return {
        "client_order_id": request.client_order_id,
        "symbol": request.symbol,
        "side": request.side.value,
        "quantity": str(request.quantity),
        "order_type": request.order_type.value,
        "limit_price": str(request.limit_price) if request.limit_price is not None else None,
    }
