"""An order a broker says it does not have is sent again only where the broker refuses duplicate ids.

At IB a second order under the same orderRef is simply a second order, and an order held by a TWS precaution (or
placed under another client id) is invisible: "not found" three times proves nothing there. Such an order goes to
`unknown`, nothing is sent again, and `oms reconcile` lists it until the broker shows it or a person ends it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oms.domain import OrderStatus
from oms.execution.reconcile import reconcile
from oms.ports import Capabilities
from tests.integration.engine_rig import Rig, build_rig
from tests.integration.test_crash_windows import crash_on_first_submit, engine_on


class TakesDuplicateIds:
    """The real simulated broker, declaring what IB declares: it would take a second order under the same id."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.capabilities: Capabilities = dataclasses.replace(inner.capabilities, unique_client_order_ids=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    rig = build_rig(tmp_path, cash=Decimal(50_000), holdings=[("SPY", Decimal(100))])
    yield rig
    rig.close()


async def test_not_found_at_a_broker_without_unique_ids_is_unknown_never_resent(rig: Rig) -> None:
    rig.venue.time_out_next_submission(accepted=False)
    coid = await crash_on_first_submit(rig, reach_venue=True)
    engine = engine_on(rig, TakesDuplicateIds(rig.broker))
    for _ in range(8):
        await engine.cycle()
        rig.wall.advance(1.0)
    order = engine.find_order(coid)
    assert order.status is OrderStatus.UNKNOWN
    assert rig.venue.submissions().get(coid, 0) == 0  # never a blind second order
    assert order.status_reason is not None
    assert "does not refuse a second one" in order.status_reason

    found = await reconcile(rig.ledger, rig.broker, since=order.events[0].at - timedelta(minutes=1))
    assert not found.clean
    assert [(d.kind, d.subject) for d in found.differences] == [("unknown_outcome", coid)]


async def test_an_unknown_order_the_broker_shows_later_works_on(rig: Rig) -> None:
    """The held order appears after all: the next poll acknowledges it and it fills like any other."""
    coid = await crash_on_first_submit(rig, reach_venue=True)  # the venue kept it; the answer died
    order = engine_on(rig, rig.broker).find_order(coid)
    order.lose_track("test: not shown yet")
    rig.engine.save_all([order])
    engine = engine_on(rig, TakesDuplicateIds(rig.broker))
    for _ in range(8):
        await engine.cycle()
        rig.wall.advance(1.0)
    order = engine.find_order(coid)
    assert order.status is OrderStatus.FILLED
    assert rig.venue.submissions() == {coid: 1}


def test_an_unknown_order_says_who_must_act() -> None:
    from oms.cli.views import waiting_reason
    from tests.unit.builders import order_in

    order = order_in(OrderStatus.UNKNOWN)
    reason = waiting_reason(order)
    assert reason is not None
    assert reason.startswith("outcome unknown, you check the broker")
