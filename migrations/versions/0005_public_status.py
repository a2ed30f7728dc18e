"""public status: a ``public`` flag per category (protected reports, Open311)

Categories with ``public = false`` (by default ``xay_dung_dang`` and
``tham_nhung``: whistle-blowers are protected by law) never appear in a public
list; a lookup of one of their codes shows only its status and dates.

No new index is needed for the public reads (checked on bench_10m, see
docs/PERFORMANCE.md): ``requests.json`` walks ``ix_tickets_received_at``
backwards (newest first, at most 1,000 rows), open-only lists can use the
partial ``ix_tickets_open_status``, a lookup by code uses the unique index of
``tickets.code``, and ``updated_datetime`` (the last event) reads
``ix_ticket_events_ticket_id_at``.

Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

PROTECTED = ("xay_dung_dang", "tham_nhung")


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(
            sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    categories = sa.table(
        "categories", sa.column("code", sa.String), sa.column("public", sa.Boolean)
    )
    op.execute(categories.update().where(categories.c.code.in_(PROTECTED)).values(public=False))


def downgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("public")
