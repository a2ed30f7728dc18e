"""alerts: the board's own tables (alerts, their history, the outbox of messages)

Written by the board through its own connection; the intake tables stay read-only.
One active alert per rule and subject is enforced by a partial unique index, so two
evaluations can never open the same alert twice.

Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.frozen import timestamp

revision = "0004"
down_revision = "0003"

ACTIVE = "state <> 'resolved'"


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(40)),
        sa.Column("urgency", sa.SmallInteger()),
        sa.Column("tickets", sa.Text(), nullable=False, server_default=""),
        sa.Column("detail", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("since", timestamp(), nullable=False),
        sa.Column("fired_at", timestamp()),
        sa.Column("resolved_at", timestamp()),
        sa.Column("acknowledged_by", sa.String(120)),
        sa.Column("acknowledged_at", timestamp()),
        sa.Column("escalated", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("escalated_at", timestamp()),
        sa.Column("last_notified_at", timestamp()),
        sa.Column("notifications", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_alerts_state", "alerts", ["state"])
    op.create_index("ix_alerts_since", "alerts", ["since"])
    op.create_index("ix_alerts_rule_subject", "alerts", ["rule", "subject"])
    op.create_index(
        "ux_alerts_active",
        "alerts",
        ["rule", "subject"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("at", timestamp(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(120)),
    )
    op.create_index("ix_alert_events_alert_at", "alert_events", ["alert_id", "at"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("audience", sa.String(80), nullable=False),
        sa.Column("target", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", timestamp(), nullable=False),
        sa.Column("claimed_by", sa.String(120)),
        sa.Column("claimed_until", timestamp()),
        sa.Column("sent_at", timestamp()),
        sa.Column("failed_at", timestamp()),
        sa.Column("last_error", sa.String(200)),
    )
    op.create_index(
        "ux_alert_outbox_event_target", "alert_outbox", ["event_id", "target"], unique=True
    )
    op.create_index(
        "ix_alert_outbox_due", "alert_outbox", ["sent_at", "failed_at", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_table("alert_outbox")
    op.drop_table("alert_events")
    op.drop_table("alerts")
