"""Report queries `since` a time before the venue's clock was rebased still return what happened after it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.venues.conftest import SETTINGS, FakeWall, MakeBroker
from tests.integration.venues.test_sim_matching import order


async def test_reports_since_before_a_speed_change_are_not_lost(make_broker: MakeBroker, wall: FakeWall) -> None:
    """After a restart at a new speed, fills and statuses since the order was sent are all still reported."""
    sent_at = datetime.fromtimestamp(wall.now, UTC)
    first = make_broker()
    await first.submit(order("early", quantity=10))
    wall.advance(2.0)
    assert [f.client_order_id for f in await first.fill_reports(since=sent_at)] == ["early"]
    await first.close()

    wall.advance(30.0)
    restarted = make_broker(SETTINGS.model_copy(update={"speed": 600}))  # rebases the venue clock at this moment
    wall.advance(1.0)
    assert [f.client_order_id for f in await restarted.fill_reports(since=sent_at)] == ["early"]
    reports = await restarted.order_reports(open_only=False, since=sent_at)
    assert [r.client_order_id for r in reports] == ["early"]
