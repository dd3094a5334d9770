"""The terminal report: every order, its reason codes and the shortfall split appear in the tables."""

from __future__ import annotations

from rich.console import Console

from oms.reporting.across import across_batches
from oms.reporting.report_terminal import print_across, print_batch
from oms.reporting.tca_batch import build_report
from tests.tca_samples import sample_batch


def rendered(print_function, subject) -> str:  # type: ignore[no-untyped-def]
    console = Console(record=True, width=220, color_system=None)
    print_function(subject, console)
    return console.export_text()


def test_batch_table_lists_each_order_with_its_codes_and_the_totals() -> None:
    """Each symbol, the reject reason, the rounded slippage and the shortfall total are printed."""
    orders, contexts = sample_batch()
    text = rendered(print_batch, build_report(orders, contexts))
    for symbol in ("AAPL", "MSFT", "SPY", "TSLA", "QQQ"):
        assert symbol in text
    assert "REJECTED:RISK_MAX_ORDER_VALUE" in text
    assert "27.94" in text
    assert "480.50 (114.40 bps)" in text  # 480.50 / 42 000 of decision value


def test_across_tables_show_each_dimension() -> None:
    """The across-batch print has one table per dimension and names the batch count."""
    orders, contexts = sample_batch()
    text = rendered(print_across, across_batches(build_report(orders, contexts).orders))
    assert "across 1 batch" in text
    for title in ("By algo", "By urgency", "By symbol"):
        assert title in text
    assert "85.91" in text  # TWAP: 90.91 realised against 5 expected
