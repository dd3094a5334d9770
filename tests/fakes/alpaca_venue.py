"""The state behind the Alpaca emulator: orders, executions, positions and a seeded price walk.

Everything here speaks Alpaca's JSON shapes (numbers as strings, Alpaca's status words and error bodies) so the
HTTP and websocket layers in `alpaca_emulator.py` only route. Thread-safe: the HTTP server answers from worker
threads while tests drive fills from the test thread.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.fakes.alpaca_wire import Reply, VenueOrder, error, on_tick, parse_time, price_of, stamp, text

FINAL = frozenset({"filled", "canceled", "expired", "rejected", "replaced", "done_for_day"})
EVERY_STATUS = (
    "new",
    "partially_filled",
    "filled",
    "done_for_day",
    "canceled",
    "expired",
    "replaced",
    "pending_cancel",
    "pending_replace",
    "accepted",
    "pending_new",
    "accepted_for_bidding",
    "stopped",
    "rejected",
    "suspended",
    "calculated",
    "held",
)
MAX_LIST_LIMIT = 500
MAX_ACTIVITY_PAGE = 100


class AlpacaVenue:
    """One paper account: its orders, executions, positions and the prices its symbols walk along."""

    def __init__(self, prices: dict[str, Decimal] | None = None, *, seed: int = 7, cash: Decimal = Decimal(10**6)):
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.prices = dict(prices or {"AAPL": Decimal("190.00"), "MSFT": Decimal("410.00"), "PENNY": Decimal("0.5")})
        self.cash = cash
        self.orders: dict[str, VenueOrder] = {}
        self.by_client_id: dict[str, str] = {}
        self.activities: list[dict[str, Any]] = []
        self.positions: dict[str, tuple[Decimal, Decimal]] = {}  # symbol -> (qty, cost)
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.market_open = True
        self.check_wash_trades = True
        self.allow_short = False  # a cash account: a sell needs the shares
        self.duplicate_reports = False
        # Asset flags by symbol (Alpaca's /v2/assets); unlisted flags are true.
        self.asset_flags: dict[str, dict[str, bool]] = {"PENNY": {"fractionable": False}}
        self.pending_cancel_window = False  # cancels wait in pending_cancel until confirm_cancels()
        self.silent_fills = 0  # the next N executions reach REST only: the stream stays up and says nothing
        self.reject_next: str | None = None
        self.volatility = 0.0005  # the walk's step, a fraction of the price per tick
        self.reversion = 0.1  # the fraction of the distance to the opening price the walk closes each tick
        self.anchors: dict[str, Decimal] = {}
        self.partial_fill_chance = 0.0  # paper fills a market order partially about 10% of the time
        self._last_time = datetime.now(UTC)

    # -- time and events ---------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """A strictly increasing clock, so submission times never tie (Alpaca's are microsecond-precise)."""
        now = max(datetime.now(UTC), self._last_time + timedelta(microseconds=1))
        self._last_time = now
        return now

    def _emit(self, event: str, order: VenueOrder, **extra: Any) -> None:
        data = {"event": event, "order": order.as_json(), "timestamp": stamp(self.now()), **extra}
        message = {"stream": "trade_updates", "data": data}
        for listener in list(self.listeners):
            listener(message)

    # -- orders ------------------------------------------------------------------------------------------------
    def submit(self, body: dict[str, Any]) -> tuple[Reply, VenueOrder | None]:
        """Validate and accept an order as POST /v2/orders does; returns the reply and the order (when accepted)."""
        with self.lock:
            coid = str(body.get("client_order_id") or uuid.uuid4())
            if len(coid) > 48:
                return error(422, "client_order_id must be no more than 48 characters", 40010001), None
            if coid in self.by_client_id:
                return error(422, "client_order_id must be unique", 40010001), None
            symbol = str(body.get("symbol", "")).upper()
            if symbol not in self.prices:
                return error(422, f'asset "{symbol}" not found', 40010001), None
            qty = Decimal(str(body.get("qty", "0")))
            if qty <= 0:
                return error(422, "qty must be > 0", 40010001), None
            limit = price_of(body.get("limit_price"))
            stop = price_of(body.get("stop_price"))
            for price in (limit, stop):
                if price is not None and price != on_tick(price):
                    return error(422, "sub-penny increment does not fulfill minimum pricing criteria", 42210000), None
            refused = self._order_rules(symbol, qty, body, limit)
            if refused is not None:
                return refused, None
            if self.reject_next is not None:
                reason, self.reject_next = self.reject_next, None
                return error(403, reason, 40310000), None
            side = str(body.get("side"))
            if side == "sell" and not self._can_sell(symbol, qty):
                held = self.positions.get(symbol, (Decimal(0), Decimal(0)))[0]
                message = f"insufficient qty available for order (requested: {text(qty)}, available: {text(held)})"
                return error(403, message, 40310000), None
            if self.check_wash_trades and self._opposite_open(symbol, side):
                return error(403, "potential wash trade detected. use complex orders", 40310000), None
            if side == "buy" and qty * (limit or self.prices[symbol]) > self.cash:
                return error(403, "insufficient buying power", 40310000), None
            at = self.now()
            order = VenueOrder(
                id=str(uuid.uuid4()),
                client_order_id=coid,
                symbol=symbol,
                side=side,
                qty=qty,
                type=str(body.get("type", "market")),
                time_in_force=str(body.get("time_in_force", "day")),
                limit_price=limit,
                stop_price=stop,
                extended_hours=bool(body.get("extended_hours", False)),
                submitted_at=at,
                updated_at=at,
            )
            self.orders[order.id] = order
            self.by_client_id[coid] = order.id
            reply = (200, order.as_json())  # POST answers `accepted`; the order goes `new` right after
            if self.market_open:
                order.status = "new"
                self._emit("new", order)
            return reply, order

    def _order_rules(self, symbol: str, qty: Decimal, body: dict[str, Any], limit: Decimal | None) -> Reply | None:
        """Alpaca's rules on fractions, extended hours and assets, with its own answers."""
        flags = self.asset_json(symbol)
        tif, kind = str(body.get("time_in_force", "day")), str(body.get("type", "market"))
        if not flags["tradable"]:
            return error(422, f"asset {symbol} is not tradable", 42210000)
        if qty != qty.to_integral_value():
            if not flags["fractionable"]:
                return error(422, f"asset {symbol} is not fractionable", 42210000)
            if tif != "day" or kind not in ("market", "limit"):
                return error(422, "fractional orders must be DAY orders", 42210000)
            if qty * (limit or self.prices[symbol]) < 1:
                return error(403, "cost basis must be >= 1", 40310000)
        if body.get("extended_hours") and (tif != "day" or kind != "limit"):
            return error(422, "extended hours order must be DAY limit orders", 42210000)
        if str(body.get("side")) == "sell" and self.allow_short and not flags["shortable"]:
            held = self.positions.get(symbol, (Decimal(0), Decimal(0)))[0]
            if qty > held:
                return error(403, f"asset {symbol} cannot be sold short", 40310000)
        return None

    def asset_json(self, symbol: str) -> dict[str, Any]:
        base = {"tradable": True, "fractionable": True, "shortable": True, "easy_to_borrow": True}
        return {**base, **self.asset_flags.get(symbol, {})}

    def asset(self, symbol: str) -> Reply:
        """GET /v2/assets/{symbol}."""
        symbol = symbol.upper()
        if symbol not in self.prices:
            return error(404, "asset not found", 40410000)
        flags = self.asset_json(symbol)
        return 200, {
            "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)),
            "class": "us_equity",
            "exchange": "NASDAQ",
            "symbol": symbol,
            "name": symbol,
            "status": "active",
            "marginable": True,
            **flags,
        }

    def _can_sell(self, symbol: str, qty: Decimal) -> bool:
        if self.allow_short:
            return True
        held = self.positions.get(symbol, (Decimal(0), Decimal(0)))[0]
        committed = sum(
            (o.qty - o.filled_qty)
            for o in self.orders.values()
            if o.symbol == symbol and o.side == "sell" and o.status not in FINAL
        )
        return held - committed >= qty

    def _opposite_open(self, symbol: str, side: str) -> bool:
        return any(
            o.symbol == symbol and o.side != side and o.status not in FINAL and o.type in ("market", "limit")
            for o in self.orders.values()
        )

    def get(self, order_id: str) -> Reply:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return error(404, "order not found", 40410000)
            return 200, order.as_json()

    def get_by_client_id(self, coid: str) -> Reply:
        with self.lock:
            order_id = self.by_client_id.get(coid)
            if order_id is None:
                return error(404, "order not found", 40410000)
            return 200, self.orders[order_id].as_json()

    def cancel(self, order_id: str) -> Reply:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return error(404, "order not found", 40410000)
            if order.status in FINAL or order.status == "pending_cancel":
                return error(422, f'order is already in "{order.status}" state', 42210000)
            order.updated_at = self.now()
            if self.pending_cancel_window:  # the exchange has not confirmed yet: pending_cancel, then canceled
                order.status = "pending_cancel"
                self._emit("pending_cancel", order)
                return 204, None
            order.status = "canceled"
            self._emit("canceled", order)
            return 204, None

    def confirm_cancels(self) -> None:
        """The exchange confirms every pending cancel."""
        with self.lock:
            for order in self.orders.values():
                if order.status == "pending_cancel":
                    order.status, order.updated_at = "canceled", self.now()
                    self._emit("canceled", order)

    def list_orders(self, params: dict[str, str]) -> Reply:
        """GET /v2/orders: status filter, at most 500 a call, after/until exclusive on submitted_at, direction."""
        with self.lock:
            limit = int(params.get("limit", "50"))
            if limit > MAX_LIST_LIMIT:
                return error(422, f"limit must be less than or equal to {MAX_LIST_LIMIT}", 40010001)
            status = params.get("status", "open")
            after = parse_time(params["after"]) if params.get("after") else None
            until = parse_time(params["until"]) if params.get("until") else None
            symbols = set(params["symbols"].split(",")) if params.get("symbols") else None
            rows = [
                o
                for o in self.orders.values()
                if (status == "all" or (status == "open") == (o.status not in FINAL))
                and (after is None or o.submitted_at > after)
                and (until is None or o.submitted_at < until)
                and (symbols is None or o.symbol in symbols)
            ]
            rows.sort(key=lambda o: o.submitted_at, reverse=params.get("direction", "desc") == "desc")
            return 200, [o.as_json() for o in rows[:limit]]

    # -- executions --------------------------------------------------------------------------------------------
    def execute(self, coid: str, qty: Decimal, price: Decimal | None = None) -> None:
        """Fill `qty` of a working order at `price` (default: the walk's price, bounded by the limit)."""
        with self.lock:
            order = self.orders[self.by_client_id[coid]]
            if order.status in FINAL and order.status != "canceled":
                raise ValueError(f"order {coid} is {order.status}")
            qty = min(qty, order.qty - order.filled_qty)
            if qty <= 0:
                raise ValueError(f"order {coid} has nothing left to fill")
            px = price if price is not None else self._fill_price(order)
            order.filled_qty += qty
            order.notional_filled += qty * px
            order.updated_at = self.now()
            if order.status != "canceled":  # a late fill on a cancelled order keeps the cancel
                order.status = "filled" if order.filled_qty == order.qty else "partially_filled"
            held, cost = self.positions.get(order.symbol, (Decimal(0), Decimal(0)))
            signed = qty if order.side == "buy" else -qty
            self.positions[order.symbol] = (held + signed, cost + signed * px)
            self.cash -= signed * px
            execution_id = str(uuid.uuid4())
            activity = {
                "id": f"{order.updated_at.strftime('%Y%m%d%H%M%S%f')}::{execution_id}",
                "activity_type": "FILL",
                "transaction_time": stamp(order.updated_at),
                "type": "fill" if order.filled_qty == order.qty else "partial_fill",
                "price": text(px),
                "qty": text(qty),
                "side": order.side,
                "symbol": order.symbol,
                "leaves_qty": text(order.qty - order.filled_qty),
                "order_id": order.id,
                "cum_qty": text(order.filled_qty),
                "order_status": order.status,
            }
            copies = 2 if self.duplicate_reports else 1
            silent = self.silent_fills > 0
            self.silent_fills -= 1 if silent else 0
            for _ in range(copies):
                self.activities.append(activity)
                if silent:
                    continue
                self._emit(
                    activity["type"],
                    order,
                    execution_id=execution_id,
                    price=text(px),
                    qty=text(qty),
                    position_qty=text(held + signed),
                )

    def _fill_price(self, order: VenueOrder) -> Decimal:
        market = self.prices[order.symbol]
        if order.limit_price is None:
            return market
        return min(market, order.limit_price) if order.side == "buy" else max(market, order.limit_price)

    def tick(self) -> None:
        """Walk every price one step and fill the orders the new prices reach."""
        with self.lock:
            for symbol, price in self.prices.items():
                # Mean-reverting around the opening price, so a limit near the reference crosses within seconds.
                anchor = self.anchors.setdefault(symbol, price)
                step = Decimal(str(round(self.rng.gauss(0, self.volatility), 6)))
                pull = (anchor - price) * Decimal(str(self.reversion))
                self.prices[symbol] = on_tick(max(price * (1 + step) + pull, Decimal("0.0001")))
            for order in list(self.orders.values()):
                if order.status not in ("new", "partially_filled"):
                    continue
                market = self.prices[order.symbol]
                crosses = order.limit_price is None or (
                    market <= order.limit_price if order.side == "buy" else market >= order.limit_price
                )
                if not crosses:
                    continue
                left = order.qty - order.filled_qty
                if self.rng.random() < self.partial_fill_chance and left > 1:
                    left = Decimal(self.rng.randint(1, int(left) - 1))
                self.execute(order.client_order_id, left)

    def set_status(self, coid: str, status: str) -> None:
        """Force an order into any Alpaca status (to prove the adapter maps each one)."""
        with self.lock:
            order = self.orders[self.by_client_id[coid]]
            order.status = status
            order.updated_at = self.now()

    def seed_open_orders(self, count: int, symbol: str = "AAPL") -> None:
        """Add `count` working limit orders directly (no HTTP), for the pagination tests."""
        with self.lock:
            for n in range(count):
                at = self.now()
                order = VenueOrder(
                    id=str(uuid.uuid4()),
                    client_order_id=f"seed-{n:05d}",
                    symbol=symbol,
                    side="buy",
                    qty=Decimal(1),
                    type="limit",
                    time_in_force="day",
                    limit_price=Decimal("1.00"),
                    stop_price=None,
                    extended_hours=False,
                    submitted_at=at,
                    updated_at=at,
                    status="new",
                )
                self.orders[order.id] = order
                self.by_client_id[order.client_order_id] = order.id

    # -- account -----------------------------------------------------------------------------------------------
    def fill_activities(self, params: dict[str, str]) -> Reply:
        """GET /v2/account/activities/FILL: at most 100 a page, `page_token` is the last id seen, after exclusive."""
        with self.lock:
            size = min(int(params.get("page_size", "100")), MAX_ACTIVITY_PAGE)
            after = parse_time(params["after"]) if params.get("after") else None
            rows = [a for a in self.activities if after is None or parse_time(a["transaction_time"]) > after]
            if params.get("direction", "desc") == "desc":
                rows.reverse()
            token = params.get("page_token")
            if token:
                ids = [a["id"] for a in rows]
                rows = rows[ids.index(token) + 1 :] if token in ids else []
                while rows and rows[0]["id"] == token:  # a duplicated report shares its id
                    rows = rows[1:]
            return 200, rows[:size]

    def account(self) -> Reply:
        with self.lock:
            equity = self.cash + sum((q * self.prices[s] for s, (q, _) in self.positions.items()), Decimal(0))
            return 200, {
                "id": "5d4c2c8c-0000-4000-8000-000000000001",
                "account_number": "PA3EMULATOR",
                "status": "ACTIVE",
                "currency": "USD",
                "cash": text(self.cash),
                "buying_power": text(self.cash * 2),
                "equity": text(equity),
                "portfolio_value": text(equity),
                "pattern_day_trader": False,
                "trading_blocked": False,
            }

    def positions_json(self) -> Reply:
        with self.lock:
            rows = []
            for symbol, (qty, cost) in sorted(self.positions.items()):
                if not qty:
                    continue
                rows.append(
                    {
                        "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)),
                        "symbol": symbol,
                        "exchange": "NASDAQ",
                        "asset_class": "us_equity",
                        "qty": text(qty),
                        "qty_available": text(qty),
                        "avg_entry_price": text((cost / qty).quantize(Decimal("0.0001"))),
                        "side": "long" if qty > 0 else "short",
                        "market_value": text(qty * self.prices[symbol]),
                        "current_price": text(self.prices[symbol]),
                    }
                )
            return 200, rows

    def clock(self) -> Reply:
        now = datetime.now(UTC)
        return 200, {
            "timestamp": now.isoformat(),
            "is_open": self.market_open,
            "next_open": (now + timedelta(days=1)).isoformat(),
            "next_close": (now + timedelta(hours=6)).isoformat(),
        }
