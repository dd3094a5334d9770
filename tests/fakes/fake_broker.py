"""`FakeBroker`: the `Broker` port in memory, as strict as a real broker, scripted by the test.

It refuses a second order under a client order id it has seen (as Alpaca and IB do), answers "not found" only
for ids it never received, refuses to cancel an order that already ended, and filters its read side by `since`.
A test fills orders (`fill`), drops a submission on the floor (`lose_next_submit`: the call times out and the
order never arrives), refuses the next one (`reject_next_submit`), or sets the venue clock (`venue_clock`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from oms.domain.market import Position
from oms.ports import (
    AccountInfo,
    BrokerRejected,
    BrokerUnavailable,
    Capabilities,
    FillReport,
    MarketClock,
    OrderNotFound,
    OrderReport,
    OrderRequest,
    ReportStatus,
)


@dataclass
class _Working:
    request: OrderRequest
    report: OrderReport
    received_at: datetime
    fills: list[FillReport] = field(default_factory=list)


class FakeBroker:
    """An in-memory broker account for unit tests of the engine's steps."""

    def __init__(
        self,
        name: str = "fake",
        *,
        capabilities: Capabilities | None = None,
        now: datetime | None = None,
    ) -> None:
        self.name = name
        # It refuses a reused client order id, as Alpaca does: a resend after "not found" cannot make two orders.
        self.capabilities = capabilities or Capabilities(fractional=True, unique_client_order_ids=True)
        self.now = now or datetime.now(UTC)
        self.venue_clock: MarketClock | None = None
        self.orders: dict[str, _Working] = {}
        self.calls: list[str] = []
        self.on_submit: list[object] = []  # callables run as a submit arrives (e.g. to look at the ledger then)
        self._lose_next = 0
        self._reject_next: list[str] = []
        self._next_id = 0
        self._next_exec = 0

    # --------------------------------------------------------------- scripting
    def lose_next_submit(self, count: int = 1) -> None:
        """The next `count` submits time out and never reach the venue (an unknown outcome)."""
        self._lose_next += count

    def reject_next_submit(self, reason: str) -> None:
        self._reject_next.append(reason)

    def fill(self, client_order_id: str, quantity: Decimal | str, price: Decimal | str) -> FillReport:
        """Execute part or all of a working order; the fill is reported by the read side from now on."""
        working = self.orders[client_order_id]
        quantity, price = Decimal(quantity), Decimal(price)
        report = working.report
        if report.status.is_final or report.filled_quantity + quantity > report.quantity:
            raise AssertionError(
                f"cannot fill {quantity} of {client_order_id}: {report.status}, {report.filled_quantity}"
            )
        self._next_exec += 1
        execution = FillReport(
            exec_id=f"fake-{self._next_exec}",
            client_order_id=client_order_id,
            broker_order_id=report.broker_order_id,
            symbol=report.symbol,
            side=report.side,
            quantity=quantity,
            price=price,
            at=self.now,
        )
        working.fills.append(execution)
        filled = report.filled_quantity + quantity
        notional = sum((f.quantity * f.price for f in working.fills), Decimal(0))
        status = ReportStatus.FILLED if filled == report.quantity else ReportStatus.PARTIALLY_FILLED
        working.report = replace(
            report, status=status, filled_quantity=filled, average_fill_price=notional / filled, updated_at=self.now
        )
        return execution

    # -------------------------------------------------------------------- port
    async def connect(self) -> None:
        self.calls.append("connect")

    async def close(self) -> None:
        self.calls.append("close")

    async def submit(self, request: OrderRequest) -> OrderReport:
        self.calls.append("submit")
        for hook in self.on_submit:
            hook(request)  # type: ignore[operator]
        if self._lose_next:
            self._lose_next -= 1
            raise BrokerUnavailable("timed out waiting for the broker's answer")
        if request.client_order_id in self.orders:
            raise BrokerRejected(f"client order id {request.client_order_id} already used", code="DUPLICATE_ID")
        if self._reject_next:
            raise BrokerRejected(self._reject_next.pop(0), code="REJECTED")
        self._next_id += 1
        report = OrderReport(
            client_order_id=request.client_order_id,
            broker_order_id=f"F{self._next_id}",
            symbol=request.symbol,
            side=request.side,
            quantity=request.quantity,
            status=ReportStatus.WORKING,
            updated_at=self.now,
        )
        self.orders[request.client_order_id] = _Working(request, report, self.now)
        return report

    async def cancel(self, client_order_id: str, broker_order_id: str | None = None) -> None:
        self.calls.append("cancel")
        working = self.orders.get(client_order_id)
        if working is None:
            raise OrderNotFound(client_order_id)
        if working.report.status.is_final:
            raise BrokerRejected(f"order is already {working.report.status}", code="TOO_LATE")
        working.report = replace(working.report, status=ReportStatus.CANCELLED, updated_at=self.now)

    async def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> Sequence[OrderReport]:
        self.calls.append("order_reports")
        return [
            w.report
            for w in self.orders.values()
            if (since is None or w.received_at >= since) and not (open_only and w.report.status.is_final)
        ]

    async def fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        self.calls.append("fill_reports")
        return [f for w in self.orders.values() for f in w.fills if since is None or f.at >= since]

    async def find_order(self, client_order_id: str) -> OrderReport:
        self.calls.append("find_order")
        working = self.orders.get(client_order_id)
        if working is None:
            raise OrderNotFound(client_order_id)
        return working.report

    async def positions(self) -> Sequence[Position]:
        return []

    async def account(self) -> AccountInfo:
        return AccountInfo(account_id="FAKE", cash=Decimal(0), buying_power=Decimal(0), equity=Decimal(0))

    async def clock(self) -> MarketClock | None:
        self.calls.append("clock")
        return self.venue_clock
