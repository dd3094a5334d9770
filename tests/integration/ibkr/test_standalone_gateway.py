"""The fake gateway run as its own process (as an end-to-end run uses it) fills orders by itself."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from decimal import Decimal

from adapters.ibkr import IbkrBroker
from adapters.ibkr.settings import IbkrSettings
from oms.ports import ReportStatus
from tests.integration.ibkr.conftest import market


async def test_standalone_gateway_auto_fills_orders_for_any_symbol() -> None:
    """`python -m tests.fakes.run_ib_gateway --auto-fill --any-symbol` serves the adapter and fills in two parts."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.run_ib_gateway",
        "--auto-fill",
        "--any-symbol",
        "--server-version",
        "176",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 10)
        port = int(line.split()[1])
        broker = IbkrBroker(IbkrSettings(port=port, account="DU1234567", timeout_seconds=3.0))
        await broker.connect()
        try:
            await broker.submit(replace(market("e2e-0001", 9), symbol="VTI"))
            report = await broker.find_order("e2e-0001")
            fills = await broker.fill_reports()
        finally:
            await broker.close()
    finally:
        process.terminate()
        await process.wait()
    assert (report.status, report.filled_quantity) == (ReportStatus.FILLED, Decimal(9))
    assert sorted(f.quantity for f in fills) == [4, 5]
