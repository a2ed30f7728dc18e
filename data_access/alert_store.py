"""Reads and writes of the board's own alert tables, through the board's own writer engine.

The snapshot engine is read-only (``default_transaction_read_only`` / ``query_only``); the
alert tables are written through a separate read-write engine, and the intake tables are
never written here. Every function takes the connection of the caller's transaction, so
that a state change and its outbox rows commit together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    String,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from data_access.board_tables import ACTIVE_STATES, alert_events, alert_outbox, alerts
from data_access.codes import AWAITING_FORWARD_STATUSES
from data_access.engine import make_engine
from data_access.queries import is_open
from data_access.schema import UTCDateTime, tickets

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")

a = alerts.c
o = alert_outbox.c
t = tickets.c


@dataclass(frozen=True)
class AlertFacts:
    """What an alert is about, shared by one to open and one as stored (ticket codes only)."""

    rule: str
    subject: str
    state: str
    agency: str | None
    urgency: int | None
    tickets: tuple[str, ...]
    since: datetime


@dataclass(frozen=True)
class AlertRecord(AlertFacts):
    """One alert as stored (ticket codes only, never personal data)."""

    id: int
    detail: str
    fired_at: datetime | None
    resolved_at: datetime | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    escalated: bool
    escalated_at: datetime | None
    last_notified_at: datetime | None
    notifications: int

    def detail_value(self) -> dict[str, Any]:
        """The detail document (what the messages show: field, overdue minutes...)."""
        try:
            value = json.loads(self.detail or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class OutboxRow:
    """A message waiting for (or done with) delivery to one target."""

    id: int
    event_id: str
    audience: str
    target: str
    payload: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None


@dataclass(frozen=True)
class NewOutboxRow:
    """An outbox row to write."""

    event_id: str
    audience: str
    target: str
    payload: str


def make_alert_engine(url: str, statement_timeout_ms: int = 5000) -> Engine:
    """The board's own read-write engine (a separate pool from the read-only board engine)."""
    return make_engine(url, readonly=False, statement_timeout_ms=statement_timeout_ms, pool_size=2)


def _from_row(kind: type[V], row: Any, **converted: Any) -> V:
    """A stored value from a row named like its fields (``converted``: those that need more)."""
    plain = {f.name: getattr(row, f.name) for f in fields(kind) if f.name not in converted}
    return kind(**plain, **converted)


def _record(row: Any) -> AlertRecord:
    return _from_row(
        AlertRecord,
        row,
        id=int(row.id),
        urgency=None if row.urgency is None else int(row.urgency),
        tickets=tuple(code for code in (row.tickets or "").split(",") if code),
        detail=row.detail or "{}",
        escalated=bool(row.escalated),
        notifications=int(row.notifications or 0),
    )


def list_active_alerts(conn: Connection) -> tuple[AlertRecord, ...]:
    """Alerts pending, firing or acknowledged: unacknowledged first, escalations first."""
    query = select(alerts).where(a.state.in_(ACTIVE_STATES)).order_by(a.since, a.id)
    return tuple(_record(row) for row in conn.execute(query).all())


def read_alerts(conn: Connection, alert_ids: Iterable[int]) -> tuple[AlertRecord, ...]:
    """Alerts by id."""
    wanted = [int(value) for value in alert_ids]
    if not wanted:
        return ()
    query = select(alerts).where(a.id.in_(wanted)).order_by(a.id)
    return tuple(_record(row) for row in conn.execute(query).all())


def list_alert_history(
    conn: Connection,
    *,
    rule: str | None = None,
    state: str | None = None,
    agency: str | None = None,
    ticket: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 500,
) -> tuple[AlertRecord, ...]:
    """Alerts, newest first, with optional filters (``start <= since < end``)."""
    query = select(alerts)
    if rule:
        query = query.where(a.rule == rule)
    if state:
        query = query.where(a.state == state)
    if agency:
        query = query.where(a.agency == agency)
    if ticket:
        # Codes are stored comma-separated; match whole codes only.
        padded = literal(",", String) + a.tickets + literal(",", String)
        query = query.where(padded.contains("," + ticket + ","))
    if start is not None:
        query = query.where(a.since >= start)
    if end is not None:
        query = query.where(a.since < end)
    query = query.order_by(a.since.desc(), a.id.desc()).limit(limit)
    return tuple(_record(row) for row in conn.execute(query).all())


@dataclass(frozen=True)
class NewAlert(AlertFacts):
    """An alert to open (pending or already firing, maybe escalated at once)."""

    detail: dict[str, Any]
    escalated: bool = False


SUBJECT_CHUNK = 500


def insert_alerts(
    conn: Connection, rule: str, new: Sequence[NewAlert], now: datetime
) -> tuple[AlertRecord, ...]:
    """Open many alerts of one rule in a few statements; returns them as stored."""
    if not new:
        return ()
    rows = []
    for item in new:
        firing = item.state == "firing"
        rows.append(
            {
                "rule": rule,
                "subject": item.subject,
                "state": item.state,
                "agency": item.agency,
                "urgency": item.urgency,
                "tickets": ",".join(item.tickets),
                "detail": json.dumps(item.detail, ensure_ascii=False, sort_keys=True),
                "since": item.since,
                "fired_at": now if firing else None,
                "escalated": item.escalated,
                "escalated_at": now if item.escalated else None,
                "last_notified_at": now if firing else None,
                "notifications": 1 if firing else 0,
            }
        )
    conn.execute(insert(alerts), rows)
    subjects = [item.subject for item in new]
    records: list[AlertRecord] = []
    for start in range(0, len(subjects), SUBJECT_CHUNK):
        chunk = subjects[start : start + SUBJECT_CHUNK]
        query = select(alerts).where(a.rule == rule, a.state != "resolved", a.subject.in_(chunk))
        records += [_record(row) for row in conn.execute(query).all()]
    events: list[tuple[int, datetime, str, str]] = []
    for record in records:
        events.append((record.id, now, "created" if record.state == "pending" else "fired", ""))
        if record.escalated:
            events.append((record.id, now, "escalated", ""))
    record_events(conn, events)
    return tuple(sorted(records, key=lambda record: record.id))


def update_alerts(conn: Connection, changes: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Change many alerts: one executemany per set of changed fields."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for alert_id, values in changes:
        values = dict(values)
        if "tickets" in values and not isinstance(values["tickets"], str):
            values["tickets"] = ",".join(values["tickets"])
        if "detail" in values and isinstance(values["detail"], dict):
            values["detail"] = json.dumps(values["detail"], ensure_ascii=False, sort_keys=True)
        keys = tuple(sorted(values))
        groups.setdefault(keys, []).append(
            {"b_id": alert_id, **{f"b_{k}": values[k] for k in keys}}
        )
    for keys, rows in groups.items():
        if not keys:
            continue
        statement = (
            update(alerts)
            .where(a.id == bindparam("b_id"))
            .values({key: bindparam(f"b_{key}") for key in keys})
        )
        conn.execute(statement, rows)


def record_events(conn: Connection, events: Sequence[tuple[int, datetime, str, str]]) -> None:
    """Many lines of alert history at once: (alert id, at, kind, actor)."""
    if events:
        conn.execute(
            insert(alert_events),
            [
                {"alert_id": i, "at": at, "kind": kind, "actor": actor or None}
                for i, at, kind, actor in events
            ],
        )


def record_event(conn: Connection, alert_id: int, at: datetime, kind: str, actor: str = "") -> None:
    """One line of an alert's history."""
    conn.execute(
        insert(alert_events).values(alert_id=alert_id, at=at, kind=kind, actor=actor or None)
    )


def list_alert_events(conn: Connection, alert_id: int) -> tuple[tuple[datetime, str, str], ...]:
    """An alert's history: (at, kind, actor)."""
    query = (
        select(alert_events.c.at, alert_events.c.kind, alert_events.c.actor)
        .where(alert_events.c.alert_id == alert_id)
        .order_by(alert_events.c.at, alert_events.c.id)
    )
    return tuple((row.at, row.kind, row.actor or "") for row in conn.execute(query).all())


def acknowledge_alerts(
    conn: Connection, alert_ids: Iterable[int], by: str, now: datetime
) -> tuple[int, ...]:
    """Acknowledge firing (or pending) alerts; returns the ids that changed (compare-and-set)."""
    changed: list[int] = []
    for alert_id in {int(value) for value in alert_ids}:
        result = conn.execute(
            update(alerts)
            .where(a.id == alert_id, a.state.in_(("pending", "firing")))
            .values(state="acknowledged", acknowledged_by=by[:120], acknowledged_at=now)
        )
        if result.rowcount == 1:
            record_event(conn, alert_id, now, "acknowledged", by[:120])
            changed.append(alert_id)
    return tuple(sorted(changed))


def insert_outbox(conn: Connection, rows: Sequence[NewOutboxRow], now: datetime) -> int:
    """Queue messages (in the caller's transaction, with the state change)."""
    if not rows:
        return 0
    conn.execute(
        insert(alert_outbox),
        [
            {
                "event_id": row.event_id,
                "audience": row.audience,
                "target": row.target,
                "payload": row.payload,
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": now,
            }
            for row in rows
        ],
    )
    return len(rows)


def _outbox(row: Any) -> OutboxRow:
    return _from_row(OutboxRow, row, id=int(row.id), attempts=int(row.attempts))


def claim_due_outbox(
    conn: Connection, owner: str, now: datetime, claim_until: datetime, limit: int = 50
) -> tuple[OutboxRow, ...]:
    """Claim due messages for ``owner`` (compare-and-set: a row is claimed by one process)."""
    unclaimed = or_(o.claimed_until.is_(None), o.claimed_until < now)
    due = and_(o.sent_at.is_(None), o.failed_at.is_(None), o.next_attempt_at <= now, unclaimed)
    candidates = conn.execute(
        select(o.id).where(due).order_by(o.next_attempt_at, o.id).limit(limit)
    ).all()
    claimed: list[int] = []
    for (row_id,) in candidates:
        result = conn.execute(
            update(alert_outbox)
            .where(o.id == row_id, due)
            .values(claimed_by=owner[:120], claimed_until=claim_until)
        )
        if result.rowcount == 1:
            claimed.append(int(row_id))
    if not claimed:
        return ()
    rows = conn.execute(select(alert_outbox).where(o.id.in_(claimed)).order_by(o.id)).all()
    return tuple(_outbox(row) for row in rows)


def mark_sent(conn: Connection, row_id: int, owner: str, now: datetime) -> bool:
    """Record a delivery (only by the process holding the claim)."""
    result = conn.execute(
        update(alert_outbox)
        .where(o.id == row_id, o.claimed_by == owner[:120], o.sent_at.is_(None))
        .values(sent_at=now, attempts=o.attempts + 1, claimed_until=None, last_error=None)
    )
    return result.rowcount == 1


def mark_retry(
    conn: Connection, row_id: int, owner: str, next_attempt_at: datetime, error: str
) -> None:
    """Record a failed attempt; the message is tried again at ``next_attempt_at``."""
    conn.execute(
        update(alert_outbox)
        .where(o.id == row_id, o.claimed_by == owner[:120])
        .values(
            attempts=o.attempts + 1,
            next_attempt_at=next_attempt_at,
            claimed_until=None,
            last_error=error[:200],
        )
    )


def mark_failed(conn: Connection, row_id: int, owner: str, now: datetime, error: str) -> None:
    """Give a message up (its target is gone from the notify file, or it is too old)."""
    conn.execute(
        update(alert_outbox)
        .where(o.id == row_id, o.claimed_by == owner[:120])
        .values(failed_at=now, claimed_until=None, last_error=error[:200])
    )


def list_outbox(conn: Connection) -> tuple[OutboxRow, ...]:
    """Every outbox row, oldest first (tests and the operations log)."""
    return tuple(_outbox(row) for row in conn.execute(select(alert_outbox).order_by(o.id)).all())


def count_pending_outbox(conn: Connection) -> int:
    """Messages not yet delivered nor given up."""
    query = select(func.count()).where(o.sent_at.is_(None), o.failed_at.is_(None))
    return int(conn.execute(query).scalar_one())


# --- candidates: read from the ticket tables, with the snapshot's own predicates ------------
@dataclass(frozen=True)
class TicketCandidate:
    """An open ticket a rule holds for (codes and reference codes only)."""

    code: str
    category: str | None
    urgency: int | None
    agency: str | None
    status: str
    received_at: datetime
    due_at: datetime | None


def _ts(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _candidates(conn: Connection, condition: Any, limit: int) -> tuple[TicketCandidate, ...]:
    query = (
        select(t.code, t.category, t.urgency, t.agency, t.status, t.received_at, t.due_at)
        .where(is_open(), condition)
        .order_by(t.id)
        .limit(limit)
    )
    return tuple(TicketCandidate(*row) for row in conn.execute(query).all())


def list_overdue_candidates(
    conn: Connection, now: datetime, limit: int
) -> tuple[TicketCandidate, ...]:
    """Open tickets whose deadline passed: the snapshot's ``overdue`` (same predicate)."""
    return _candidates(conn, and_(t.due_at.is_not(None), t.due_at < _ts(now)), limit)


def list_awaiting_forward_candidates(
    conn: Connection, intake_cutoff: datetime, limit: int
) -> tuple[TicketCandidate, ...]:
    """Tickets received or classified before the intake cut-off: ``awaiting_forward``."""
    condition = and_(t.status.in_(AWAITING_FORWARD_STATUSES), t.received_at < _ts(intake_cutoff))
    return _candidates(conn, condition, limit)


def list_level4_candidates(conn: Connection, limit: int) -> tuple[TicketCandidate, ...]:
    """Open level-4 tickets: the snapshot's ``level4_open``."""
    return _candidates(conn, t.urgency == 4, limit)
