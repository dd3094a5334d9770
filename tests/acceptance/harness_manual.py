"""The manual ticket adapter under the conformance suite.

At a manual venue the "venue" is a person at a desk: they read each ticket, enter it at their broker and type the
outcome back. `_Desk` plays that person (and the reply path) around the real adapter: it records the broker's
refusal of a ticket, or loses the reply of a submit that the book did keep. Executions are typed in through the
adapter's own `record_fill`, twice when the venue is asked to duplicate reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from adapters.manual import ManualTicketBroker
from oms.ports import Broker, BrokerUnavailable, OrderReport, OrderRequest


class _Desk(ManualTicketBroker):
    reject_reason: str | None = None
    lose_reply: bool = False

    async def submit(self, request: OrderRequest) -> OrderReport:
        report = await super().submit(request)
        if self.lose_reply:
            self.lose_reply = False
            raise BrokerUnavailable("the reply was lost after the book kept the ticket")
        if self.reject_reason is not None:
            reason, self.reject_reason = self.reject_reason, None
            self.record_reject(request.client_order_id, reason)
        return report


class ManualHarness:
    symbol = "MANU"
    reference_price = Decimal("40.00")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.broker: _Desk = _Desk(path)
        self.typed_twice = False

    async def execute(self, client_order_id: str, quantity: Decimal, price: Decimal | None = None) -> None:
        at = datetime.now(UTC)
        for _ in range(2 if self.typed_twice else 1):
            self.broker.record_fill(client_order_id, quantity, price or self.reference_price, at)

    async def reject_next_submission(self, reason: str) -> None:
        self.broker.reject_reason = reason

    async def lose_next_acknowledgement(self) -> None:
        self.broker.lose_reply = True

    async def duplicate_reports(self) -> None:
        self.typed_twice = True

    async def restart_adapter(self) -> Broker:
        await self.broker.close()
        self.broker = _Desk(self.path)
        return self.broker

    async def close(self) -> None:
        await self.broker.close()


async def open_harness(tmp_path: Path) -> ManualHarness:
    return ManualHarness(tmp_path / "manual-book.db")
