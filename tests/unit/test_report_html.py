"""The HTML report: self-contained, and drawing one mark per order, fill and cost part."""

from __future__ import annotations

from datetime import UTC, datetime

from oms.reporting.report_html import render_html
from oms.reporting.tca_batch import build_report
from tests.htmlshape import shape_of
from tests.tca_samples import sample_batch, submitted_order


def sample_html() -> str:
    orders, contexts = sample_batch()
    return render_html(build_report(orders, contexts), generated_at=datetime(2026, 3, 2, 22, tzinfo=UTC))


def test_report_needs_nothing_from_outside() -> None:
    """No script, no stylesheet or image link, no src or href at all: it opens offline."""
    html = sample_html()
    shape = shape_of(html)
    assert shape.tags["script"] == 0
    assert shape.tags["link"] == 0
    assert shape.external == []
    assert "http://" not in html
    assert "https://" not in html


def test_report_draws_one_bar_per_filled_order_and_one_dot_per_fill() -> None:
    """Three filled orders give three slippage bars and three expected-cost dots; 2 + 1 + 4 fills give seven dots."""
    shape = shape_of(sample_html())
    assert shape.marks["bars/bar"] == 3
    assert shape.marks["bars/marker"] == 3  # expected cost ticks
    assert shape.marks["expected/dot"] == 3
    assert shape.marks["timeline/fill"] == 7
    assert shape.marks["waterfall/bar"] == 6  # delay, spread, impact, opportunity, commission, total
    assert shape.order_rows == 5


def test_negative_money_reads_minus_dollar() -> None:
    """A buy of 100 decided at 50.00 and filled at 48.0248 gained $197.52: it prints -$197.52, never $-197.52."""
    order = submitted_order("SOXL", "buy", "100", decision="50.00")
    order.fill("g1", "100", "48.0248", order.created_at)
    html = render_html(build_report([order]))
    assert "$-" not in html
    assert "-$197.52" in html


def test_report_shows_reason_codes_and_marks_warnings() -> None:
    """A reject's reason and a cost overrun appear as warning badges in the order table."""
    html = sample_html()
    assert '<span class="badge warn" title="the order was rejected' in html
    assert ">REJECTED:RISK_MAX_ORDER_VALUE<" in html
    assert ">COST_ABOVE_EXPECTED<" in html


def test_report_escapes_what_it_is_given() -> None:
    """A status reason with markup in it is shown as text, never run as markup."""
    order = submitted_order("IBM", "buy", "1", decision="10")
    order.request_cancel()
    order.cancel("<script>alert(1)</script>")
    html = render_html(build_report([order]))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert shape_of(html).tags["script"] == 0


def test_empty_batch_still_renders() -> None:
    """A batch with no orders renders a page that says so rather than failing."""
    html = render_html(build_report([], batch_id="b-empty"))
    assert "b-empty" in html
    assert "No fills yet." in html


def test_five_hundred_orders_keep_one_readable_row_each_for_the_extremes() -> None:
    """At 500 orders the bar chart keeps 40 rows (20 costliest, 20 best) and says the other 460 are in the table."""
    from tests.tca_samples import many_orders

    html = render_html(build_report(many_orders(500)))
    shape = shape_of(html)
    assert shape.marks["bars/bar"] == 40
    assert "The 460 orders between the costliest and the best are in the table below." in html
    assert shape.marks["timeline/fill"] == 1000
    assert shape.order_rows == 500
