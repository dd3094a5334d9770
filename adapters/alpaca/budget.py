"""The account's request budget: Alpaca allows 200 requests a minute, shared by every call we make."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateBudget:
    """A token bucket (`per_minute` tokens, refilled evenly) that a 429 can also pause for everyone."""

    def __init__(self, per_minute: int = 200, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._tokens = float(per_minute)
        self._clock = clock
        self._updated = clock()
        self._paused_until = 0.0
        self.waited = 0.0  # seconds spent waiting, for logs and tests

    async def acquire(self) -> None:
        """Wait until a request may go out, then take its token."""
        while True:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            wait = max(self._paused_until - now, 0.0)
            if not wait and self._tokens >= 1:
                self._tokens -= 1
                return
            wait = max(wait, (1 - self._tokens) / self._rate)
            self.waited += wait
            await asyncio.sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold every caller back for `seconds` (after a 429: the broker's window is spent)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
