"""Batch totals and the JSON shape of the batch report, against hand-computed values."""

from __future__ import annotations

import json

from oms.domain import Algo, Order
from oms.reporting.display import bps, money, report_json
from oms.reporting.tca import order_tca
from oms.reporting.tca_batch import build_report, totals
from tests.tca_samples import T0, D, at, sample_batch, submitted_order


def test_batch_slippage_is_weighted_by_value() -> None:
    """AAPL costs 0.14 * 100 and MSFT 0.10 * 150 against arrival: (14 + 15) / (5010 + 2985) of value."""
    orders, contexts = sample_batch()
    pair = totals(order_tca(o, contexts[o.symbol]) for o in orders[:2])
    assert pair.slippage_arrival_bps == D(290_000) / D(7995)
    assert pair.shortfall.total == D("80.5")  # 24.50 + 56
    assert pair.shortfall_bps == D("80.5") / D(9000) * 10_000
    assert pair.fill_rate == D(8000) / D(9000)  # 100 * 50 + 150 * 20 of 5000 + 4000 at decision prices
    assert pair.commission == D("1.50")
    # expected: 20 bps on 5010 and 30 bps on 2985 of arrival value
    assert pair.expected_cost_bps == (20 * D(5010) + 30 * D(2985)) / D(7995)


def test_build_report_measures_every_order_and_finds_the_batch() -> None:
    """All five orders appear, in order, and the batch id comes from the orders."""
    orders, contexts = sample_batch()
    report = build_report(orders, contexts)
    assert report.batch_id == "b-sample"
    assert [r.symbol for r in report.orders] == ["AAPL", "MSFT", "SPY", "TSLA", "QQQ"]
    assert report.totals.orders == 5
    assert report.totals.filled_orders == 3
    # shortfalls: 24.50 + 56 + SPY (1000 * 0.10 = 100, nothing left) + TSLA 100 + QQQ 200
    assert report.totals.shortfall.total == D("480.50")


def test_contexts_by_order_id_win_over_contexts_by_symbol() -> None:
    """A context keyed by order id is used before one keyed by symbol."""
    orders, contexts = sample_batch()
    contexts["o-aapl"] = contexts["MSFT"]
    report = build_report(orders[:1], contexts)
    assert report.orders[0].arrival_price == D("19.90")


def test_report_json_has_the_documented_shape_and_rounds_for_display() -> None:
    """`oms report --json` keys are present; bps have two decimals, money cents, and it serialises."""
    orders, contexts = sample_batch()
    payload = report_json(build_report(orders, contexts))
    assert set(payload) == {"batch_id", "clock", "orders", "totals"}
    first = payload["orders"][0]
    for key in (
        "symbol",
        "side",
        "quantity",
        "filled_quantity",
        "average_fill_price",
        "arrival_price",
        "decision_price",
        "slippage_bps",
        "shortfall",
        "fill_rate",
    ):
        assert key in first
    assert first["slippage_bps"] == "27.94"  # 1400 / 50.10 = 27.944...
    assert first["shortfall"] == "24.50"
    assert first["fill_rate"] == "100.00"
    assert payload["totals"]["shortfall"] == "480.50"
    json.dumps(payload)


def test_display_rounds_half_away_from_zero() -> None:
    """2.505 shows as 2.51 and -2.505 as -2.51, as people round by hand."""
    assert money(D("2.505")) == "2.51"
    assert bps(D("-2.505")) == "-2.51"
    assert bps(None) is None


def test_an_algorithm_parent_is_measured_with_its_children() -> None:
    """A TWAP parent of 100 worked as two children (50 @ 10.10, 50 @ 10.30) is one row: avg 10.20, 200 bps."""
    parent = Order.create("SPY", "buy", "100", order_id="p", at=T0, decision_price=D(10), algo=Algo.TWAP)
    parent.batch_id = "b-algo"
    kids = []
    for n, price in enumerate(("10.10", "10.30")):
        child = submitted_order("SPY", "buy", "50", decision="10", order_id=f"c{n}", batch_id=f"b-algo-{n}")
        child.parent_id = "p"
        child.fill(f"x{n}", "50", price, at(60 * (n + 1)), commission="0.25")
        kids.append(child)
    report = build_report([parent, *kids])
    assert [row.order_id for row in report.orders] == ["p"]
    row = report.orders[0]
    assert row.filled_quantity == 100
    assert row.average_fill_price == D("10.20")
    assert row.slippage_decision_bps == D(200)
    assert row.commission == D("0.50")
    assert row.time_to_first_fill == at(60) - at(0)  # from the first child's submission
    assert report.totals.decision_notional == D(1000)  # the quantity is counted once
