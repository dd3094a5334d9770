"""What to do with a sent order the broker says it does not have: wait, send it again, or ask a person.

A pure decision (inputs in, decision out) so the policy is tested without a broker. Sending again under the same
client order id is safe only where the broker refuses a duplicate id (`Capabilities.unique_client_order_ids`):
there a second copy of an order that did arrive after all is refused, never worked twice. Where the broker takes
duplicates (IB: orders held by a TWS precaution, or placed under another client id, are invisible), the order
goes to `unknown` and a person finds out at the broker; `oms reconcile` lists it and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AfterNotFound(StrEnum):
    WAIT = "wait"  # look again next cycle
    RESEND = "resend"  # definitely not there, and a duplicate would be refused: send it again
    UNKNOWN = "unknown"  # definitely not seen, but a resend could duplicate it: a person decides


@dataclass(frozen=True, slots=True)
class Decision:
    action: AfterNotFound
    reason: str


def after_not_found(misses: int, attempts: int, *, unique_ids: bool, broker: str) -> Decision:
    """Decide after the `misses`-th definite "not found" in a row (`attempts` are allowed before concluding)."""
    if misses < attempts:
        return Decision(AfterNotFound.WAIT, f"{misses} of {attempts} lookups found nothing")
    if unique_ids:
        return Decision(AfterNotFound.RESEND, f"{misses} lookups found nothing")
    return Decision(
        AfterNotFound.UNKNOWN,
        f"{broker} showed no order under this id after {misses} lookups and does not refuse a second one: look at"
        f" {broker} (held orders, other client ids), then cancel the order in the OMS or let the next poll find it",
    )
