"""Execution times: TWS sends them zone-less (UTC) or with its own zone; either way, on any host, the right instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.acceptance.harness_ibkr import IbkrVenueHarness
from tests.hostzone import ZONES, host_zone
from tests.integration.ibkr.conftest import limit


@pytest.mark.parametrize("zone", ZONES)
async def test_execution_times_are_the_real_instant_whatever_the_host_zone(zone: str) -> None:
    """ib_async reads `yyyymmdd-hh:mm:ss` as host-local time (its issue 230): east of UTC a fill fell before the
    poll's `since` and was never booked. Both forms TWS uses must come back as the instant of the execution."""
    with host_zone(zone):
        venue = await IbkrVenueHarness.start()
        try:
            before = datetime.now(UTC) - timedelta(seconds=1)
            await venue.broker.submit(limit("tz-0001", 100))
            await venue.execute("tz-0001", Decimal(40))  # sent zone-less
            await venue.execute("tz-0001", Decimal(60))  # sent with US/Eastern
            live = await venue.broker.fill_reports(since=before)
            broker = await venue.restart_adapter()  # the same executions again, read by reqExecutions
            recovered = await broker.fill_reports(since=before)
        finally:
            await venue.close()
    after = datetime.now(UTC)
    for fills in (live, recovered):
        assert sorted(f.quantity for f in fills) == [40, 60]
        assert all(before <= f.at <= after for f in fills), [f.at for f in fills]
