"""The Alpaca adapter against the loopback emulator: the read side at 1,200 open orders, a burst of submits, and
how long a dropped stream takes to come back.

Each figure is printed beside a floor from the same run: the same HTTP requests made with bare `requests`, without
alpaca-py or the adapter, so the ratio is the adapter's own cost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from typing import Any

import requests
from pydantic import SecretStr

from adapters.alpaca import AlpacaBroker, AlpacaConnection, AlpacaOptions
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.logging import configure
from oms.ports import OrderRequest
from tests.fakes.alpaca_emulator import AlpacaEmulator


def bench_alpaca(open_orders: int = 1200, submits: int = 50) -> dict[str, Any]:
    """Measure and print; return the figures for tests."""
    configure("error", None, console=False)
    logging.getLogger("alpaca").setLevel(logging.CRITICAL)
    with AlpacaEmulator() as emulator:
        figures = asyncio.run(_measure(emulator, open_orders, submits))
    read, floor = figures["read_seconds"], figures["read_floor_seconds"]
    print(
        f"{open_orders} open orders: {figures['list_calls']} list calls, {read * 1000:.0f} ms "
        f"(bare HTTP {floor * 1000:.0f} ms, x{read / floor:.1f})"
    )
    print(f"{submits} concurrent submits: {figures['submit_seconds'] * 1000:.0f} ms")
    print(f"stream dropped to subscribed again: {figures['reconnect_seconds'] * 1000:.0f} ms (1 s minimum backoff)")
    return figures


async def _measure(emulator: AlpacaEmulator, open_orders: int, submits: int) -> dict[str, Any]:
    connection = AlpacaConnection(
        SecretStr(emulator.key_id), SecretStr(emulator.secret_key), emulator.base_url, emulator.stream_url
    )
    broker = AlpacaBroker(connection, AlpacaOptions())
    await broker.connect()
    try:
        emulator.venue.seed_open_orders(open_orders)
        started = time.perf_counter()
        reports = await broker.order_reports(open_only=True)
        read_seconds = time.perf_counter() - started
        assert len(reports) == open_orders
        list_calls = emulator.calls["GET /v2/orders"]
        read_floor = await asyncio.to_thread(_bare_pages, emulator, list_calls)

        requests_ = [
            OrderRequest(f"bench-{n}", "AAPL", Side.BUY, Decimal(1), OrderType.LIMIT, TimeInForce.DAY, Decimal(100))
            for n in range(submits)
        ]
        started = time.perf_counter()
        await asyncio.gather(*(broker.submit(r) for r in requests_))
        submit_seconds = time.perf_counter() - started

        emulator.drop_stream()
        started = time.perf_counter()
        while broker.streaming:  # noqa: ASYNC110  (sampling the adapter's flag is the measurement)
            await asyncio.sleep(0.002)
        while not broker.streaming:  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        reconnect_seconds = time.perf_counter() - started
    finally:
        await broker.close()
    return {
        "list_calls": list_calls,
        "read_seconds": read_seconds,
        "read_floor_seconds": read_floor,
        "submit_seconds": submit_seconds,
        "reconnect_seconds": reconnect_seconds,
    }


def _bare_pages(emulator: AlpacaEmulator, pages: int) -> float:
    headers = {"APCA-API-KEY-ID": emulator.key_id, "APCA-API-SECRET-KEY": emulator.secret_key}
    with requests.Session() as session:
        started = time.perf_counter()
        for _ in range(pages):
            session.get(
                f"{emulator.base_url}/v2/orders", params={"limit": 500, "direction": "asc"}, headers=headers, timeout=10
            ).json()
        return time.perf_counter() - started
