"""TCA results: the clock the times are on, the quoted spread used, the market's volume and our participation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tca_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock", sa.String(length=8), server_default="wall", nullable=False))
        batch_op.add_column(sa.Column("spread_bps", oms.store.types.ExactDecimal(), nullable=True))
        batch_op.add_column(sa.Column("market_volume", oms.store.types.ExactDecimal(), nullable=True))
        batch_op.add_column(sa.Column("participation_pct", oms.store.types.ExactDecimal(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tca_results", schema=None) as batch_op:
        for name in ("participation_pct", "market_volume", "spread_bps", "clock"):
            batch_op.drop_column(name)
