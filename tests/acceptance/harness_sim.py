"""The simulated venue under the conformance suite.

The remote control is a second `SimVenue` on the same file, as another process would open it: the fault switches
and forced executions it sets reach the adapter under test through the file alone.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from adapters.sim import SimSettings, SimulatedBroker, SimVenue
from oms.domain.market import Security
from oms.ports import Broker

SECURITIES = [
    Security(
        "SIMA",
        "Simulated A",
        "equity",
        "technology",
        Decimal("100.00"),
        Decimal(2_000_000),
        Decimal(4),
        Decimal("0.02"),
    ),
]
# 600x: one simulated session lasts 39 real seconds, so day orders outlive every test and acknowledgements
# (one simulated second) arrive within milliseconds.
SETTINGS = SimSettings(seed=11, speed=600, start_date="2026-03-02", start_time="09:30", ack_latency_seconds=1.0)


class SimHarness:
    symbol = "SIMA"
    reference_price = Decimal("100.00")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.broker: Broker = SimulatedBroker(path, SECURITIES, SETTINGS)
        self.control = SimVenue(path, SECURITIES, SETTINGS)

    async def execute(self, client_order_id: str, quantity: Decimal, price: Decimal | None = None) -> None:
        await asyncio.to_thread(self.control.force_fill, client_order_id, quantity, price)

    async def reject_next_submission(self, reason: str) -> None:
        await asyncio.to_thread(self.control.reject_next_submission, reason)

    async def lose_next_acknowledgement(self) -> None:
        await asyncio.to_thread(self.control.time_out_next_submission, accepted=True)

    async def duplicate_reports(self) -> None:
        await asyncio.to_thread(self.control.duplicate_fills, True)

    async def restart_adapter(self) -> Broker:
        await self.broker.close()
        self.broker = SimulatedBroker(self.path, SECURITIES, SETTINGS)
        return self.broker

    async def close(self) -> None:
        await self.broker.close()
        await asyncio.to_thread(self.control.close)


async def open_harness(tmp_path: Path) -> SimHarness:
    return SimHarness(tmp_path / "sim-venue.db")
