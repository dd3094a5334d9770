"""Across batches: slippage grouped by algorithm, urgency and symbol, realised against expected."""

from __future__ import annotations

from oms.reporting.across import across_batches, across_json
from oms.reporting.tca_batch import build_report
from tests.tca_samples import D, sample_batch


def measured() -> list:
    orders, contexts = sample_batch()
    return list(build_report(orders, contexts).orders)


def test_groups_cover_every_order_once_per_dimension() -> None:
    """Each dimension's groups add up to all five orders; orders without an algorithm group as `direct`."""
    report = across_batches(measured())
    for dimension in ("algo", "urgency", "symbol"):
        assert sum(g.totals.orders for g in report.by(dimension)) == 5
    assert [g.key for g in report.by("algo")] == ["direct", "twap"]
    assert [g.key for g in report.by("urgency")] == ["high", "low", "normal"]


def test_realised_against_expected_by_algorithm() -> None:
    """Direct orders: AAPL 14 + MSFT 15 dollars of cost on 7995 of arrival value, expected (20*5010+30*2985)/7995."""
    direct = across_batches(measured()).by("algo")[0].totals
    assert direct.slippage_arrival_bps == D(290_000) / D(7995)
    assert direct.expected_cost_bps == (20 * D(5010) + 30 * D(2985)) / D(7995)
    assert direct.cost_above_expected_bps == direct.slippage_arrival_bps - direct.expected_cost_bps
    twap = across_batches(measured()).by("algo")[1].totals
    assert twap.slippage_arrival_bps == D("0.10") / D(11) * 10_000
    assert twap.expected_cost_bps == 5


def test_batches_are_listed_and_json_has_each_dimension() -> None:
    """The JSON names the batches seen and carries by_algo, by_urgency and by_symbol."""
    payload = across_json(across_batches(measured()))
    assert payload["batches"] == ["b-sample"]
    assert {g["key"] for g in payload["by_symbol"]} == {"AAPL", "MSFT", "SPY", "TSLA", "QQQ"}
    assert payload["by_algo"][1]["slippage_bps"] == "90.91"
    assert payload["by_algo"][1]["cost_above_expected_bps"] == "85.91"


def test_nothing_measured_gives_empty_groups() -> None:
    """No orders: no groups and totals without rates, rather than a division by zero."""
    report = across_batches([])
    assert report.groups == ()
    assert report.overall.slippage_arrival_bps is None
    assert report.overall.fill_rate is None
