"""Manual mode outside the session: tickets for the open are handed over the evening before, marked with the open.

The clock is the engine's (and the risk gate's) own, moved by the test; the XNYS calendar says when the market
opens, holidays and weekends included.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.bootstrap import Wiring
from oms.domain import Order, OrderStatus
from oms.domain.facts import for_the_open
from oms.operations.fills import FillRefused, TypedFill, check_fill
from oms.reporting.ticket_fields import Ticket, ticket_rows
from tests.integration.engine.support import opening, plan_from_csv, wiring_for

NEW_YORK = ZoneInfo("America/New_York")
# The security master's quotes are stamped when it loads, not at the test's clock: their age is not the point here.
HOLD = {"market_hours": "hold", "stale_price_minutes": 0}


def at(wiring: Wiring, when: datetime) -> None:
    """Move every clock the engine asks (its own and the risk gate's) to `when`, New York wall time."""
    wiring.engine.clock = wiring.engine.risk.clock = lambda: when.astimezone(UTC)


async def evening_batch(wiring: Wiring, tmp_path: Path, when: datetime) -> str:
    at(wiring, when)
    plan = plan_from_csv(wiring, tmp_path, "SPY,SELL,10\nAGG,BUY,10\n")
    holdings = opening("20000", SPY="100")
    batch, _ = wiring.engine.create_batch(
        plan, source="test", content_hash=str(when), mode="manual", supervised=False, portfolio=holdings
    )
    await wiring.engine.validate_batch(batch.id)
    await wiring.engine.cycle()
    return batch.id


def by_symbol(wiring: Wiring, batch_id: str) -> dict[str, Order]:
    return {o.symbol: o for o in wiring.engine.batch_orders(batch_id)}


@pytest.mark.parametrize(
    ("evening", "opens"),
    [
        (datetime(2026, 12, 3, 18, 10, tzinfo=NEW_YORK), datetime(2026, 12, 4, 9, 30, tzinfo=NEW_YORK)),
        # Friday evening before a Monday; and the eve of Thanksgiving, whose next open is the Friday after
        (datetime(2026, 12, 4, 20, 0, tzinfo=NEW_YORK), datetime(2026, 12, 7, 9, 30, tzinfo=NEW_YORK)),
        (datetime(2026, 11, 25, 19, 0, tzinfo=NEW_YORK), datetime(2026, 11, 27, 9, 30, tzinfo=NEW_YORK)),
    ],
)
async def test_evening_tickets_go_to_the_desk_marked_for_the_next_open(
    tmp_path: Path, evening: datetime, opens: datetime
) -> None:
    wiring = wiring_for(tmp_path, broker="manual", risk=HOLD)
    batch_id = await evening_batch(wiring, tmp_path, evening)
    orders = by_symbol(wiring, batch_id)
    sell, buy = orders["SPY"], orders["AGG"]
    assert sell.status is OrderStatus.SUBMITTED
    assert for_the_open(sell) == opens.astimezone(UTC)
    assert buy.status is OrderStatus.VALIDATED  # still waits for the sell's cash
    ticket = Ticket.from_order(sell, number=1, algorithm="one order", now=wiring.engine.clock())
    rows = dict(ticket_rows(ticket))
    assert rows["When"].startswith(f"For the open of {opens:%a %Y-%m-%d} (09:30 New York time)")
    assert rows["Time in force"] == f"DAY: good for the session of {opens:%a %Y-%m-%d} only"
    after_open = Ticket.from_order(sell, number=1, algorithm="one order", now=opens + timedelta(minutes=5))
    assert "When" not in dict(ticket_rows(after_open))
    await wiring.broker.close()


async def test_a_fill_typed_for_an_evening_ticket_must_fall_after_the_open(tmp_path: Path) -> None:
    wiring = wiring_for(tmp_path, broker="manual", risk=HOLD)
    batch_id = await evening_batch(wiring, tmp_path, datetime(2026, 12, 3, 18, 10, tzinfo=NEW_YORK))
    sell = by_symbol(wiring, batch_id)["SPY"]
    now = datetime(2026, 12, 4, 10, 0, tzinfo=NEW_YORK)
    before = TypedFill(sell, Decimal(10), Decimal(600), datetime(2026, 12, 4, 9, 0, tzinfo=NEW_YORK))
    with pytest.raises(FillRefused, match="before the open it was ticketed for"):
        check_fill(before, now=now, collar=Decimal("0.5"), reference=None, force=True)
    after = dataclasses.replace(before, at=datetime(2026, 12, 4, 9, 31, tzinfo=NEW_YORK))
    check_fill(after, now=now, collar=Decimal("0.5"), reference=None, force=True)
    await wiring.broker.close()


async def test_with_the_setting_off_the_orders_wait_and_turning_it_on_later_hands_them_over(tmp_path: Path) -> None:
    """`tickets_before_open = false` keeps a held batch back; the same batch, worked later with it on, goes out."""
    wiring = wiring_for(tmp_path, broker="manual", risk=HOLD, execution={"tickets_before_open": False})
    batch_id = await evening_batch(wiring, tmp_path, datetime(2026, 12, 3, 18, 10, tzinfo=NEW_YORK))
    sell = by_symbol(wiring, batch_id)["SPY"]
    assert sell.status is OrderStatus.VALIDATED
    assert for_the_open(sell) is None
    wiring.engine.settings = wiring.engine.settings.model_copy(update={"tickets_before_open": True})
    await wiring.engine.cycle()
    sell = by_symbol(wiring, batch_id)["SPY"]
    assert sell.status is OrderStatus.SUBMITTED
    assert for_the_open(sell) is not None
    await wiring.broker.close()


async def test_with_the_setting_off_the_hold_lifts_at_the_open(tmp_path: Path) -> None:
    wiring = wiring_for(tmp_path, broker="manual", risk=HOLD, execution={"tickets_before_open": False})
    batch_id = await evening_batch(wiring, tmp_path, datetime(2026, 12, 3, 18, 10, tzinfo=NEW_YORK))
    at(wiring, datetime(2026, 12, 4, 9, 31, tzinfo=NEW_YORK))
    await wiring.engine.cycle()
    sell = by_symbol(wiring, batch_id)["SPY"]
    assert sell.status is OrderStatus.SUBMITTED
    assert for_the_open(sell) is None  # sent in the session: an ordinary ticket
    await wiring.broker.close()


async def test_a_simulated_broker_never_sends_before_the_open(tmp_path: Path) -> None:
    """Only a person can take a ticket for the open; a venue that trades by itself waits for the session."""
    wiring = wiring_for(tmp_path, broker="manual", risk=HOLD)
    wiring.broker.capabilities = dataclasses.replace(wiring.broker.capabilities, manual=False)  # type: ignore[misc]
    batch_id = await evening_batch(wiring, tmp_path, datetime(2026, 12, 3, 18, 10, tzinfo=NEW_YORK))
    assert by_symbol(wiring, batch_id)["SPY"].status is OrderStatus.VALIDATED
    await wiring.broker.close()
