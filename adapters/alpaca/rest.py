"""alpaca-py's TradingClient made safe to call from the engine: a timeout on every request, no blind resends,
a shared rate budget with backoff on 429, and the SDK's blocking calls moved off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from adapters.alpaca.budget import RateBudget
from adapters.alpaca.errors import Kind, classify, to_error
from adapters.alpaca.settings import AlpacaConnection, AlpacaOptions
from oms.logging import get_logger
from oms.ports import BrokerUnavailable

log = get_logger("oms.adapters.alpaca")


def build_trading_client(connection: AlpacaConnection) -> Any:
    """A TradingClient in raw mode, with a timeout on every request and the SDK's own retries switched off."""
    from alpaca.trading.client import TradingClient

    client = TradingClient(
        api_key=connection.key_id.get_secret_value(),
        secret_key=connection.secret_key.get_secret_value(),
        paper=not connection.live,
        raw_data=True,
        url_override=connection.trading_url,
    )
    disarm_retries(client)
    install_timeout(client, connection.timeout_seconds)
    return client


def disarm_retries(client: Any) -> None:
    """Stop the SDK resending on 429/504 (3 times, 3 s apart, POST included).

    A resent POST whose first attempt landed answers 422 duplicate and blocks a worker for 9 s; we back off
    within the shared budget and resolve unknown outcomes by client order id instead. The constructor ignores
    `retry_attempts=0`, hence the attribute.
    """
    client._retry = 0


def install_timeout(client: Any, seconds: float) -> None:
    """Give every request of the client's session a (connect, read) timeout; the SDK sets none."""
    from requests.adapters import HTTPAdapter

    class TimeoutAdapter(HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = seconds
            return super().send(request, *args, **kwargs)

    session = client._session
    for prefix in ("http://", "https://"):
        session.mount(prefix, TimeoutAdapter())


class AlpacaRest:
    """Runs SDK calls in a worker thread within the rate budget and turns failures into the port's errors."""

    def __init__(self, client: Any, options: AlpacaOptions, budget: RateBudget | None = None) -> None:
        self.client = client
        self.options = options
        self.budget = budget or RateBudget(options.requests_per_minute)
        self.rate_limited = 0  # 429s seen, for logs and tests

    async def call(self, label: str, function: Callable[..., Any], *args: Any) -> Any:
        """Call `function(*args)` in a thread; 429 waits and retries, anything else raises a BrokerError."""
        attempt = 0
        while True:
            await self.budget.acquire()
            try:
                return await asyncio.to_thread(function, *args)
            except Exception as exc:
                failure = classify(exc)
                if failure.kind is not Kind.RATE_LIMITED:
                    raise to_error(failure) from exc
                self.rate_limited += 1
                if attempt >= self.options.rate_limit_retries:
                    raise BrokerUnavailable(f"Alpaca kept answering 429 to {label}: {failure.message}") from exc
                delay = min(self.options.backoff_max_seconds, self.options.backoff_seconds * 2**attempt)
                attempt += 1
                log.warning("alpaca.rate_limited", call=label, attempt=attempt, wait_seconds=delay)
                self.budget.pause(delay)
