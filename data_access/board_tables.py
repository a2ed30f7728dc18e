"""The board's own tables (alerts, their history, the outbox of messages).

The intake system's tables stay read-only to the board; these are the only tables the
board writes, through a connection of their own (see ``data_access.alert_store``).
"""

from __future__ import annotations

import sqlalchemy as sa

from data_access.schema import UTCDateTime, partial_index

board_metadata = sa.MetaData()

ALERT_STATES: tuple[str, ...] = ("pending", "firing", "acknowledged", "resolved")
ACTIVE_STATES: tuple[str, ...] = ("pending", "firing", "acknowledged")

alerts = sa.Table(
    "alerts",
    board_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rule", sa.String(40), nullable=False),
    # What the alert is about: a ticket code, or a group key (an agency, a surge, a screen).
    sa.Column("subject", sa.String(120), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("agency", sa.String(40)),
    sa.Column("urgency", sa.SmallInteger),
    # Ticket codes, comma-separated (codes only: never personal data).
    sa.Column("tickets", sa.Text, nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    sa.Column("since", UTCDateTime(), nullable=False),
    sa.Column("fired_at", UTCDateTime()),
    sa.Column("resolved_at", UTCDateTime()),
    sa.Column("acknowledged_by", sa.String(120)),
    sa.Column("acknowledged_at", UTCDateTime()),
    sa.Column("escalated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("escalated_at", UTCDateTime()),
    sa.Column("last_notified_at", UTCDateTime()),
    sa.Column("notifications", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_alerts_state", "state"),
    sa.Index("ix_alerts_since", "since"),
    sa.Index("ix_alerts_rule_subject", "rule", "subject"),
    partial_index("ux_alerts_active", "rule", "subject", unique=True, where="state <> 'resolved'"),
)

alert_events = sa.Table(
    "alert_events",
    board_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.Integer, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    # created, fired, repeated, escalated, acknowledged, resolved
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(120)),
    sa.Index("ix_alert_events_alert_at", "alert_id", "at"),
)

alert_outbox = sa.Table(
    "alert_outbox",
    board_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.String(40), nullable=False),
    # supervisors, leaders, operations or agency:<code>
    sa.Column("audience", sa.String(80), nullable=False),
    # The digest of the Apprise URL (URLs may hold passwords: they stay in the notify file).
    sa.Column("target", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("claimed_by", sa.String(120)),
    sa.Column("claimed_until", UTCDateTime()),
    sa.Column("sent_at", UTCDateTime()),
    sa.Column("failed_at", UTCDateTime()),
    sa.Column("last_error", sa.String(200)),
    sa.Index("ux_alert_outbox_event_target", "event_id", "target", unique=True),
    sa.Index("ix_alert_outbox_due", "sent_at", "failed_at", "next_attempt_at"),
)
