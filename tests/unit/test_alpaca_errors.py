"""Alpaca's error bodies sorted into definite rejects, unknown outcomes, not-found and duplicates."""

from __future__ import annotations

import json

import pytest
import requests
from alpaca.common.exceptions import APIError

from adapters.alpaca.errors import DuplicateClientOrderId, Kind, classify, to_error
from oms.ports import BrokerRejected, BrokerUnavailable, OrderNotFound


def api_error(status: int, body: object) -> APIError:
    """The exception alpaca-py raises, built the way its RESTClient builds it."""
    response = requests.Response()
    response.status_code = status
    text = body if isinstance(body, str) else json.dumps(body)
    response._content = text.encode()
    return APIError(text, requests.HTTPError(response=response))


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (403, {"code": 40310000, "message": "insufficient qty available for order"}, Kind.REJECTED, "INSUFFICIENT_QTY"),
        (403, {"code": 40310000, "message": "potential wash trade detected"}, Kind.REJECTED, "WASH_TRADE"),
        (403, {"code": 40310000, "message": "insufficient buying power"}, Kind.REJECTED, "INSUFFICIENT_BUYING_POWER"),
        (403, {"code": 40310000, "message": "something new"}, Kind.REJECTED, "BROKER_REJECTED"),
        (
            422,
            {"code": 42210000, "message": "sub-penny increment does not fulfill minimum"},
            Kind.REJECTED,
            "SUB_PENNY_PRICE",
        ),
        (
            422,
            {"code": 40010001, "message": "client_order_id must be unique"},
            Kind.DUPLICATE,
            "DUPLICATE_CLIENT_ORDER_ID",
        ),
        (422, {"code": 42210000, "message": "order is not cancelable"}, Kind.REJECTED, "CANCEL_TOO_LATE"),
        (422, {"code": 42210000, "message": 'order is already in "filled" state'}, Kind.REJECTED, "CANCEL_TOO_LATE"),
        (404, {"code": 40410000, "message": "order not found"}, Kind.NOT_FOUND, "NOT_FOUND"),
        (429, {"message": "too many requests."}, Kind.RATE_LIMITED, "RATE_LIMITED"),
        (504, "<html>504 Gateway Time-out</html>", Kind.UNAVAILABLE, "BROKER_UNAVAILABLE"),
        (500, {"message": "internal server error"}, Kind.UNAVAILABLE, "BROKER_UNAVAILABLE"),
        (403, {"message": "forbidden."}, Kind.REJECTED, "ALPACA_AUTH"),
        (401, {"code": 40110000, "message": "request is not authorized"}, Kind.REJECTED, "ALPACA_AUTH"),
        (
            422,
            {"code": 42210000, "message": 'order is already in "pending_cancel" state'},
            Kind.REJECTED,
            "CANCEL_PENDING",
        ),
    ],
)
def test_each_alpaca_error_is_classified(status: int, body: object, kind: Kind, code: str) -> None:
    """Status, code and message decide what a failure means; the broker's words are kept."""
    failure = classify(api_error(status, body))
    assert (failure.kind, failure.code, failure.status) == (kind, code, status)
    if isinstance(body, dict) and kind is not Kind.REJECTED:
        assert body["message"] in failure.message


def test_forbidden_without_a_code_does_not_raise_key_error() -> None:
    """The SDK's own `.code` raises KeyError on `{"message": "forbidden."}`; we explain instead."""
    exc = api_error(403, {"message": "forbidden."})
    with pytest.raises(KeyError):
        _ = exc.code
    message = classify(exc).message
    assert "forbidden." in message
    assert "check the API keys and the endpoint" in message


def test_transport_errors_are_unknown_outcomes() -> None:
    """A timeout or a dropped connection has no HTTP answer: the outcome is unknown."""
    assert classify(requests.ReadTimeout("read timed out")).kind is Kind.UNAVAILABLE
    assert classify(requests.ConnectionError("connection reset")).kind is Kind.UNAVAILABLE


def test_failures_become_the_ports_errors() -> None:
    """Each kind maps to the port's error type the engine branches on."""
    rejected = to_error(classify(api_error(403, {"code": 40310000, "message": "potential wash trade detected"})))
    assert isinstance(rejected, BrokerRejected)
    assert rejected.code == "WASH_TRADE"
    assert isinstance(to_error(classify(api_error(404, {"message": "order not found"}))), OrderNotFound)
    assert isinstance(to_error(classify(api_error(504, "gateway"))), BrokerUnavailable)
    duplicate = api_error(422, {"code": 40010001, "message": "client_order_id must be unique"})
    assert isinstance(to_error(classify(duplicate)), DuplicateClientOrderId)
