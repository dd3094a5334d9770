"""Alpaca's failures sorted into what they mean for an order: definite no, unknown outcome, not found, retry.

alpaca-py raises `APIError` with the response text; its `.code` property raises KeyError when the body has no
code (`{"message": "forbidden."}`), so the body is parsed here, defensively, and never through that property.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from oms.ports import BrokerError, BrokerRejected, BrokerUnavailable, OrderNotFound

DUPLICATE_CLIENT_ORDER_ID = 40010001
FORBIDDEN_HINT = (
    "check the API keys and the endpoint (APCA_API_KEY_ID, APCA_API_SECRET_KEY, APCA_API_BASE_URL or [alpaca];"
    " paper keys work only on the paper endpoint)"
)

# 403 40310000 covers several refusals; the message tells them apart. First match wins.
_FORBIDDEN_REASONS = (
    ("insufficient qty", "INSUFFICIENT_QTY"),
    ("wash trade", "WASH_TRADE"),
    ("buying power", "INSUFFICIENT_BUYING_POWER"),
    ("not shortable", "NOT_SHORTABLE"),
    ("sold short", "NOT_SHORTABLE"),
    ("pattern day", "PATTERN_DAY_TRADER"),
    ("trading blocked", "ACCOUNT_BLOCKED"),
)


class Kind(StrEnum):
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed call, classified."""

    kind: Kind
    message: str
    code: str
    status: int | None = None


class DuplicateClientOrderId(BrokerError):
    """Alpaca already holds an order with this client order id (422 40010001): look it up, never resend."""


def classify(exc: BaseException) -> Failure:
    """Sort an exception from alpaca-py or requests into a Failure."""
    status = getattr(exc, "status_code", None)
    if status is None:
        # requests' Timeout / ConnectionError, a body that is not JSON, anything without an HTTP answer.
        return Failure(Kind.UNAVAILABLE, f"no answer from Alpaca: {type(exc).__name__}: {exc}", "NO_ANSWER")
    body = _body(exc)
    message = str(body.get("message") or str(exc)[:200] or f"HTTP {status}")
    code = body.get("code")
    if status == 429:
        return Failure(Kind.RATE_LIMITED, message, "RATE_LIMITED", status)
    if status >= 500 or status == 408:
        return Failure(Kind.UNAVAILABLE, f"Alpaca answered {status}: {message}", "BROKER_UNAVAILABLE", status)
    if status == 404:
        return Failure(Kind.NOT_FOUND, message, "NOT_FOUND", status)
    if status == 422 and code == DUPLICATE_CLIENT_ORDER_ID and "unique" in message.lower():
        return Failure(Kind.DUPLICATE, message, "DUPLICATE_CLIENT_ORDER_ID", status)
    if status == 401 or (status == 403 and code is None):  # 401 40110000 "request is not authorized": bad keys
        return Failure(Kind.REJECTED, f"Alpaca said {message!r}: {FORBIDDEN_HINT}", "ALPACA_AUTH", status)
    lowered = message.lower()
    if status == 403:
        reason = next((reason for words, reason in _FORBIDDEN_REASONS if words in lowered), "BROKER_REJECTED")
        return Failure(Kind.REJECTED, message, reason, status)
    if "sub-penny" in lowered:
        return Failure(Kind.REJECTED, message, "SUB_PENNY_PRICE", status)
    if status == 422 and '"pending_cancel"' in lowered:
        return Failure(Kind.REJECTED, message, "CANCEL_PENDING", status)  # asked already: not too late
    if status == 422 and ("not cancelable" in lowered or "already in" in lowered):
        return Failure(Kind.REJECTED, message, "CANCEL_TOO_LATE", status)
    return Failure(Kind.REJECTED, message, "BROKER_REJECTED", status)


def to_error(failure: Failure) -> BrokerError:
    """The port's error for a classified failure."""
    if failure.kind is Kind.NOT_FOUND:
        return OrderNotFound(failure.message)
    if failure.kind is Kind.DUPLICATE:
        return DuplicateClientOrderId(failure.message)
    if failure.kind is Kind.REJECTED:
        return BrokerRejected(failure.message, code=failure.code)
    return BrokerUnavailable(failure.message)


def _body(exc: BaseException) -> dict[str, Any]:
    text = str(exc)
    try:
        parsed = json.loads(text)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
