"""A loopback Alpaca: the trading REST routes and the trade_updates websocket, with switches for the faults.

Run it in the test process: `with AlpacaEmulator() as emu:` starts an HTTP server and a websocket server on
127.0.0.1 (port 0) in background threads. Point alpaca-py at `emu.base_url` / `emu.stream_url` with the keys
`emu.key_id` / `emu.secret_key`. The venue state is `emu.venue` (see alpaca_venue.py); the switches are plain
attributes and methods, safe to flip from the test thread.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import ServerConnection, serve

from tests.fakes.alpaca_market_data import MarketDataDesk
from tests.fakes.alpaca_venue import AlpacaVenue
from tests.fakes.alpaca_wire import Reply, error, stamp, text

KEY_ID = "PKEMULATOR000000"
SECRET_KEY = "emulator-secret-do-not-log"


class AlpacaEmulator:
    """The loopback server and its fault switches."""

    def __init__(self, venue: AlpacaVenue | None = None, *, key_id: str = KEY_ID, secret_key: str = SECRET_KEY):
        self.venue = venue or AlpacaVenue()
        self.key_id = key_id
        self.secret_key = secret_key
        self.latency = 0.0  # seconds before every REST answer
        self.post_latency = 0.0  # seconds a POST /v2/orders takes before the venue sees the order
        self.rate_limit_remaining_errors = 0  # the next N requests answer 429
        self.gateway_timeouts_after_accept = 0  # the next N accepted orders answer 504 (the order stands)
        self.drop_replies_after_accept = 0  # the next N accepted orders get no reply at all (socket closed)
        self.unavailable_lookups = 0  # the next N GET /v2/orders:by_client_order_id answer 503
        self.activities_failure: int | None = None  # GET /v2/account/activities/FILL answers this status (404, 500)
        self.calls: Counter[str] = Counter()  # "GET /v2/orders" -> count
        self.post_bodies: list[dict[str, Any]] = []
        self._connections: set[ServerConnection] = set()
        self._sends: set[asyncio.Future[None]] = set()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._http.daemon_threads = True
        self._loop = asyncio.new_event_loop()
        self._ws_port = 0
        self._threads: list[threading.Thread] = []
        self.venue.listeners.append(self._publish)
        self.market_data = MarketDataDesk(self.venue)  # assets, quotes and bars of listed symbols

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def start(self) -> AlpacaEmulator:
        http_thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, name="alpaca-emu-http", daemon=True
        )
        http_thread.start()
        ready = threading.Event()
        ws_thread = threading.Thread(target=self._run_ws, args=(ready,), name="alpaca-emu-ws", daemon=True)
        ws_thread.start()
        if not ready.wait(5):
            raise RuntimeError("the emulator's websocket server did not start")
        self._threads = [http_thread, ws_thread]
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> AlpacaEmulator:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def stream_url(self) -> str:
        return f"ws://127.0.0.1:{self._ws_port}/stream"

    # -- switches ----------------------------------------------------------------------------------------------
    def drop_stream(self) -> None:
        """Cut every trade_updates connection; events until the client reconnects are lost, as on Alpaca."""

        def cut() -> None:
            for connection in list(self._connections):
                connection.transport.abort()
            self._connections.clear()

        self._loop.call_soon_threadsafe(cut)

    @property
    def stream_clients(self) -> int:
        return len(self._connections)

    def wait_for_stream_clients(self, count: int = 1, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.stream_clients < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.stream_clients} stream clients, wanted {count}")
            time.sleep(0.01)

    @contextmanager
    def walking(self, interval: float = 0.05) -> Iterator[None]:
        """Tick the price walk in the background (fills marketable orders) while the block runs."""
        stop = threading.Event()

        def walk() -> None:
            while not stop.wait(interval):
                self.venue.tick()

        thread = threading.Thread(target=walk, name="alpaca-emu-walk", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(5)

    # -- REST --------------------------------------------------------------------------------------------------
    def answer(self, method: str, path: str, params: dict[str, str], body: Any, headers: dict[str, str]) -> Reply:
        """Route one request; the handler turns the reply into HTTP."""
        route = _route_name(method, path)
        self.calls[route] += 1
        if route != f"{method} {path}":  # a templated route is counted per concrete path too (GET /v2/assets/VOO)
            self.calls[f"{method} {path}"] += 1
        if self.latency:
            time.sleep(self.latency)
        if headers.get("apca-api-key-id") != self.key_id:
            return 401, {"code": 40110000, "message": "request is not authorized"}  # Alpaca's answer to a bad key
        if headers.get("apca-api-secret-key") != self.secret_key:
            return 403, {"message": "forbidden."}
        if self.rate_limit_remaining_errors > 0:
            self.rate_limit_remaining_errors -= 1
            return 429, {"message": "too many requests."}
        venue = self.venue
        if route == "POST /v2/orders":
            self.post_bodies.append(body)
            time.sleep(self.post_latency)
            reply, accepted = venue.submit(body)
            if accepted is not None and self.gateway_timeouts_after_accept > 0:
                self.gateway_timeouts_after_accept -= 1
                return 504, "<html><body><h1>504 Gateway Time-out</h1></body></html>"
            if accepted is not None and self.drop_replies_after_accept > 0:
                self.drop_replies_after_accept -= 1
                raise _DropReply
            return reply
        if route == "GET /v2/orders":
            return venue.list_orders(params)
        if route == "GET /v2/orders:by_client_order_id":
            if self.unavailable_lookups > 0:
                self.unavailable_lookups -= 1
                return 503, {"message": "service unavailable"}
            return venue.get_by_client_id(params.get("client_order_id", ""))
        if route == "GET /v2/orders/{id}":
            return venue.get(path.rsplit("/", 1)[1])
        if route == "DELETE /v2/orders/{id}":
            return venue.cancel(path.rsplit("/", 1)[1])
        if route == "GET /v2/account/activities/FILL":
            if self.activities_failure is not None:
                return self.activities_failure, {
                    "code": 40410000 if self.activities_failure == 404 else 50010000,
                    "message": "endpoint not found."
                    if self.activities_failure == 404
                    else "internal server error occurred",
                }
            return venue.fill_activities(params)
        if route == "GET /v2/assets/{symbol}":
            return venue.asset(path.rsplit("/", 1)[1])
        if route == "GET /v2/account":
            return venue.account()
        if route == "GET /v2/positions":
            return venue.positions_json()
        if route == "GET /v2/clock":
            return venue.clock()
        if (listed := self.market_data.answer(route, path, params)) is not None:
            return listed
        if route == "GET /v2/stocks/quotes/latest":
            return self._latest_quotes(params)
        if route == "GET /v2/stocks/bars":
            return self._daily_bars(params)
        return error(404, "endpoint not found")

    def _latest_quotes(self, params: dict[str, str]) -> Reply:
        quotes = {}
        for symbol in params.get("symbols", "").split(","):
            price = self.venue.prices.get(symbol)
            if price is not None:
                spread = Decimal("0.01")
                quotes[symbol] = {
                    "ap": float(price + spread),
                    "bp": float(price - spread),
                    "t": stamp(datetime.now(UTC)),
                }
        return 200, {"quotes": quotes}

    def _daily_bars(self, params: dict[str, str]) -> Reply:
        if params.get("timeframe") == "1Min":
            return self._minute_bars(params)
        bars: dict[str, list[dict[str, Any]]] = {}
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        for symbol in params.get("symbols", "").split(","):
            price = self.venue.prices.get(symbol)
            if price is not None:
                bars[symbol] = [
                    {"t": stamp(today - timedelta(days=d)), "o": float(price), "c": float(price), "v": 1_000_000 + d}
                    for d in range(20, 0, -1)
                ]
        return 200, {"bars": bars, "next_page_token": None}

    def _minute_bars(self, params: dict[str, str]) -> Reply:
        """Minute bars from `start` to `end` (RFC 3339, required by this emulator), as the data API sends them: the
        bar's start `t`, OHLC, volume `v`, trade count `n` and the bar's VWAP `vw`; minute k trades 1,000 + 100 k
        shares at a VWAP of the venue's price plus k cents."""
        start, end = params.get("start"), params.get("end")
        if not start or not end:
            return error(422, "start and end are required")
        first = datetime.fromisoformat(start.replace("Z", "+00:00")).replace(second=0, microsecond=0)
        last = datetime.fromisoformat(end.replace("Z", "+00:00"))
        bars: dict[str, list[dict[str, Any]]] = {}
        for symbol in params.get("symbols", "").split(","):
            price = self.venue.prices.get(symbol)
            if price is None:
                continue
            rows, k = [], 0
            while first + timedelta(minutes=k) <= last:
                vw = float(price + Decimal(k) / 100)
                rows.append(
                    {
                        "t": stamp(first + timedelta(minutes=k)),
                        "o": vw,
                        "h": vw,
                        "l": vw,
                        "c": vw,
                        "v": 1000 + 100 * k,
                        "n": 10 + k,
                        "vw": vw,
                    }
                )
                k += 1
            bars[symbol] = rows
        return 200, {"bars": bars, "next_page_token": None}

    # -- websocket ---------------------------------------------------------------------------------------------
    def _run_ws(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            server = await serve(self._serve_stream, "127.0.0.1", 0)
            self._ws_port = next(iter(server.sockets)).getsockname()[1]
            ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    async def _serve_stream(self, connection: ServerConnection) -> None:
        hello = json.loads(await connection.recv())
        data = hello.get("data", {})
        authorized = data.get("key_id") == self.key_id and data.get("secret_key") == self.secret_key
        status = "authorized" if authorized else "unauthorized"
        await _send(connection, {"stream": "authorization", "data": {"status": status, "action": "authenticate"}})
        if not authorized:
            await connection.close()
            return
        listen = json.loads(await connection.recv())
        streams = listen.get("data", {}).get("streams", [])
        self._connections.add(connection)  # subscribed before the acknowledgement: nothing falls in between
        await _send(connection, {"stream": "listening", "data": {"streams": streams}})
        try:
            await connection.wait_closed()
        finally:
            self._connections.discard(connection)

    def _publish(self, message: dict[str, Any]) -> None:
        """Send a trade update to every listening client (called from whichever thread changed the venue)."""

        def fan_out() -> None:
            for connection in list(self._connections):
                task = asyncio.ensure_future(_send(connection, message))
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)

        if self._loop.is_running():
            self._loop.call_soon_threadsafe(fan_out)


async def _send(connection: ServerConnection, message: dict[str, Any]) -> None:
    # Alpaca's paper endpoint sends binary frames; the client must cope with bytes.
    with suppress(Exception):  # a client that went away just misses the event, as on Alpaca
        await connection.send(json.dumps(message).encode())


class _DropReply(Exception):
    """Close the socket without answering (the order was accepted; the client cannot know)."""


def _route_name(method: str, path: str) -> str:
    if path.startswith("/v2/orders/") and path != "/v2/orders/":
        return f"{method} /v2/orders/{{id}}"
    if path.startswith("/v2/assets/"):
        return f"{method} /v2/assets/{{symbol}}"
    return f"{method} {path}"


def _handler_for(emulator: AlpacaEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:  # keep test output quiet
            return

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, payload = emulator.answer(self.command, parts.path, params, body, headers)
            except _DropReply:
                self.close_connection = True
                self.connection.close()
                return
            if payload is None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            content_type = "text/html" if isinstance(payload, str) else "application/json"
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("X-Ratelimit-Limit", "200")
                self.send_header("X-Ratelimit-Remaining", "0")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = do_PATCH = _handle  # noqa: N815  (http.server's names)

    return Handler


__all__ = ["KEY_ID", "SECRET_KEY", "AlpacaEmulator", "text"]
