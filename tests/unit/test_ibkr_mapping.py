"""IB statuses, error codes and order fields mapped to the port's vocabulary, row by row of docs/adapters/ibkr.md."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.ibkr.mapping import (
    ErrorKind,
    classify_error,
    map_status,
    order_fields,
    to_decimal,
    utc_execution_time,
)
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.ports import BrokerRejected, OrderRequest, ReportStatus

NONE, SOME, ALL = Decimal(0), Decimal(4), Decimal(10)
QTY = Decimal(10)


@pytest.mark.parametrize(
    ("raw", "filled", "expected"),
    [
        ("PendingSubmit", NONE, ReportStatus.PENDING),
        ("ApiPending", NONE, ReportStatus.PENDING),
        ("PreSubmitted", NONE, ReportStatus.WORKING),
        ("Submitted", NONE, ReportStatus.WORKING),
        ("Submitted", SOME, ReportStatus.PARTIALLY_FILLED),
        ("ValidationError", NONE, ReportStatus.WORKING),
        ("PendingCancel", SOME, ReportStatus.PENDING_CANCEL),
        ("ApiCancelled", NONE, ReportStatus.CANCELLED),
        ("Cancelled", SOME, ReportStatus.CANCELLED),
        ("Filled", ALL, ReportStatus.FILLED),
        ("Inactive", NONE, ReportStatus.REJECTED),
        ("Inactive", SOME, ReportStatus.CANCELLED),
        ("Submitted", ALL, ReportStatus.FILLED),
        ("PendingCancel", ALL, ReportStatus.FILLED),
    ],
)
def test_status_mapping(raw: str, filled: Decimal, expected: ReportStatus) -> None:
    """Each IB status, with what has filled, maps to one ReportStatus; everything executed is filled."""
    assert map_status(raw, filled, QTY) is expected


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (201, ErrorKind.REJECT),
        (202, ErrorKind.CANCELLED),
        (10148, ErrorKind.CANCEL_REJECTED),
        (103, ErrorKind.RETRY),
        (100, ErrorKind.REJECT),
        (1100, ErrorKind.CONNECTIVITY_LOST),
        (1101, ErrorKind.CONNECTIVITY_RESTORED),
        (1102, ErrorKind.CONNECTIVITY_RESTORED),
        (2104, ErrorKind.NOTICE),
        (2106, ErrorKind.NOTICE),
        (2158, ErrorKind.NOTICE),
        (10349, ErrorKind.WARNING),  # was ORDER_ERROR: a warning on a live order is never its outcome (issue 13)
        (399, ErrorKind.WARNING),
        (404, ErrorKind.WARNING),
        (2109, ErrorKind.NOTICE),
        (2110, ErrorKind.CONNECTIVITY_LOST),
        (326, ErrorKind.CLIENT_ID_IN_USE),
        (10999, ErrorKind.ORDER_ERROR),
    ],
)
def test_error_classification(code: int, kind: ErrorKind) -> None:
    """The error codes brokers.md names are classified as it says; unknown order errors are confirmed."""
    assert classify_error(code).kind is kind


def _request(**changes: object) -> OrderRequest:
    values: dict[str, object] = {
        "client_order_id": "b1-0001",
        "symbol": "AAPL",
        "side": Side.SELL,
        "quantity": Decimal(25),
        "order_type": OrderType.LIMIT,
        "time_in_force": TimeInForce.DAY,
        "limit_price": Decimal("190.25"),
    }
    return OrderRequest(**(values | changes))  # type: ignore[arg-type]


def test_order_fields_carry_our_id_as_order_ref_and_the_account() -> None:
    """A limit sell becomes SELL / LMT / DAY with orderRef and account set."""
    fields = order_fields(_request(), "DU1")
    assert (fields.action, fields.order_type, fields.tif, fields.order_ref, fields.account) == (
        "SELL",
        "LMT",
        "DAY",
        "b1-0001",
        "DU1",
    )
    assert (fields.total_quantity, fields.limit_price, fields.aux_price) == (25.0, 190.25, None)


def test_at_the_close_orders_become_moc_and_loc() -> None:
    """TimeInForce CLS is an order type at IB: market becomes MOC, limit becomes LOC."""
    assert order_fields(_request(time_in_force=TimeInForce.CLS), "DU1").order_type == "LOC"
    market = _request(time_in_force=TimeInForce.CLS, order_type=OrderType.MARKET, limit_price=None)
    assert order_fields(market, "DU1").order_type == "MOC"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"quantity": Decimal("2.5")}, "IB_FRACTIONAL_QUANTITY"),
        ({"quantity": Decimal(0)}, "IB_FRACTIONAL_QUANTITY"),
        ({"limit_price": None}, "IB_MISSING_PRICE"),
        ({"order_type": OrderType.STOP, "limit_price": None}, "IB_MISSING_PRICE"),
    ],
)
def test_orders_ib_would_refuse_are_rejected_before_sending(changes: dict[str, object], code: str) -> None:
    """Fractional or zero quantities and missing prices are definite rejects with a reason code."""
    with pytest.raises(BrokerRejected) as rejected:
        order_fields(_request(**changes), "DU1")
    assert rejected.value.code == code


def test_sdk_numbers_become_exact_decimals() -> None:
    """Floats from the SDK become exact Decimals; IB's unset double becomes None."""
    assert to_decimal(30.0) == Decimal(30)
    assert str(to_decimal(30.0)) == "30"
    assert to_decimal(190.1) == Decimal("190.1")
    assert to_decimal(1.7976931348623157e308) is None
    assert to_decimal("") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20260824-20:00:12", "20260824 20:00:12 UTC"),
        ("20260824 16:00:12 US/Eastern", "20260824 16:00:12 US/Eastern"),
        ("1787601612", "1787601612"),
        ("2026-08-24 20:00:12.0", "2026-08-24 20:00:12.0"),
    ],
)
def test_zoneless_execution_times_are_utc(raw: str, expected: str) -> None:
    assert utc_execution_time(raw) == expected
