"""The trade_updates stream on alpaca-py's TradingStream, run as a task in the engine's event loop.

The SDK reconnects by itself but says nothing when it does, and Alpaca does not replay what was missed; a small
subclass reports each (re)connection so the broker can reconcile over REST before trusting the stream again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.alpaca.settings import AlpacaConnection, AlpacaOptions
from oms.logging import get_logger

log = get_logger("oms.adapters.alpaca")

Handler = Callable[[dict[str, Any]], Awaitable[None]]
STOP_ATTEMPTS = 10
STOP_WAIT_SECONDS = 0.5


class TradeUpdates:
    """Owns the stream task; `generation` counts connections, `connected` says whether one is up now."""

    def __init__(
        self, connection: AlpacaConnection, options: AlpacaOptions, on_update: Handler, on_connect: Callable[[], None]
    ) -> None:
        self._connection = connection
        self._options = options
        self._on_update = on_update
        self._on_connect = on_connect
        self._stream: Any = None
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.generation = 0

    async def start(self) -> bool:
        """Start streaming; True when it connected within the wait, False when polling must do alone for now."""
        self._stream = _build_stream(self._connection, self._options, self)
        self._stream.subscribe_trade_updates(self._on_update)
        self._task = asyncio.create_task(self._stream._run_forever(), name="alpaca-trade-updates")
        try:
            await asyncio.wait_for(self.connected.wait(), self._options.stream_connect_wait_seconds)
        except TimeoutError:
            log.warning("alpaca.stream_unavailable", url=self._connection.trade_stream_url)
            return False
        return True

    async def stop(self) -> None:
        """Stop the stream; bounded, so a close can never hang the engine's shutdown."""
        stream, task = self._stream, self._task
        self._task = None
        if stream is not None:
            with contextlib.suppress(Exception):
                await stream.stop_ws()  # asks the SDK's loop to finish on its own
        if task is not None:
            # Python 3.11's wait_for (used inside the SDK's loop) can swallow a cancellation that races a received
            # message, so cancel until the task is really done, within a bound.
            for _ in range(STOP_ATTEMPTS):
                if task.done():
                    break
                task.cancel()
                await asyncio.wait({task}, timeout=STOP_WAIT_SECONDS)
            if not task.done():
                log.warning("alpaca.stream_stop_timeout")
        if stream is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stream.close(), STOP_WAIT_SECONDS * STOP_ATTEMPTS)
        self.connected.clear()

    def _connected(self) -> None:
        self.generation += 1
        self.connected.set()
        log.info("alpaca.stream_connected", generation=self.generation)
        self._on_connect()

    def _disconnected(self) -> None:
        if self.connected.is_set():
            log.warning("alpaca.stream_disconnected", generation=self.generation)
        self.connected.clear()


def _build_stream(connection: AlpacaConnection, options: AlpacaOptions, owner: TradeUpdates) -> Any:
    from alpaca.trading.stream import TradingStream

    class ReportingStream(TradingStream):
        async def _dispatch(self, msg: dict[str, Any]) -> None:
            # Alpaca confirms the subscription with a `listening` message; from then on the stream sees every
            # event, so a REST read started now leaves no gap. The SDK drops that message; we act on it.
            if msg.get("stream") == "listening":
                owner._connected()
            await super()._dispatch(msg)

        async def close(self) -> None:
            owner._disconnected()
            await super().close()

    stream = ReportingStream(
        connection.key_id.get_secret_value(),
        connection.secret_key.get_secret_value(),
        paper=not connection.live,
        raw_data=True,
        url_override=connection.trade_stream_url,
    )
    # The SDK waits at least a second before reconnecting; a shorter first wait narrows the gap REST must cover.
    stream._reconnect_min_backoff = options.stream_reconnect_min_seconds
    return stream
