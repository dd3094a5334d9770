"""Errors the domain raises. Each carries a stable reason code a person or a program can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises; `code` is stable, `message` is for people."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidTransition(DomainError):
    """An event that the transition table does not allow from the order's current status."""

    code = "INVALID_TRANSITION"


class Overfill(DomainError):
    """A fill for more than the order has left to fill; nothing is booked."""

    code = "OVERFILL"


class OrderValidationError(DomainError):
    """The order itself is malformed (quantity, prices, symbol); raised before it exists."""

    code = "INVALID_ORDER"
