"""Manual tickets: the book keeps what a person was asked to do and what they typed back, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.manual import ManualEntryError, ManualFill, ManualTicketBroker, derived_exec_id
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Position
from oms.ports import BrokerRejected, OrderNotFound, OrderRequest, ReportStatus

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def ticket(coid: str = "b1-0001", side: Side = Side.BUY, quantity: int = 100) -> OrderRequest:
    return OrderRequest(coid, "XYZ", side, Decimal(quantity), OrderType.LIMIT, TimeInForce.DAY, Decimal("40.10"))


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def broker(tmp_path: Path, lines: list[str]) -> ManualTicketBroker:
    return ManualTicketBroker(tmp_path / "manual-book.db", announce=lines.append)


async def test_a_submitted_ticket_is_working_and_announced_in_one_line(
    broker: ManualTicketBroker, lines: list[str]
) -> None:
    """Submitting keeps the ticket as working under a deterministic broker id and announces it once."""
    report = await broker.submit(ticket())
    assert (report.status, report.broker_order_id) == (ReportStatus.WORKING, "manual-b1-0001")
    assert lines == ["ticket b1-0001: BUY 100 XYZ LIMIT 40.10 DAY - enter it at your broker, then record its fills"]
    assert broker.capabilities.manual


async def test_the_same_fill_typed_twice_is_booked_once(broker: ManualTicketBroker) -> None:
    """Without an exec id the id is derived from what was typed, so a repeat is recognised and ignored."""
    await broker.submit(ticket())
    assert broker.record_fill("b1-0001", Decimal(40), Decimal("40.05"), AT) is True
    assert broker.record_fill("b1-0001", Decimal("40.0"), Decimal("40.050"), AT) is False
    (fill,) = await broker.fill_reports()
    assert fill.exec_id == derived_exec_id(ManualFill("b1-0001", Decimal(40), Decimal("40.05"), AT))
    report = await broker.find_order("b1-0001")
    assert (report.status, report.filled_quantity, report.average_fill_price) == (
        ReportStatus.PARTIALLY_FILLED,
        Decimal(40),
        Decimal("40.05"),
    )


async def test_an_overfill_is_refused_with_the_numbers_and_books_nothing(broker: ManualTicketBroker) -> None:
    """A fill larger than what is left is refused, saying how much is filled and left."""
    await broker.submit(ticket())
    broker.record_fill("b1-0001", Decimal(70), Decimal(40), AT)
    with pytest.raises(ManualEntryError, match=r"overfill the order \(70 of 100 already filled, 30 left\)") as error:
        broker.record_fill("b1-0001", Decimal(31), Decimal(40), AT)
    assert error.value.code == "OVERFILL"
    assert (await broker.find_order("b1-0001")).filled_quantity == 70


async def test_an_import_is_all_or_nothing(broker: ManualTicketBroker) -> None:
    """A bad row anywhere in an import leaves the book as it was; a good import books each row once."""
    await broker.submit(ticket())
    rows = [
        ManualFill("b1-0001", Decimal(10), Decimal(40), AT, "E1"),
        ManualFill("unknown", Decimal(10), Decimal(40), AT, "E2"),
    ]
    with pytest.raises(ManualEntryError, match="unknown: no such order"):
        broker.import_fills(rows)
    assert await broker.fill_reports() == []
    good = [rows[0], ManualFill("b1-0001", Decimal(90), Decimal(41), AT, "E3")]
    assert broker.import_fills(good) == [True, True]
    assert broker.import_fills(good) == [False, False]
    assert (await broker.find_order("b1-0001")).status is ReportStatus.FILLED


async def test_typed_values_are_checked(broker: ManualTicketBroker) -> None:
    """Non-positive numbers, times without a zone and a reused exec id with other details are refused."""
    await broker.submit(ticket())
    broker.record_fill("b1-0001", Decimal(1), Decimal(40), AT, exec_id="E1")
    bad = {
        "INVALID_QUANTITY": ManualFill("b1-0001", Decimal(0), Decimal(40), AT),
        "INVALID_PRICE": ManualFill("b1-0001", Decimal(1), Decimal(-1), AT),
        "NAIVE_TIME": ManualFill("b1-0001", Decimal(1), Decimal(40), datetime(2026, 3, 2, 15, 0)),  # noqa: DTZ001
        "EXEC_ID_CONFLICT": ManualFill("b1-0001", Decimal(2), Decimal(40), AT, "E1"),
    }
    for code, fill in bad.items():
        with pytest.raises(ManualEntryError) as error:
            broker.import_fills([fill])
        assert error.value.code == code


async def test_cancel_marks_the_remainder_and_late_fills_are_still_booked(broker: ManualTicketBroker) -> None:
    """A cancel keeps what filled; a fill typed after it is booked, and completes the order when nothing is left."""
    await broker.submit(ticket())
    broker.record_fill("b1-0001", Decimal(60), Decimal(40), AT)
    await broker.cancel("b1-0001")
    assert (await broker.find_order("b1-0001")).status is ReportStatus.CANCELLED
    assert await broker.order_reports() == []
    broker.record_fill("b1-0001", Decimal(10), Decimal(40), AT.replace(minute=5))
    assert (await broker.find_order("b1-0001")).status is ReportStatus.CANCELLED
    broker.record_fill("b1-0001", Decimal(30), Decimal(40), AT.replace(minute=6))
    assert (await broker.find_order("b1-0001")).status is ReportStatus.FILLED
    with pytest.raises(BrokerRejected, match="too late: filled"):
        await broker.cancel("b1-0001")


async def test_rejects_and_unknown_orders(broker: ManualTicketBroker) -> None:
    """A reused id is a definite reject; only an unfilled ticket can be marked rejected; unknown ids are not found."""
    await broker.submit(ticket())
    with pytest.raises(BrokerRejected, match="unique"):
        await broker.submit(ticket())
    await broker.submit(ticket("b1-0002"))
    broker.record_reject("b1-0002", "symbol halted")
    rejected = await broker.find_order("b1-0002")
    assert (rejected.status, rejected.reason) == (ReportStatus.REJECTED, "symbol halted")
    with pytest.raises(ManualEntryError, match="rejected"):
        broker.record_fill("b1-0002", Decimal(1), Decimal(40), AT)
    broker.record_fill("b1-0001", Decimal(1), Decimal(40), AT)
    with pytest.raises(ManualEntryError):
        broker.record_reject("b1-0001", "too late")
    with pytest.raises(OrderNotFound):
        await broker.find_order("nope")
    with pytest.raises(OrderNotFound):
        await broker.cancel("nope")


async def test_positions_are_what_was_traded_through_the_book(broker: ManualTicketBroker, tmp_path: Path) -> None:
    """Positions net buys and sells per symbol; another instance on the same file sees the same book."""
    await broker.submit(ticket("b", quantity=100))
    await broker.submit(ticket("s", side=Side.SELL, quantity=40))
    broker.record_fill("b", Decimal(100), Decimal(40), AT)
    broker.record_fill("s", Decimal(40), Decimal(42), AT)
    other = ManualTicketBroker(tmp_path / "manual-book.db")
    assert await other.positions() == [Position("XYZ", Decimal(60), Decimal(40))]
    assert await other.clock() is None
    await other.close()
