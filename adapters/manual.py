"""`ManualTicketBroker`: orders go to a person as tickets, and fills come back as they type them in.

Submitting keeps the order in the manual book (`manual-book.db` beside the ledger) as working and announces it
in one line through a callback (ticket rendering itself lives in `oms.reporting.tickets`). The person reports
back with `record_fill` / `import_fills` (the `oms fill` and `oms fills import` commands), `cancel`
(`oms cancel`) or `record_reject`. The read side of the port reads the book, so the engine advances a manual
batch exactly as it advances one at a real broker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from adapters.manual_book import ManualBook, ManualEntryError, ManualFill, derived_exec_id
from oms.domain.enums import OrderType
from oms.domain.market import Position
from oms.ports import AccountInfo, Capabilities, FillReport, MarketClock, OrderReport, OrderRequest

__all__ = ["ManualEntryError", "ManualFill", "ManualTicketBroker", "derived_exec_id"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _describe(request: OrderRequest) -> str:
    limit = f" {request.limit_price}" if request.limit_price is not None else ""
    stop = f" stop {request.stop_price}" if request.stop_price is not None else ""
    return (
        f"ticket {request.client_order_id}: {request.side.value.upper()} {request.quantity} {request.symbol}"
        f" {request.order_type.value.upper()}{limit}{stop} {request.time_in_force.value.upper()}"
        " - enter it at your broker, then record its fills"
    )


class ManualTicketBroker:
    """A broker that is a person with a terminal: the book is the venue, fills are typed in."""

    name = "manual"
    capabilities = Capabilities(
        fractional=True,
        streaming=False,
        extended_hours=True,
        order_types=frozenset(OrderType),
        max_client_order_id_length=64,
        manual=True,
        unique_client_order_ids=True,  # the book is keyed by client order id
        extended_hours_order_types=frozenset(OrderType),
    )

    def __init__(
        self,
        path: Path,
        *,
        announce: Callable[[str], None] | None = None,
        busy_timeout_ms: int = 10_000,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._now = now or _utc_now
        self.book = ManualBook(path, busy_timeout_ms=busy_timeout_ms, now=self._now)
        self._announce = announce or (lambda _line: None)

    async def connect(self) -> None:
        """Nothing to connect: the book is a file, opened when the broker is built."""

    async def close(self) -> None:
        await asyncio.to_thread(self.book.close)

    async def submit(self, request: OrderRequest) -> OrderReport:
        """Keep the ticket as working and announce it; a reused client order id is a definite reject."""
        report = await asyncio.to_thread(self.book.add_ticket, request)
        self._announce(_describe(request))
        return report

    async def cancel(self, client_order_id: str, broker_order_id: str | None = None) -> None:
        """Record that the person cancelled what is left; BrokerRejected ("too late: filled") once it ended."""
        await asyncio.to_thread(self.book.cancel, client_order_id)

    def record_fill(
        self,
        client_order_id: str,
        quantity: Decimal,
        price: Decimal,
        at: datetime | None = None,
        exec_id: str | None = None,
    ) -> bool:
        """Book one fill the person typed; return False when the same fill was booked before.

        Synchronous, like the commands that call it. Raises ManualEntryError (a ValueError: an overfill, an
        unknown order, a bad number) and books nothing then.
        """
        (booked,) = self.book.record_fills([ManualFill(client_order_id, quantity, price, at or self._now(), exec_id)])
        return booked

    def import_fills(self, rows: Iterable[ManualFill]) -> list[bool]:
        """Book a broker's fill export all or nothing; return, per row, whether it was new."""
        return self.book.record_fills(list(rows))

    def record_reject(self, client_order_id: str, reason: str) -> None:
        """Record that the person's broker refused the ticket."""
        self.book.reject(client_order_id, reason)

    async def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> Sequence[OrderReport]:
        return await asyncio.to_thread(lambda: self.book.order_reports(open_only=open_only, since=since))

    async def fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        return await asyncio.to_thread(lambda: self.book.fill_reports(since=since))

    async def find_order(self, client_order_id: str) -> OrderReport:
        """Look a ticket up; raise OrderNotFound when the book never had it."""
        return await asyncio.to_thread(self.book.find, client_order_id)

    async def positions(self) -> Sequence[Position]:
        """Return what was traded through this book (net), not the whole account at the person's broker."""
        return await asyncio.to_thread(self.book.traded_positions)

    async def account(self) -> AccountInfo:
        """Return an empty account: the book does not know the cash at the person's broker."""
        return AccountInfo(account_id="MANUAL", cash=Decimal(0), buying_power=Decimal(0), equity=Decimal(0))

    async def clock(self) -> MarketClock | None:
        """Return None: the exchange calendar is the authority for manual execution."""
        return None
