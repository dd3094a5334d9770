"""The ledger's tables. Rows are storage; `oms.store.mapping` turns them into domain objects and back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from oms.store.types import ExactDecimal, UtcDateTime


def _decimal(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_type=ExactDecimal, nullable=nullable)


def _time(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable, index=index)


class BatchRow(SQLModel, table=True):
    __tablename__ = "batches"

    id: str = Field(primary_key=True, max_length=40)
    created_at: datetime = _time()
    updated_at: datetime = _time()
    source: str = Field(default="", max_length=500)
    content_hash: str = Field(default="", max_length=64, index=True)
    mode: str = Field(default="paper", max_length=16)
    broker: str = Field(default="sim", max_length=32)
    account: str = Field(default="", max_length=64)
    supervised: bool = False
    status: str = Field(max_length=32, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 0


class OrderRow(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_batch_status", "batch_id", "status"),)

    id: str = Field(primary_key=True, max_length=40)
    batch_id: str | None = Field(
        default=None, sa_column=Column(String(40), ForeignKey("batches.id"), nullable=True, index=True)
    )
    broker: str = Field(default="", max_length=32)
    client_order_id: str | None = Field(default=None, max_length=64, unique=True)
    broker_order_id: str | None = Field(default=None, max_length=64, index=True)
    parent_id: str | None = Field(default=None, max_length=40, index=True)
    symbol: str = Field(max_length=24, index=True)
    side: str = Field(max_length=8)
    quantity: Decimal = _decimal()
    order_type: str = Field(max_length=16)
    time_in_force: str = Field(max_length=8)
    limit_price: Decimal | None = _decimal(nullable=True)
    stop_price: Decimal | None = _decimal(nullable=True)
    extended_hours: bool = False
    wave: int = 1
    priority: int = 0
    algo: str | None = Field(default=None, max_length=16)
    urgency: str = Field(default="normal", max_length=16)
    decision_price: Decimal | None = _decimal(nullable=True)
    expected_cost_bps: Decimal | None = _decimal(nullable=True)
    reason: str = Field(default="", max_length=2000)
    status: str = Field(max_length=32, index=True)
    status_reason: str | None = Field(default=None, max_length=2000)
    filled_quantity: Decimal = _decimal()
    average_fill_price: Decimal | None = _decimal(nullable=True)
    created_at: datetime = _time()
    updated_at: datetime = _time()
    version: int = 0


class OrderEventRow(SQLModel, table=True):
    """The append-only audit trail: one row per thing that happened to an order."""

    __tablename__ = "order_events"
    __table_args__ = (UniqueConstraint("order_id", "sequence", name="uq_order_events_order_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(sa_column=Column(String(40), ForeignKey("orders.id"), nullable=False, index=True))
    sequence: int
    kind: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    at: datetime = _time(index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FillRow(SQLModel, table=True):
    """One execution, unique per broker and execution id: a fill reported twice is stored once."""

    __tablename__ = "fills"
    __table_args__ = (UniqueConstraint("broker", "exec_id", name="uq_fills_broker_exec"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(sa_column=Column(String(40), ForeignKey("orders.id"), nullable=False, index=True))
    broker: str = Field(max_length=32)
    exec_id: str = Field(max_length=128)
    symbol: str = Field(max_length=24, index=True)
    side: str = Field(max_length=8)
    quantity: Decimal = _decimal()
    price: Decimal = _decimal()
    commission: Decimal = _decimal()
    at: datetime = _time(index=True)
    # An execution of a child order allocated to its parent (TWAP, VWAP, IS): the parent's view of the same
    # execution, never a second one. Positions, wash sales and reconciliation read executions only.
    allocation: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class TcaResultRow(SQLModel, table=True):
    """The latest TCA of one order (oms.reporting.tca_store writes it); recomputed and replaced on each report."""

    __tablename__ = "tca_results"

    order_id: str = Field(sa_column=Column(String(40), ForeignKey("orders.id"), primary_key=True))
    batch_id: str | None = Field(default=None, max_length=40, index=True)
    computed_at: datetime = _time()
    symbol: str = Field(max_length=24, index=True)
    side: str = Field(max_length=8)
    status: str = Field(max_length=32)
    status_reason: str | None = Field(default=None, max_length=2000)
    algo: str | None = Field(default=None, max_length=16)
    urgency: str = Field(default="normal", max_length=16)
    order_created_at: datetime = _time(index=True)
    arrival_at: datetime = _time()
    quantity: Decimal = _decimal()
    filled_quantity: Decimal = _decimal()
    decision_price: Decimal | None = _decimal(nullable=True)
    arrival_price: Decimal | None = _decimal(nullable=True)
    average_fill_price: Decimal | None = _decimal(nullable=True)
    end_price: Decimal | None = _decimal(nullable=True)
    expected_cost_bps: Decimal | None = _decimal(nullable=True)
    slippage_arrival_bps: Decimal | None = _decimal(nullable=True)
    slippage_decision_bps: Decimal | None = _decimal(nullable=True)
    shortfall_delay: Decimal | None = _decimal(nullable=True)
    shortfall_spread: Decimal | None = _decimal(nullable=True)
    shortfall_impact: Decimal | None = _decimal(nullable=True)
    shortfall_opportunity: Decimal | None = _decimal(nullable=True)
    commission: Decimal = _decimal()
    time_to_first_fill_s: Decimal | None = _decimal(nullable=True)
    time_to_completion_s: Decimal | None = _decimal(nullable=True)
    participation_pct_adv: Decimal | None = _decimal(nullable=True)
    interval_twap: Decimal | None = _decimal(nullable=True)
    interval_vwap: Decimal | None = _decimal(nullable=True)
    vs_twap_bps: Decimal | None = _decimal(nullable=True)
    vs_vwap_bps: Decimal | None = _decimal(nullable=True)
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    clock: str = Field(default="wall", max_length=8, sa_column_kwargs={"server_default": "wall"})
    spread_bps: Decimal | None = _decimal(nullable=True)
    market_volume: Decimal | None = _decimal(nullable=True)
    participation_pct: Decimal | None = _decimal(nullable=True)


class AuditRow(SQLModel, table=True):
    """Who did what to the system itself and when: approvals, halts, resumes, adoptions by reconciliation."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _time(index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=48, index=True)
    subject: str = Field(default="", max_length=120, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ControlRow(SQLModel, table=True):
    """A switch with its current value, e.g. the kill switch of one account (`halt:<broker>:<account>`)."""

    __tablename__ = "controls"

    key: str = Field(primary_key=True, max_length=120)
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _time()
    updated_by: str = Field(default="", max_length=120)


class LeaseRow(SQLModel, table=True):
    """One active scheduler per account and database: the holder renews its heartbeat or loses the lease."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True, max_length=120)
    holder: str = Field(max_length=120)
    host: str = Field(max_length=120)
    pid: int
    acquired_at: datetime = _time()
    heartbeat_at: datetime = _time()
    expires_at: datetime = _time()


class NotificationRow(SQLModel, table=True):
    """One notification the OMS decided to send (`oms.web.notify`): its key makes it once-only across restarts."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=48, index=True)
    subject: str = Field(default="", max_length=120)
    at: datetime = _time(index=True)
    title: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=2000)
    outcome: str = Field(default="pending", max_length=16)  # pending, sent, failed, skipped (no urls)
    sent_at: datetime | None = _time(nullable=True)


metadata = SQLModel.metadata
