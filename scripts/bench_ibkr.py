"""The IBKR adapter against the fake TWS gateway on loopback, with the real ib_async client, per server version.

Figures: connecting (handshake, ib_async's start-up sync and the adapter's reconcile), a burst of submissions
(paced by the adapter: IB refuses more than 50 messages a second), the busiest one-second window as the gateway
counted arrivals, one poll (`order_reports`: open orders, completed orders, executions) over every order, and a
restart that recovers them all. Loopback makes the I/O nearly free: these are the adapter's and ib_async's costs
plus the pacing, not a real gateway's latency.
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from typing import Any

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.logging import configure
from oms.ports import OrderRequest
from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.fakes.ib_gateway import SERVER_VERSIONS


async def _run(server_version: int, orders: int) -> dict[str, Any]:
    started = time.perf_counter()
    venue = await IbkrVenueHarness.start(server_version, ack_timeout=10.0)
    connected = time.perf_counter() - started
    loop = asyncio.get_running_loop()
    arrivals: list[float] = []
    handle = venue.gateway._handle

    def stamped(session: Any, fields: list[str]) -> None:
        arrivals.append(loop.time())
        handle(session, fields)

    venue.gateway._handle = stamped  # type: ignore[method-assign]
    requests = [
        OrderRequest(f"bench-{n}", "AAPL", Side.BUY, Decimal(1), OrderType.LIMIT, TimeInForce.DAY, Decimal(100))
        for n in range(orders)
    ]
    started = time.perf_counter()
    await asyncio.gather(*(venue.broker.submit(r) for r in requests))
    burst = time.perf_counter() - started
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    started = time.perf_counter()
    reports = await venue.broker.order_reports()
    poll = time.perf_counter() - started
    started = time.perf_counter()
    broker = await venue.restart_adapter()
    recovered = len(await broker.order_reports())
    restart = time.perf_counter() - started
    await venue.close()
    assert len(reports) == recovered == orders
    return {
        "server_version": server_version,
        "orders": orders,
        "connect_s": connected,
        "burst_s": burst,
        "busiest_window": busiest,
        "poll_s": poll,
        "restart_s": restart,
    }


def bench_ibkr(orders: int = 100) -> list[dict[str, Any]]:
    """Run the figures at both server versions and print them; return them for tests."""
    configure(level="warning", console=False)
    logging.getLogger("ib_async").setLevel(logging.CRITICAL)
    results = []
    for version in SERVER_VERSIONS:
        figures = asyncio.run(_run(version, orders))
        results.append(figures)
        print(
            f"server {version}: connect {figures['connect_s'] * 1000:.0f} ms; {orders} submissions in "
            f"{figures['burst_s']:.2f} s ({orders / figures['burst_s']:.0f}/s); busiest second at the gateway "
            f"{figures['busiest_window']} messages (IB's limit 50); one poll over {orders} orders "
            f"{figures['poll_s'] * 1000:.0f} ms; restart and recover {figures['restart_s'] * 1000:.0f} ms"
        )
    return results
