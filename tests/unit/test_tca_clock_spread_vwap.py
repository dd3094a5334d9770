"""One clock, the quoted spread and the interval VWAP, on a recorded manual batch: every number worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from oms.domain import Order
from oms.domain.market import Quote
from oms.reporting.arrival import VENUE, WALL, VenueQuote, arrival_details
from oms.reporting.tca import MarketContext, PricePoint, order_tca
from oms.reporting.tca_batch import build_report

D = Decimal
WALL_T0 = datetime(2026, 3, 2, 23, 5, tzinfo=UTC)  # when the OMS released the order, by the machine's clock
VENUE_T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # the simulator's session clock at the same moment (10:00 NY)


def _order(quantity: str = "100", decision: str = "49.90") -> Order:
    order = Order.create("XYZ", "buy", quantity, order_id="o-xyz", at=WALL_T0, decision_price=D(decision))
    order.validate(at=WALL_T0)
    return order


def test_a_venue_clock_arrival_and_venue_fills_give_a_positive_wait() -> None:
    """Arrival read on the venue's clock at 15:00 UTC, fill at 15:01 on it: 60 s, though the wall said 23:05."""
    order = _order()
    quote = VenueQuote("XYZ", D("50.00"), VENUE_T0, bid=D("49.95"), ask=D("50.05"))
    order.note("arrival", at=WALL_T0, **arrival_details(quote, None))
    order.submit("c1", at=WALL_T0)
    order.fill("e1", "100", "50.10", VENUE_T0 + timedelta(seconds=60))
    row = order_tca(order)
    assert row.clock == VENUE
    assert row.arrival_at == VENUE_T0
    assert row.time_to_first_fill == timedelta(seconds=60)
    assert row.time_to_completion == timedelta(seconds=60)


def test_the_old_mixed_clocks_would_have_been_negative_and_are_refused() -> None:
    """A fill stamped before the arrival (two clocks mixed) shows no duration and says why, never -8:04:00."""
    order = _order()
    order.note("arrival", at=WALL_T0, **arrival_details(Quote("XYZ", D("50.00"), WALL_T0), None))
    order.submit("c1", at=WALL_T0)
    order.fill("e1", "100", "50.10", VENUE_T0 + timedelta(seconds=60))
    row = order_tca(order)
    assert row.clock == WALL
    assert row.time_to_first_fill is None
    assert row.time_to_completion is None
    assert "FILL_BEFORE_ARRIVAL" in row.notes


def _manual_batch() -> tuple[Order, MarketContext]:
    """Buy 100 at a 49.95 x 50.05 quote (mid 50.00), decided at 49.90; filled 60 @ 50.10 and 40 @ 50.20."""
    order = _order()
    quote = Quote("XYZ", D("50.00"), WALL_T0, bid=D("49.95"), ask=D("50.05"))
    order.note("arrival", at=WALL_T0, **arrival_details(quote, None))
    order.submit("c1", at=WALL_T0)
    order.fill("e1", "60", "50.10", WALL_T0 + timedelta(seconds=30))
    order.fill("e2", "40", "50.20", WALL_T0 + timedelta(seconds=90))
    bars = (
        PricePoint(WALL_T0 - timedelta(seconds=30), D("49.00"), D(9000)),  # before arrival: not in the interval
        PricePoint(WALL_T0 + timedelta(seconds=30), D("50.10"), D(1000)),
        PricePoint(WALL_T0 + timedelta(seconds=60), D("50.15"), D(2000)),
        PricePoint(WALL_T0 + timedelta(seconds=90), D("50.20"), D(1000)),
        PricePoint(WALL_T0 + timedelta(seconds=120), D("51.00"), D(9000)),  # after the last fill: not in it
    )
    return order, MarketContext(reference=bars)


def test_the_spread_is_split_from_impact() -> None:
    """Spread 0.10 on a 50.00 mid is 20 bps; half of it on 100 shares is $5.00; the rest of $14.00 is impact."""
    order, context = _manual_batch()
    row = order_tca(order, context)
    assert row.spread_bps == D(20)
    assert row.average_fill_price == D("50.14")
    assert row.shortfall is not None
    assert row.shortfall.delay == D("10.00")  # 100 x (50.00 - 49.90)
    assert row.shortfall.spread == D("5.00")  # 100 x 50.00 x 20 / 2 / 10,000
    assert row.shortfall.impact == D("9.00")  # 100 x (50.14 - 50.00) - 5.00
    assert "NO_SPREAD" not in row.notes


def test_no_spread_only_without_a_quoted_bid_and_ask() -> None:
    """A quote with a price but no bid or ask is the one case tagged NO_SPREAD: all trading cost is impact."""
    order = _order()
    order.note("arrival", at=WALL_T0, **arrival_details(Quote("XYZ", D("50.00"), WALL_T0), None))
    order.submit("c1", at=WALL_T0)
    order.fill("e1", "100", "50.10", WALL_T0 + timedelta(seconds=5))
    row = order_tca(order)
    assert "NO_SPREAD" in row.notes
    assert row.shortfall is not None
    assert row.shortfall.spread == 0
    assert row.shortfall.impact == D("10.00")


def test_interval_vwap_and_participation() -> None:
    """Bars within arrival..last fill: (50.10 x 1000 + 50.15 x 2000 + 50.20 x 1000) / 4000 = 50.15; 100 / 4000."""
    order, context = _manual_batch()
    row = order_tca(order, context)
    assert row.interval_vwap == D("50.15")
    assert row.market_volume == D(4000)
    assert row.participation_pct == D("2.5")
    assert row.vs_vwap_bps == pytest.approx(D("-0.01") / D("50.15") * 10_000)  # bought 1 cent under the VWAP


class _Bars:
    def __init__(self, points: tuple[PricePoint, ...]) -> None:
        self.points = points
        self.asked: list[tuple[str, datetime, datetime]] = []

    def bars(self, symbol: str, start: datetime, end: datetime) -> list[PricePoint]:
        self.asked.append((symbol, start, end))
        return [p for p in self.points if start <= p.at <= end]


def test_batch_takes_bars_from_market_data_and_weights_vwap_and_participation() -> None:
    """Per batch: the market data is asked for arrival..last fill; totals carry the VWAP slippage and 2.5%."""
    order, context = _manual_batch()
    source = _Bars(tuple(context.reference))
    report = build_report([order], bars=source)
    assert source.asked == [("XYZ", WALL_T0, WALL_T0 + timedelta(seconds=90))]
    assert report.orders[0].interval_vwap == D("50.15")
    assert report.totals.participation_pct == D("2.5")
    assert report.totals.slippage_vwap_bps == pytest.approx(D("-0.01") / D("50.15") * 10_000)
    assert report.clock == WALL
