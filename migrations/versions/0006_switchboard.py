"""switchboard: calls, operator states and the queue_log follower's positions

Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.frozen import timestamp

revision = "0006"
down_revision = "0005"

WAITING = "answered_at IS NULL AND ended_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=True),
        sa.Column("entered_at", timestamp(), nullable=False),
        sa.Column("answered_at", timestamp(), nullable=True),
        sa.Column("ended_at", timestamp(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("talk_seconds", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id"),
    )
    op.create_index("ix_calls_entered_at", "calls", ["entered_at"])
    op.create_index(
        "ix_calls_waiting",
        "calls",
        ["entered_at"],
        sqlite_where=sa.text(WAITING),
        postgresql_where=sa.text(WAITING),
    )
    op.create_table(
        "operator_states",
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("since", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("operator"),
    )
    op.create_table(
        "queue_log_positions",
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("inode", sa.String(length=64), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("malformed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("path"),
    )


def downgrade() -> None:
    op.drop_table("queue_log_positions")
    op.drop_table("operator_states")
    op.drop_index("ix_calls_waiting", table_name="calls")
    op.drop_index("ix_calls_entered_at", table_name="calls")
    op.drop_table("calls")
