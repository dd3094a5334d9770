"""The contract between the adapter conformance suite and each venue it runs against.

Every adapter (sim, manual, alpaca against its emulator, ibkr against the fake gateway) provides a `VenueHarness`:
the adapter under test plus a remote control for the venue behind it. The suite in this folder only talks to the
adapter through `oms.ports.Broker` and makes things happen at the venue through the harness, so one suite proves
every adapter the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from oms.ports import Broker


class VenueHarness(Protocol):
    broker: Broker
    """The adapter under test, connected."""

    symbol: str
    """A symbol the venue knows and trades, priced well above $1."""

    reference_price: Decimal
    """Roughly where `symbol` trades now, for limit prices that do or do not cross."""

    async def execute(self, client_order_id: str, quantity: Decimal, price: Decimal | None = None) -> None:
        """Make the venue fill `quantity` of a working order (a partial when less than what is left)."""
        ...

    async def reject_next_submission(self, reason: str) -> None:
        """Make the venue refuse the next order it receives, definitely."""
        ...

    async def lose_next_acknowledgement(self) -> None:
        """The venue accepts the next order but the adapter cannot tell (timeout, dropped reply)."""
        ...

    async def duplicate_reports(self) -> None:
        """From now on the venue reports every execution twice (same execution id)."""
        ...

    async def restart_adapter(self) -> Broker:
        """Close the adapter and build a fresh one on the same venue state, as after an OMS restart."""
        ...

    async def close(self) -> None: ...
