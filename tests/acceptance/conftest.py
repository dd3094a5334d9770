"""Run every conformance test against every venue harness.

Each harness lives in `tests/acceptance/harness_<name>.py` and exposes `async def open_harness(tmp_path) ->
VenueHarness`. To run the suite against another adapter, add its harness module and its name to `HARNESSES`.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.acceptance.harness import VenueHarness

HARNESSES = [
    "sim",
    "manual",
]


@pytest.fixture(params=HARNESSES)
async def venue(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[VenueHarness]:
    module = importlib.import_module(f"tests.acceptance.harness_{request.param}")
    harness: VenueHarness = await module.open_harness(tmp_path)
    try:
        yield harness
    finally:
        await harness.close()
