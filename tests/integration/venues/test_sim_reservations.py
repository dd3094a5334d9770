"""The venue's running totals of what open orders promise: always equal to a recount, and a door check whose cost
does not grow with the number of open orders (the submit burst that used to be quadratic)."""

from __future__ import annotations

import contextlib
import random
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.sim import SimVenue, reservations
from oms.domain.enums import Side, TimeInForce
from oms.domain.market import Position
from oms.ports import BrokerError
from tests.integration.venues.conftest import SECURITIES, SETTINGS, FakeWall, MakeBroker
from tests.integration.venues.test_sim_matching import order


def _totals_agree(venue: SimVenue) -> None:
    conn = venue._conn
    assert reservations.stored_totals(conn) == reservations.totals_from_orders(conn)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_running_totals_equal_a_recount_after_random_trading(
    make_broker: MakeBroker, wall: FakeWall, seed: int
) -> None:
    """Submits of every kind, fills, cancels, forced fills and whole sessions passing, in a seeded random order."""
    rng = random.Random(seed)
    broker = make_broker(positions=(Position("BBB", Decimal(5_000), Decimal(45)),))
    venue = broker.venue
    live: list[str] = []
    for n in range(150):
        action = rng.random()
        if action < 0.55:
            side = Side.SELL if rng.random() < 0.3 else Side.BUY
            symbol = "BBB" if side is Side.SELL else rng.choice(["AAA", "BBB", "FLAT"])
            limit = rng.choice([None, "40.00", "99.00", "101.00", "55.00"])
            tif = rng.choice([TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC])
            try:
                await broker.submit(
                    order(f"o{n}", symbol=symbol, side=side, quantity=rng.randint(1, 300), limit=limit, tif=tif)
                )
                live.append(f"o{n}")
            except BrokerError:
                pass
        elif action < 0.75 and live:
            with contextlib.suppress(BrokerError):
                await broker.cancel(live.pop(rng.randrange(len(live))))
        elif action < 0.8 and live:
            with contextlib.suppress(BrokerError, ValueError):  # the order may have ended already
                venue.force_fill(rng.choice(live), Decimal(1))
        else:
            wall.advance(rng.choice([0.5, 3.0, 60.0, 400.0]))  # up to a whole session: DAY orders expire in bulk
            await broker.order_reports()
        _totals_agree(venue)


async def test_an_older_venue_file_gets_its_totals_on_open(tmp_path: Path, wall: FakeWall) -> None:
    """A venue file written before the totals existed is recounted once when it is opened."""
    venue = SimVenue(tmp_path / "v.db", SECURITIES, SETTINGS, wall=wall)
    venue.submit(order("a", limit="40.00", quantity=10))
    with venue._conn:
        venue._conn.execute("DELETE FROM reserved")
        venue._conn.execute("DELETE FROM meta WHERE key = 'reservations'")
    venue.close()
    again = SimVenue(tmp_path / "v.db", SECURITIES, SETTINGS, wall=wall)
    assert reservations.stored_totals(again._conn) == {("AAA", "buy", "limit"): (Decimal(10), Decimal("400.00"))}
    again.close()


def _vm_steps_of_one_submit(venue: SimVenue, coid: str) -> int:
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    venue._conn.set_progress_handler(count, 100)
    try:
        venue.submit(order(coid, limit="40.00", quantity=1))
    finally:
        venue._conn.set_progress_handler(None, 100)
    return steps


def test_a_submit_costs_the_same_at_100_and_2000_open_orders(tmp_path: Path, wall: FakeWall) -> None:
    """Counted in SQLite VM instructions, not seconds: the door checks and the matcher read running totals and
    index ranges, never every open order (which made a burst of n submits cost n^2)."""
    venue = SimVenue(tmp_path / "v.db", SECURITIES, SETTINGS, wall=wall)
    for n in range(100):
        venue.submit(order(f"a{n}", limit="40.00", quantity=1))
    wall.advance(2.0)
    venue.submit(order("ack-100", limit="40.00", quantity=1))  # acknowledges the burst: work done once per order
    wall.advance(2.0)  # a bar passes: the matcher runs inside the measured submit
    at_100 = _vm_steps_of_one_submit(venue, "probe-100")
    for n in range(1_900):
        venue.submit(order(f"b{n}", limit="40.00", quantity=1))
    wall.advance(2.0)
    venue.submit(order("ack-2000", limit="40.00", quantity=1))
    wall.advance(2.0)
    at_2000 = _vm_steps_of_one_submit(venue, "probe-2000")
    venue.close()
    assert at_2000 < 2 * at_100, (at_100, at_2000)
