"""wall screens: the board's own table of screen heartbeats (issue 13)

Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.frozen import timestamp

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "wall_screens",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("first_seen", timestamp(), nullable=False),
        sa.Column("last_poll", timestamp(), nullable=False),
        sa.Column("page_age_seconds", sa.Integer()),
        sa.Column("heap_mb", sa.Float()),
        sa.Column("options", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("wall_screens")
