"""Run broker tests with the host clock in a time zone other than UTC, as an operator's laptop would be.

Every test of the IB and Alpaca suites runs under one of `ZONES`, chosen from its node id so that a full run covers
all three at no extra cost; `OMS_TEST_TZ=Asia/Tokyo` pins one zone for a whole run (`make tz-matrix` runs both
suites once per zone). The process's zone is restored afterwards.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

# East of UTC (Berlin, Tokyo) is where a zone-less UTC time read as local falls *before* the real instant.
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")


def zone_for(node_id: str) -> str:
    pinned = os.environ.get("OMS_TEST_TZ")
    if pinned:
        return pinned
    return ZONES[zlib.crc32(node_id.encode()) % len(ZONES)]


@contextmanager
def host_zone(zone: str) -> Iterator[str]:
    """Make `zone` the process's local time zone (TZ plus tzset) for the duration."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield zone
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
