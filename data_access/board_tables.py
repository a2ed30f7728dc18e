"""The board's own tables (alerts, their history, the outbox of messages).

The intake system's tables stay read-only to the board; these are the only tables the
board writes, through a connection of their own (see ``data_access.alert_store``).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, SmallInteger, String, Table, Text
from sqlalchemy.sql.expression import false

from data_access.schema import UTCDateTime, partial_index

board_metadata = MetaData()

ALERT_STATES: tuple[str, ...] = ("pending", "firing", "acknowledged", "resolved")
ACTIVE_STATES: tuple[str, ...] = ("pending", "firing", "acknowledged")

alerts = Table(
    "alerts",
    board_metadata,
    Column("id", Integer, primary_key=True),
    Column("rule", String(40), nullable=False),
    # What the alert is about: a ticket code, or a group key (an agency, a surge, a screen).
    Column("subject", String(120), nullable=False),
    Column("state", String(16), nullable=False),
    Column("agency", String(40)),
    Column("urgency", SmallInteger),
    # Ticket codes, comma-separated (codes only: never personal data).
    Column("tickets", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("since", UTCDateTime(), nullable=False),
    Column("fired_at", UTCDateTime()),
    Column("resolved_at", UTCDateTime()),
    Column("acknowledged_by", String(120)),
    Column("acknowledged_at", UTCDateTime()),
    Column("escalated", Boolean, nullable=False, server_default=false()),
    Column("escalated_at", UTCDateTime()),
    Column("last_notified_at", UTCDateTime()),
    Column("notifications", Integer, nullable=False, server_default="0"),
    Index("ix_alerts_state", "state"),
    Index("ix_alerts_since", "since"),
    Index("ix_alerts_rule_subject", "rule", "subject"),
    partial_index("ux_alerts_active", "rule", "subject", unique=True, where="state <> 'resolved'"),
)

alert_events = Table(
    "alert_events",
    board_metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    # created, fired, repeated, escalated, acknowledged, resolved
    Column("kind", String(16), nullable=False),
    Column("actor", String(120)),
    Index("ix_alert_events_alert_at", "alert_id", "at"),
)

alert_outbox = Table(
    "alert_outbox",
    board_metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(40), nullable=False),
    # supervisors, leaders, operations or agency:<code>
    Column("audience", String(80), nullable=False),
    # The digest of the Apprise URL (URLs may hold passwords: they stay in the notify file).
    Column("target", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_by", String(120)),
    Column("claimed_until", UTCDateTime()),
    Column("sent_at", UTCDateTime()),
    Column("failed_at", UTCDateTime()),
    Column("last_error", String(200)),
    Index("ux_alert_outbox_event_target", "event_id", "target", unique=True),
    Index("ix_alert_outbox_due", "sent_at", "failed_at", "next_attempt_at"),
)
