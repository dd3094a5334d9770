"""The conformance harness for Alpaca: the real AlpacaBroker (alpaca-py) against the loopback emulator."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr

from adapters.alpaca import AlpacaBroker, AlpacaConnection, AlpacaOptions
from adapters.alpaca.mapping import fill_key
from tests.fakes.alpaca_emulator import AlpacaEmulator

OPTIONS = AlpacaOptions(backoff_seconds=0.02, backoff_max_seconds=0.2, stream_reconnect_min_seconds=0.05)


class AlpacaHarness:
    """`VenueHarness` for Alpaca. Build it with `await AlpacaHarness.start()`."""

    symbol = "AAPL"
    reference_price = Decimal("190.00")

    def __init__(self, emulator: AlpacaEmulator, broker: AlpacaBroker) -> None:
        self.emulator = emulator
        self.broker = broker

    @classmethod
    async def start(cls, *, stream: bool = True) -> AlpacaHarness:
        emulator = AlpacaEmulator().start()
        emulator.venue.allow_short = True  # the suite may sell what it never bought; a margin account can
        broker = cls._build(emulator, stream)
        await broker.connect()
        return cls(emulator, broker)

    @staticmethod
    def _build(emulator: AlpacaEmulator, stream: bool = True) -> AlpacaBroker:
        connection = AlpacaConnection(
            key_id=SecretStr(emulator.key_id),
            secret_key=SecretStr(emulator.secret_key),
            base_url=emulator.base_url,
            stream_url=emulator.stream_url,
            timeout_seconds=2.0,
        )
        return AlpacaBroker(connection, AlpacaOptions(**{**OPTIONS.__dict__, "stream": stream}))

    async def execute(self, client_order_id: str, quantity: Decimal, price: Decimal | None = None) -> None:
        venue = self.emulator.venue
        with venue.lock:
            order = venue.orders[venue.by_client_id[client_order_id]]
            cumulative = min(order.qty, order.filled_qty + quantity)
            key = fill_key(order.id, cumulative)
        await asyncio.to_thread(venue.execute, client_order_id, quantity, price)
        # The stream delivers asynchronously; wait until the adapter has seen it, as a poll cycle later would.
        deadline = time.monotonic() + 3
        while key not in {fill.exec_id for fill in await self.broker.fill_reports()}:
            if time.monotonic() > deadline:
                raise AssertionError(f"the adapter never saw execution {key}")
            await asyncio.sleep(0.01)

    async def reject_next_submission(self, reason: str) -> None:
        self.emulator.venue.reject_next = reason

    async def lose_next_acknowledgement(self) -> None:
        # The adapter resolves a lost reply by client order id; for it to be unable to tell, that lookup must
        # fail too (as when the network is down for both). The order stands at the venue either way.
        self.emulator.drop_replies_after_accept = 1
        self.emulator.unavailable_lookups = 1

    async def duplicate_reports(self) -> None:
        self.emulator.venue.duplicate_reports = True

    async def restart_adapter(self) -> AlpacaBroker:
        await self.broker.close()
        self.broker = self._build(self.emulator)
        await self.broker.connect()
        return self.broker

    async def close(self) -> None:
        await self.broker.close()
        self.emulator.stop()


async def open_harness(tmp_path: Path) -> AlpacaHarness:
    """The entry point the shared conformance suite calls for each harness."""
    return await AlpacaHarness.start()
