"""wall screens: the board's own table of screen heartbeats (issue 13)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _timestamp() -> sa.types.TypeEngine:
    """UTC timestamps as in revision 0001: timestamptz, or UTC text on SQLite (frozen here)."""
    return sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")


def upgrade() -> None:
    op.create_table(
        "wall_screens",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("first_seen", _timestamp(), nullable=False),
        sa.Column("last_poll", _timestamp(), nullable=False),
        sa.Column("page_age_seconds", sa.Integer()),
        sa.Column("heap_mb", sa.Float()),
        sa.Column("options", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("wall_screens")
