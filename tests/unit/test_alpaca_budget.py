"""The shared request budget: a burst up to the limit, then an even pace; a 429 pauses everyone."""

from __future__ import annotations

import time

from adapters.alpaca.budget import RateBudget


async def test_the_budget_allows_a_burst_then_paces() -> None:
    """With 600 a minute, 600 requests go at once and the next waits about a tenth of a second."""
    budget = RateBudget(per_minute=600)
    started = time.monotonic()
    for _ in range(600):
        await budget.acquire()
    assert time.monotonic() - started < 0.1
    await budget.acquire()
    assert 0.05 < time.monotonic() - started < 0.5


async def test_a_pause_holds_every_caller() -> None:
    """After pause(s) even a full bucket waits s before the next request."""
    budget = RateBudget(per_minute=200)
    budget.pause(0.15)
    started = time.monotonic()
    await budget.acquire()
    assert time.monotonic() - started >= 0.14
