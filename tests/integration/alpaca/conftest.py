"""Fixtures: a running Alpaca emulator and AlpacaBroker instances (the real alpaca-py) pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.alpaca import AlpacaBroker, AlpacaConnection, AlpacaOptions
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.ports import OrderRequest
from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.hostzone import host_zone, zone_for

FAST = AlpacaOptions(
    backoff_seconds=0.02, backoff_max_seconds=0.2, stream_reconnect_min_seconds=0.05, fill_overlap_seconds=0.0
)

BrokerFactory = Callable[..., Awaitable[AlpacaBroker]]


@pytest.fixture
def emulator() -> Iterator[AlpacaEmulator]:
    with AlpacaEmulator() as emu:
        yield emu


def connection_to(emu: AlpacaEmulator, **changes: Any) -> AlpacaConnection:
    values: dict[str, Any] = {
        "key_id": SecretStr(emu.key_id),
        "secret_key": SecretStr(emu.secret_key),
        "base_url": emu.base_url,
        "stream_url": emu.stream_url,
        "timeout_seconds": 2.0,
    }
    values.update(changes)
    return AlpacaConnection(**values)


@pytest.fixture
async def make_broker(emulator: AlpacaEmulator) -> AsyncIterator[BrokerFactory]:
    made: list[AlpacaBroker] = []

    async def make(*, stream: bool = True, connect: bool = True, **changes: Any) -> AlpacaBroker:
        options = AlpacaOptions(**{**FAST.__dict__, "stream": stream})
        broker = AlpacaBroker(connection_to(emulator, **changes), options)
        made.append(broker)
        if connect:
            await broker.connect()
        return broker

    yield make
    for broker in made:
        await broker.close()


@pytest.fixture
async def broker(make_broker: BrokerFactory) -> AlpacaBroker:
    return await make_broker()


def order(
    coid: str,
    quantity: int | str = 100,
    *,
    side: Side = Side.BUY,
    symbol: str = "AAPL",
    limit: str | None = "190.00",
) -> OrderRequest:
    return OrderRequest(
        client_order_id=coid,
        symbol=symbol,
        side=side,
        quantity=Decimal(quantity),
        order_type=OrderType.LIMIT if limit else OrderType.MARKET,
        time_in_force=TimeInForce.DAY,
        limit_price=Decimal(limit) if limit else None,
    )


@pytest.fixture(autouse=True)
def _host_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The host clock sits in Berlin, New York or Tokyo (tests/hostzone.py), never silently in UTC."""
    with host_zone(zone_for(request.node.nodeid)) as zone:
        yield zone
