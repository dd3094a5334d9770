"""Message pacing: IB drops requests beyond 50 messages per second (error 100), so the adapter stays below that."""

from __future__ import annotations

import asyncio
from collections import deque


class Pacer:
    """Space messages at least 1/`rate` seconds apart; `acquire` reserves the next slot and waits for it.

    Even spacing rather than bursts up to a per-second budget: the gateway counts messages as they arrive, and a
    burst held up on the way can land in the same second as the next one. ib_async also throttles (45 a second)
    but queues silently, so an acknowledgement timeout would start while the order still waits in its queue;
    pacing here first keeps every timeout honest.
    """

    def __init__(self, rate: float = 40.0) -> None:
        self._interval = 1.0 / rate
        self._next_free = 0.0
        self._most = int(rate)
        self._granted: deque[float] = deque()  # when the last `rate` slots were actually granted

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next_free)
        self._next_free = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
        # A stalled loop wakes many waiters at once: never grant more than `rate` in any real second.
        # Waiting for time to pass, not for another task: a sleep loop is the right tool here.
        while len(self._granted) >= self._most and (wait := 1.0 - (loop.time() - self._granted[0])) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        while len(self._granted) >= self._most:
            self._granted.popleft()
        self._granted.append(loop.time())
