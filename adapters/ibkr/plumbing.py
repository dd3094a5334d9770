"""Small pieces under the session: a wake-up for waiters, and a fix to how the SDK reads execution times."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from adapters.ibkr.mapping import utc_execution_time

EXEC_DETAILS = 11  # the execDetails message; its 16th field is the execution time
_EXEC_TIME_FIELD = 15


class Pulse:
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


def read_times_as_utc(ib: Any) -> None:
    """Make the client read zone-less execution times as UTC, which TWS means (ib_async issue 230).

    The SDK parses them as host-local time, so east of UTC every fill lands hours early. The raw field is rewritten
    before the SDK's own decoder sees it; ib_async and ib_insync keep the same decoder table.
    """
    handlers = ib.client.decoder.handlers
    decode = handlers[EXEC_DETAILS]

    def exec_details(fields: list[str]) -> None:
        if len(fields) > _EXEC_TIME_FIELD:
            fields = [*fields]
            fields[_EXEC_TIME_FIELD] = utc_execution_time(fields[_EXEC_TIME_FIELD])
        decode(fields)

    handlers[EXEC_DETAILS] = exec_details
