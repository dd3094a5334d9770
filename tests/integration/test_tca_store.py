"""TCA results in the ledger on SQLite and PostgreSQL: exact round trip, replacement, and staleness."""

from __future__ import annotations

from dataclasses import replace

from oms.domain import Batch
from oms.reporting.ledger_reports import report_batch
from oms.reporting.tca import order_tca
from oms.reporting.tca_store import TcaResults, is_current
from oms.store import Ledger
from tests.tca_samples import T0, at, sample_batch


def stored_sample(ledger: Ledger) -> None:
    orders, _ = sample_batch()
    with ledger.unit_of_work() as uow:
        uow.batches.add(Batch.create(batch_id="b-sample", at=T0))
        uow.orders.add_many(orders)
        uow.commit()


def test_results_round_trip_exactly(ledger: Ledger) -> None:
    """Every stored metric comes back equal, to the last digit of a 28-digit quotient."""
    stored_sample(ledger)
    _, contexts = sample_batch()
    report = report_batch(ledger, "b-sample", contexts, now=at(7200))
    with ledger.reading() as uow:
        back = TcaResults(uow).for_batch("b-sample")
    assert set(back) == {row.order_id for row in report.orders}
    for row in report.orders:
        assert back[row.order_id] == replace(row, fills=(), reference=())


def test_measuring_again_replaces_the_result(ledger: Ledger) -> None:
    """A second report with other marks leaves one result per order, the newer one."""
    stored_sample(ledger)
    _, contexts = sample_batch()
    report_batch(ledger, "b-sample", contexts)
    report_batch(ledger, "b-sample", {})
    with ledger.reading() as uow:
        back = TcaResults(uow).for_batch("b-sample")
    assert len(back) == 5
    assert back["o-qqq"].end_price == back["o-qqq"].arrival_price  # estimated this time: no marks given
    assert "END_PRICE_ESTIMATED" in back["o-qqq"].notes


def test_a_result_goes_stale_when_its_order_fills_further(ledger: Ledger) -> None:
    """A result stays current until the order's fills or status change (here: a late fill after a cancel)."""
    stored_sample(ledger)
    _, contexts = sample_batch()
    result = report_batch(ledger, "b-sample", contexts).orders[1]  # MSFT: cancelled with 150 of 200 filled
    with ledger.unit_of_work() as uow:
        msft = uow.orders.get("o-msft")
        assert msft is not None
        assert is_current(result, order_tca(msft))
        msft.fill("late", "10", "19.70", at(400))
        uow.orders.save(msft)
        uow.commit()
    assert not is_current(result, order_tca(msft))
