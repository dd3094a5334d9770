"""TCA on the simulator: its quote at arrival, its clock and its bars, with numbers worked by hand.

FLAT has no volatility, so its mid stays at 100.00: bid and ask are 2 bps either side (99.98 x 100.02), every fill
is at the ask, and the interval VWAP is 100.00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.sim.clock import SESSION_SECONDS
from oms.domain import Order
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Quote, Security
from oms.ports import OrderRequest
from oms.reporting.arrival import VENUE, arrival_details
from oms.reporting.tca_batch import build_report
from tests.integration.venues.conftest import FakeWall, MakeBroker

D = Decimal
OPEN_PLUS_30 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York, where SETTINGS start the venue


class _NoMaster:
    def security(self, symbol: str) -> Security | None:
        return None

    def quote(self, symbol: str) -> Quote | None:
        return None


def _bar_volume(bar_end: float) -> float:
    """The simulator's volume model written out: ADV x 60 s / session x U-shaped weight at the bar's middle."""
    fraction = (bar_end - 30) / SESSION_SECONDS
    return 1_000_000 * 60 / SESSION_SECONDS * (0.6 + 1.2 * (2 * fraction - 1) ** 2)


async def test_sim_quote_clock_spread_vwap_and_participation(make_broker: MakeBroker, wall: FakeWall) -> None:
    broker = make_broker()
    market = broker.market_data(_NoMaster())
    quote = market.quote("FLAT")
    assert quote is not None
    assert (quote.bid, quote.ask, quote.price) == (D("99.98"), D("100.02"), D("100.00"))  # 4 bps typical spread
    assert quote.at == OPEN_PLUS_30  # the venue's clock, not the machine's

    order = Order.create("FLAT", "buy", "500", order_id="o-flat", at=datetime.now(UTC), decision_price=D(100))
    order.validate()
    order.note("arrival", **arrival_details(quote, None))
    order.submit("c-flat")
    request = OrderRequest("c-flat", "FLAT", Side.BUY, D(500), OrderType.MARKET, TimeInForce.DAY)
    await broker.submit(request)
    wall.advance(3.0)  # three simulated minutes: bars ending 10:01 and 10:02 fill it (about 372 + 128)
    fills = await broker.fill_reports()
    assert len(fills) == 2
    for n, fill in enumerate(fills):
        order.fill(f"e{n}", fill.quantity, fill.price, fill.at)

    report = build_report([order], bars=market)
    row = report.orders[0]
    assert report.clock == VENUE
    assert row.time_to_first_fill == timedelta(seconds=60)  # acknowledged at 10:00:01, first bar closes 10:01
    assert row.time_to_completion == timedelta(seconds=120)
    assert row.average_fill_price == D("100.02")
    assert row.spread_bps == D(4)
    assert row.shortfall is not None
    assert row.shortfall.spread == D("10.00")  # 500 x 100.00 x 4 bps / 2
    assert row.shortfall.impact == 0  # no volatility, so no impact: all of 500 x 0.02 is the spread
    assert row.interval_vwap == D(100)
    assert row.vs_vwap_bps == D(2)
    volume = _bar_volume(1860) + _bar_volume(1920)
    assert float(row.market_volume or 0) == pytest.approx(volume, abs=0.001)
    assert float(row.participation_pct or 0) == pytest.approx(500 / volume * 100, rel=1e-6)
    assert "NO_SPREAD" not in row.notes
