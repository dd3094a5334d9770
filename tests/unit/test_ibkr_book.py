"""The adapter's order book on ib_async's own Trade and Fill objects: identity by permId, then orderRef."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ib_async import CommissionReport, Execution, Fill, Order, OrderStatus, Stock, Trade, TradeLogEntry

from adapters.ibkr.book import OrderBook
from oms.domain.enums import Side
from oms.ports import ReportStatus


def _trade(ref: str, perm_id: int, status: str = "Submitted", order_id: int = 7, filled: float = 0.0) -> Trade:
    order = Order(orderId=order_id, clientId=17, permId=perm_id, action="BUY", totalQuantity=100.0, orderRef=ref)
    return Trade(Stock("AAPL", "SMART", "USD"), order, OrderStatus(orderId=order_id, status=status, filled=filled))


def _fill(exec_id: str, perm_id: int, ref: str, shares: float, price: float = 190.0) -> Fill:
    execution = Execution(
        execId=exec_id, time=datetime.now(UTC), side="BOT", shares=shares, price=price, permId=perm_id, orderRef=ref
    )
    return Fill(Stock("AAPL", "SMART", "USD"), execution, CommissionReport(exec_id, 1.25), datetime.now(UTC))


def test_perm_id_wins_over_order_ref() -> None:
    """Once an order's permId is known, a trade with that permId matches it even under another orderRef."""
    book = OrderBook()
    entry = book.absorb(_trade("b1-0001", 900))
    assert entry is not None
    assert book.match(_trade("something-else", 900)) is entry


def test_order_id_is_not_identity() -> None:
    """Two orders that share an orderId (a new session reusing ids) stay two orders."""
    book = OrderBook()
    book.absorb(_trade("b1-0001", 900, order_id=5))
    book.absorb(_trade("b1-0002", 901, order_id=5))
    assert sorted(e.client_order_id for e in book.entries()) == ["b1-0001", "b1-0002"]


def test_orders_without_our_order_ref_are_ignored() -> None:
    """Manual TWS orders (no orderRef) are not taken for ours."""
    assert OrderBook().absorb(_trade("", 900)) is None


def test_a_cancel_ib_async_inferred_from_an_error_is_held_until_confirmed() -> None:
    """A Cancelled status logged with an error code keeps the last confirmed status; the gateway decides."""
    book = OrderBook()
    trade = _trade("b1-0001", 900)
    entry = book.absorb(trade)
    assert entry is not None
    trade.orderStatus.status = "Cancelled"
    trade.log.append(TradeLogEntry(datetime.now(UTC), "Cancelled", "Error 10349", 10349))
    book.absorb(trade)
    assert book.report(entry).status is ReportStatus.WORKING
    book.settle_unconfirmed(open_perm_ids={900}, completed_perm_ids=set())
    assert book.report(entry).status is ReportStatus.WORKING
    book.absorb(trade)
    book.settle_unconfirmed(open_perm_ids=set(), completed_perm_ids=set())
    assert book.report(entry).status is ReportStatus.CANCELLED
    assert entry.reason is not None
    assert "10349" in entry.reason


def test_the_same_execution_is_recorded_once_with_its_commission() -> None:
    """An execution seen twice (live, then by reqExecutions) is one fill; it carries its commission."""
    book = OrderBook()
    book.absorb(_trade("b1-0001", 900))
    assert book.add_fill(_fill("e1", 900, "b1-0001", 40.0)) is not None
    assert book.add_fill(_fill("e1", 900, "b1-0001", 40.0)) is None
    [fill] = book.fills()
    assert (fill.quantity, fill.side, fill.commission, fill.broker_order_id) == (
        Decimal(40),
        Side.BUY,
        Decimal("1.25"),
        "900",
    )


def test_executions_fill_an_order_that_never_reported_a_status() -> None:
    """An order whose executions add up to its quantity is filled, whatever the last status said."""
    book = OrderBook()
    entry = book.absorb(_trade("b1-0001", 900, status="PendingSubmit"))
    assert entry is not None
    book.add_fill(_fill("e1", 900, "b1-0001", 60.0, 190.0))
    book.add_fill(_fill("e2", 900, "b1-0001", 40.0, 191.0))
    report = book.report(entry)
    assert (report.status, report.filled_quantity) == (ReportStatus.FILLED, Decimal(100))
    assert report.average_fill_price == Decimal("190.4")


def test_fills_of_an_order_seen_only_by_its_order_ref_are_ours() -> None:
    """After a restart an execution may arrive before its order: the orderRef attributes it."""
    book = OrderBook()
    fill = book.add_fill(_fill("e9", 901, "b1-0009", 5.0))
    assert fill is not None
    assert fill.client_order_id == "b1-0009"


def test_reading_an_unchanged_order_again_does_not_make_it_recent() -> None:
    """updated_at moves when the status or the filled quantity changes, not on every read of the gateway."""
    book = OrderBook()
    entry = book.absorb(_trade("b1-0001", 900))
    assert entry is not None
    first = entry.updated_at
    book.absorb(_trade("b1-0001", 900))
    assert entry.updated_at == first
    book.absorb(_trade("b1-0001", 900, filled=10.0))
    assert entry.updated_at > first


def test_a_warning_on_a_finished_order_does_not_reopen_it() -> None:
    """ib_async marks any order warning ValidationError, even after Cancelled; the order stays cancelled."""
    book = OrderBook()
    trade = _trade("b1-0001", 900, status="Cancelled")
    entry = book.absorb(trade)
    assert entry is not None
    trade.orderStatus.status = "ValidationError"
    book.absorb(trade)
    assert book.report(entry).status is ReportStatus.CANCELLED
