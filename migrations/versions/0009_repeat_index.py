"""repeat index: the reports of one field and ward in time order (issue 13)

A shift's level 3 candidates count, for each of the shift's open reports, the reports of
its field and ward received within the repeat window before it, and read only the latest
few of them. ``ix_tickets_repeat`` on (category, area, received_at) makes each of those a
short index range, however dense the field and ward (some 400 reports in 14 days at the
benchmark's density), instead of reading every report of the window.

The reports received before the window that were still open or ended within it (the
backlog at the window's start) are read once per shift; ``ix_tickets_resolved_received``
on (resolved_at, received_at) finds those resolved since then and received before it in
the index alone, without visiting the rows of every report resolved in the window (some
130 000), only the ten thousand or so that match.

Create Date: 2026-12-03 07:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_index("ix_tickets_repeat", "tickets", ["category", "area", "received_at"])
    op.create_index("ix_tickets_resolved_received", "tickets", ["resolved_at", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_resolved_received", table_name="tickets")
    op.drop_index("ix_tickets_repeat", table_name="tickets")
