"""The ports: what the core needs from the outside world, and the values that cross them.

Adapters (``adapters/``) implement these protocols; the core never imports an adapter. Every broker call is a
coroutine so the engine runs in one asyncio loop (Interactive Brokers needs that); an adapter built on a blocking
SDK runs its calls in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.market import Portfolio, Position, Quote, Security


class BrokerError(Exception):
    """Base of the errors a broker adapter raises."""


class BrokerRejected(BrokerError):
    """A definite no: the broker refused the request and holds nothing because of it."""

    def __init__(self, reason: str, *, code: str = "BROKER_REJECTED") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class BrokerUnavailable(BrokerError):
    """The outcome is unknown (timeout, 5xx, dropped connection): resolve it by client order id, never guess."""


class OrderNotFound(BrokerError):
    """The broker answered, definitely, that it has no order with that client order id."""


class ReportStatus(StrEnum):
    """A broker's view of an order, already mapped from its own vocabulary by the adapter."""

    PENDING = "pending"  # received, not yet working (e.g. Alpaca accepted/pending_new, IB PendingSubmit)
    WORKING = "working"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    PENDING_CANCEL = "pending_cancel"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"

    @property
    def is_final(self) -> bool:
        return self in (ReportStatus.FILLED, ReportStatus.CANCELLED, ReportStatus.EXPIRED, ReportStatus.REJECTED)


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What the core asks a broker to do for one order."""

    client_order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType
    time_in_force: TimeInForce
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    extended_hours: bool = False


@dataclass(frozen=True, slots=True)
class OrderReport:
    """A broker's status report for one order."""

    client_order_id: str
    broker_order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    status: ReportStatus
    filled_quantity: Decimal = Decimal(0)
    average_fill_price: Decimal | None = None
    reason: str | None = None
    updated_at: datetime | None = None
    raw_status: str = ""


@dataclass(frozen=True, slots=True)
class FillReport:
    """One execution. `exec_id` is unique per broker; the same execution reported twice is booked once."""

    exec_id: str
    client_order_id: str
    broker_order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    at: datetime
    commission: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class AccountInfo:
    account_id: str
    cash: Decimal
    buying_power: Decimal
    equity: Decimal
    currency: str = "USD"
    live: bool = False


@dataclass(frozen=True, slots=True)
class Capabilities:
    fractional: bool = False
    streaming: bool = False
    extended_hours: bool = False
    order_types: frozenset[OrderType] = field(default_factory=lambda: frozenset({OrderType.MARKET, OrderType.LIMIT}))
    max_client_order_id_length: int = 48
    manual: bool = False
    # Whether the broker refuses a second order under a client order id it already has. Only then is an order it
    # definitely does not know sent again under the same id; elsewhere such an order waits, `unknown`, for a person.
    unique_client_order_ids: bool = False
    # What the broker takes outside regular hours: those order types, day orders only (empty: nothing).
    extended_hours_order_types: frozenset[OrderType] = frozenset()


@dataclass(frozen=True, slots=True)
class MarketClock:
    """The venue's own view of its session, when it has one (Alpaca's /v2/clock, the simulator's session)."""

    at: datetime
    is_open: bool
    next_open: datetime | None = None
    next_close: datetime | None = None


@runtime_checkable
class Broker(Protocol):
    """One broker account. Reads are batched: one call per poll cycle, never one per order."""

    name: str
    capabilities: Capabilities

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, request: OrderRequest) -> OrderReport:
        """Send one order. Raises BrokerRejected (definite) or BrokerUnavailable (outcome unknown)."""
        ...

    async def cancel(self, client_order_id: str, broker_order_id: str | None = None) -> None:
        """Ask for a cancel; the outcome arrives in reports. Raises BrokerRejected when it is definitely too late
        (the order already ended) and OrderNotFound when the broker never had the order."""
        ...

    async def order_reports(self, *, open_only: bool = True, since: datetime | None = None) -> Sequence[OrderReport]:
        """Return the orders (open ones by default) in one call; `since` keeps those changed at or after it.

        `since` is wall-clock UTC, as the OMS's own clock reads it; a venue with a simulated clock (the simulator
        runs ahead of the wall clock) maps it onto its own timeline. Times *in* the reports are the venue's own.
        """
        ...

    async def fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        """Return the executions in one call (at or after `since`, wall-clock UTC as for `order_reports`). The same
        `exec_id` may come back more than once, in one answer or across calls: book by `exec_id`."""
        ...

    async def find_order(self, client_order_id: str) -> OrderReport:
        """Look an order up by our id. Raises OrderNotFound (definite) or BrokerUnavailable."""
        ...

    async def positions(self) -> Sequence[Position]: ...

    async def account(self) -> AccountInfo: ...

    async def clock(self) -> MarketClock | None:
        """The venue's session clock, or None when the exchange calendar is the authority."""
        ...


@runtime_checkable
class FreshFills(Protocol):
    """A broker that can read its executions afresh from its own records, past any stream or cache."""

    async def fresh_fill_reports(self, *, since: datetime | None = None) -> Sequence[FillReport]:
        """Executions at or after `since`, read now; raises BrokerError when they cannot be had."""
        ...


class MarketData(Protocol):
    """Reference data for planning and risk. The security master file is the offline default."""

    def security(self, symbol: str) -> Security | None: ...

    def quote(self, symbol: str) -> Quote | None: ...


@dataclass(frozen=True, slots=True)
class Listing:
    """What a broker says about an instrument: enough to plan it when the user's security master does not list it.

    `delayed` says the broker's market data for it is delayed (no live subscription); `where` names the source for
    messages (e.g. "alpaca /v2/assets/VOO").
    """

    symbol: str
    name: str
    asset_class: str = "equity"
    exchange: str = ""
    tradable: bool = True
    fractionable: bool = False
    shortable: bool = False
    min_tick: Decimal | None = None
    delayed: bool = False
    where: str = ""


@dataclass(frozen=True, slots=True)
class DailyBar:
    """One session's bar; `day` is the exchange date."""

    day: date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@runtime_checkable
class ReferenceData(Protocol):
    """Reference data from a broker or a data vendor: listings, latest quotes (each with the time it was observed)
    and daily bars. Every call is batched or per symbol as the source allows; a symbol it does not know is simply
    absent (None, or missing from the mapping), never an exception."""

    source: str

    async def security(self, symbol: str) -> Listing | None: ...

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]: ...

    async def daily_bars(self, symbol: str, sessions: int) -> list[DailyBar]: ...


__all__ = [
    "AccountInfo",
    "Broker",
    "BrokerError",
    "BrokerRejected",
    "BrokerUnavailable",
    "Capabilities",
    "DailyBar",
    "FillReport",
    "FreshFills",
    "Listing",
    "MarketClock",
    "MarketData",
    "OrderNotFound",
    "OrderReport",
    "OrderRequest",
    "Portfolio",
    "Position",
    "Quote",
    "ReferenceData",
    "ReportStatus",
    "Security",
]
