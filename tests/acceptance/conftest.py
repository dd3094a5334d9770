"""Run every conformance test against every venue harness.

Each harness lives in `tests/acceptance/harness_<name>.py` and exposes `async def open_harness(tmp_path) ->
VenueHarness`. To run the suite against another adapter, add its harness module and its name to `HARNESSES`.
A name may carry a variant after a colon (`ibkr:176`): it is passed on as `open_harness(tmp_path, "176")`.
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
    "ibkr:176",  # IbkrBroker on ib_async against the fake TWS gateway, at both server versions it speaks
    "ibkr:178",
    "alpaca",  # AlpacaBroker on alpaca-py against the loopback Alpaca emulator
]


@pytest.fixture(params=HARNESSES)
async def venue(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[VenueHarness]:
    name, _, variant = request.param.partition(":")
    module = importlib.import_module(f"tests.acceptance.harness_{name}")
    harness: VenueHarness = await (module.open_harness(tmp_path, variant) if variant else module.open_harness(tmp_path))
    try:
        yield harness
    finally:
        await harness.close()
