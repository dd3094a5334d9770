"""Stored TCA results: the latest measurement of each order, for the across-batch report.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tca_results",
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=40), nullable=True),
        sa.Column("computed_at", oms.store.types.UtcDateTime(), nullable=False),
        sa.Column("symbol", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_reason", sa.String(length=2000), nullable=True),
        sa.Column("algo", sa.String(length=16), nullable=True),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("order_created_at", oms.store.types.UtcDateTime(), nullable=False),
        sa.Column("arrival_at", oms.store.types.UtcDateTime(), nullable=False),
        sa.Column("quantity", oms.store.types.ExactDecimal(), nullable=False),
        sa.Column("filled_quantity", oms.store.types.ExactDecimal(), nullable=False),
        sa.Column("decision_price", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("arrival_price", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("average_fill_price", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("end_price", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("expected_cost_bps", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("slippage_arrival_bps", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("slippage_decision_bps", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("shortfall_delay", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("shortfall_spread", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("shortfall_impact", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("shortfall_opportunity", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("commission", oms.store.types.ExactDecimal(), nullable=False),
        sa.Column("time_to_first_fill_s", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("time_to_completion_s", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("participation_pct_adv", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("interval_twap", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("interval_vwap", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("vs_twap_bps", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("vs_vwap_bps", oms.store.types.ExactDecimal(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("order_id"),
    )
    with op.batch_alter_table("tca_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tca_results_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tca_results_order_created_at"), ["order_created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tca_results_symbol"), ["symbol"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tca_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tca_results_symbol"))
        batch_op.drop_index(batch_op.f("ix_tca_results_order_created_at"))
        batch_op.drop_index(batch_op.f("ix_tca_results_batch_id"))

    op.drop_table("tca_results")
