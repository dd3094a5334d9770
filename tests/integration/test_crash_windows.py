"""The three moments a crash can hit a submit, each forced on purpose, and what the restarted engine then does.

The random drill (`test_crash_safety.py`) lands kills wherever they fall; here the process "dies" exactly:
before the venue got the order, after the venue accepted it, or after the venue refused it, in each case before
the engine could record the answer. A fresh engine on the same ledger and venue file then resumes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.sim import SimulatedBroker
from oms.domain import OrderStatus
from oms.execution.engine import ExecutionEngine
from oms.execution.riskgate import RiskGate
from oms.execution.settings import ExecutionSettings
from oms.ports import OrderRequest
from tests.integration.engine_rig import Rig, build_rig

SETTINGS = ExecutionSettings(in_flight_seconds=0, lookup_attempts=3)


class Killed(BaseException):
    """The process died here (a BaseException, so no `except Exception` in the engine can swallow it)."""


class DiesAroundTheVenue:
    """The real broker, except that the process dies on the next submit: before the venue sees it, or after."""

    def __init__(self, inner: SimulatedBroker, *, reach_venue: bool) -> None:
        self.inner = inner
        self.reach_venue = reach_venue

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def submit(self, request: OrderRequest) -> Any:
        if self.reach_venue:
            with contextlib.suppress(Exception):  # the answer, accepted or refused, dies with the process
                await self.inner.submit(request)
        raise Killed


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    rig = build_rig(tmp_path, cash=Decimal(50_000), holdings=[("SPY", Decimal(100))])
    yield rig
    rig.close()


def engine_on(rig: Rig, broker: Any) -> ExecutionEngine:
    """An engine as a restarted process builds it: same ledger, same venue file, nothing kept in memory."""
    risk = RiskGate(rig.ledger, broker, rig.master, rig.limits)
    return ExecutionEngine(rig.ledger, broker, market=rig.master, risk=risk, settings=SETTINGS, account="sim")


async def crash_on_first_submit(rig: Rig, *, reach_venue: bool) -> str:
    """Start a one-order batch and let the process die inside its submit; return the order's client order id."""
    batch = await rig.start_batch("symbol,action,shares\nSPY,SELL,10\n")
    dying = engine_on(rig, DiesAroundTheVenue(rig.broker, reach_venue=reach_venue))
    with pytest.raises(Killed):
        await dying.cycle()
    (order,) = rig.engine.batch_orders(batch.id)
    assert order.status is OrderStatus.SUBMITTED  # written ahead, before the broker was called
    assert order.broker_order_id is None
    return order.client_order_id or ""


async def resume(rig: Rig, cycles: int = 8) -> ExecutionEngine:
    engine = engine_on(rig, rig.broker)
    for _ in range(cycles):
        await engine.cycle()
        rig.wall.advance(1.0)
    return engine


async def test_died_before_the_venue_got_it_is_sent_once_after_definite_lookups(rig: Rig) -> None:
    """The venue never saw the order: after `lookup_attempts` "not found" answers it is sent, once, and fills."""
    rig.venue.time_out_next_submission(accepted=False)
    coid = await crash_on_first_submit(rig, reach_venue=True)
    assert rig.venue.submissions().get(coid, 0) == 0

    engine = await resume(rig)

    order = engine.find_order(coid)
    assert rig.venue.submissions() == {coid: 1}
    assert order.status is OrderStatus.FILLED
    assert [e.details.get("note") for e in order.events if e.details.get("note")].count("not_found_at_broker") == 3


async def test_died_after_the_venue_accepted_is_adopted_never_resent(rig: Rig) -> None:
    """The venue kept the order but the answer died with the process: it is found by client order id, not resent."""
    coid = await crash_on_first_submit(rig, reach_venue=True)

    engine = await resume(rig)

    order = engine.find_order(coid)
    assert rig.venue.submissions() == {coid: 1}
    assert order.status is OrderStatus.FILLED
    assert order.filled_quantity == Decimal(10)


async def test_died_after_the_venue_refused_leaves_at_most_one_order_there(rig: Rig) -> None:
    """A refusal lost with the process leaves nothing at the venue: the id is retried, and at most one order exists.

    The sim, like Alpaca, keeps no record of an order refused at the door, so the restarted engine can only learn
    "not found" and, after its lookups, sends again under the same id: two attempts reach the venue, one order at
    most can exist there (ids are unique), and the ledger follows whatever the venue then says.
    """
    rig.venue.reject_next_submission("simulated: symbol halted")
    coid = await crash_on_first_submit(rig, reach_venue=True)
    assert rig.venue.submissions() == {coid: 1}

    engine = await resume(rig)

    order = engine.find_order(coid)
    assert rig.venue.submissions() == {coid: 2}
    kept = [r for r in rig.venue.order_reports(open_only=False) if r.client_order_id == coid]
    assert len(kept) == 1
    assert order.status is OrderStatus.FILLED
    assert order.filled_quantity == kept[0].filled_quantity == Decimal(10)
