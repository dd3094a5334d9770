"""Shared pieces of the simulated venue tests: a wall clock the test moves, and a few securities."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.sim import SimSettings, SimulatedBroker
from oms.domain.market import Position, Security


class FakeWall:
    """A wall clock that moves only when the test says so, which makes the venue fully deterministic."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def security(symbol: str, price: str, *, adv: int = 1_000_000, spread_bps: int = 4, vol: str = "0.02") -> Security:
    return Security(symbol, symbol, "equity", "test", Decimal(price), Decimal(adv), Decimal(spread_bps), Decimal(vol))


SECURITIES = [security("AAA", "100.00"), security("BBB", "50.00"), security("FLAT", "100.00", vol="0")]

# speed 60: one real second of the fake wall is one simulated minute, one price step.
SETTINGS = SimSettings(
    seed=3,
    speed=60,
    start_date="2026-03-02",
    start_time="10:00",
    ack_latency_seconds=1.0,
    starting_cash=Decimal(10_000_000),
)

MakeBroker = Callable[..., SimulatedBroker]


@pytest.fixture
def wall() -> FakeWall:
    return FakeWall()


@pytest.fixture
def make_broker(tmp_path: Path, wall: FakeWall) -> MakeBroker:
    """Build brokers on one venue file (each call is like another process opening it)."""

    def make(settings: SimSettings = SETTINGS, *, positions: tuple[Position, ...] = (), name: str = "venue.db"):
        return SimulatedBroker(tmp_path / name, SECURITIES, settings, wall=wall, initial_positions=positions)

    return make
