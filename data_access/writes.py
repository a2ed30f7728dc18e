"""Write helpers for the demo history, the live simulator and intake (the board only reads).

Bulk inserts go through executemany in chunks (the driver's executemany on
SQLite, multi-row ``INSERT ... VALUES`` elsewhere). On PostgreSQL with psycopg2
they use ``COPY`` instead: parsing tens of thousands of bound VALUES is several
times slower than COPY, and the demo history must load in seconds.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, func, select, text

from data_access.schema import areas, operators, ticket_events, tickets

t = tickets.c

TICKET_CHUNK = 1000
EVENT_CHUNK = 5000


@dataclass(frozen=True)
class EventDraft:
    """A status change to record in ticket_events."""

    at: datetime
    status: str
    actor: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TicketState:
    """What the simulator needs to know to move a ticket along (no personal data)."""

    id: int
    code: str
    status: str
    received_at: datetime
    channel: str
    line: str
    category: str | None
    urgency: int | None
    agency: str | None
    operator: str | None
    forwarded_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None


_STATE_COLUMNS = (
    t.id,
    t.code,
    t.status,
    t.received_at,
    t.channel,
    t.line,
    t.category,
    t.urgency,
    t.agency,
    t.operator,
    t.forwarded_at,
    t.due_at,
    t.resolved_at,
)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy_cursor(conn: Connection) -> Any | None:
    """A psycopg2 cursor on the connection's transaction, or None where COPY is not at hand."""
    if conn.dialect.name != "postgresql":
        return None
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is None:
        return None
    cursor = dbapi_connection.cursor()
    if not hasattr(cursor, "copy_expert"):
        cursor.close()
        return None
    return cursor


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given; timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return str(value)


def _copy_rows(
    conn: Connection,
    cursor: Any,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
) -> None:
    """Stream rows into a table with COPY FROM STDIN, inside the connection's transaction."""
    unknown = [column for column in columns if column not in table.c]
    if unknown:
        raise ValueError(f"unknown columns for {table.name}: {', '.join(unknown)}")
    preparer = conn.dialect.identifier_preparer
    names = ", ".join(preparer.quote(column) for column in columns)
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(row.get(column)) for column in columns))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {preparer.format_table(table)} ({names}) FROM STDIN", buffer)


def _reserve_ids(conn: Connection, table: Table, count: int) -> list[int] | None:
    """Take ``count`` ids from the table's id sequence (None when it has none)."""
    sequence = conn.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
    ).scalar()
    if sequence is None:
        return None
    rows = conn.execute(
        text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :count)"),
        {"sequence": sequence, "count": count},
    )
    return [int(row[0]) for row in rows]


def insert_tickets(
    conn: Connection,
    rows: Sequence[Mapping[str, Any]],
    events: Sequence[Sequence[EventDraft]] | None = None,
    *,
    chunk_size: int = TICKET_CHUNK,
) -> list[int]:
    """Insert tickets (and ``events[i]`` for ``rows[i]``); returns the new ids in row order.

    Every row must have the same keys (executemany needs one statement shape).
    """
    if events is not None and len(events) != len(rows):
        raise ValueError("events must hold one sequence per ticket row")
    if not rows:
        return []
    ids: list[int] | None = None
    cursor = _copy_cursor(conn)
    if cursor is not None:
        try:
            ids = _reserve_ids(conn, tickets, len(rows))
            if ids is not None:
                columns = ["id", *(key for key in rows[0] if key != "id")]
                with_ids = (
                    {**row, "id": ticket_id} for row, ticket_id in zip(rows, ids, strict=True)
                )
                _copy_rows(conn, cursor, tickets, columns, with_ids)
        finally:
            cursor.close()
    if ids is None:
        ids = []
        # RETURNING code as well as id: the batches may come back in any order,
        # and the unique code maps each id back to its row.
        statement = tickets.insert().returning(t.id, t.code)
        for chunk in _chunks(rows, chunk_size):
            returned = {row.code: row.id for row in conn.execute(statement, list(chunk))}
            ids.extend(returned[row["code"]] for row in chunk)
    if events is not None:
        event_rows = [
            {
                "ticket_id": ticket_id,
                "at": event.at,
                "status": event.status,
                "actor": event.actor,
                "note": event.note,
            }
            for ticket_id, ticket_events_of in zip(ids, events, strict=True)
            for event in ticket_events_of
        ]
        insert_events(conn, event_rows)
    return ids


def insert_events(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ticket_events rows (ticket_id, at, status, actor, note); returns how many."""
    if not rows:
        return 0
    cursor = _copy_cursor(conn)
    if cursor is not None:
        try:
            _copy_rows(
                conn, cursor, ticket_events, ("ticket_id", "at", "status", "actor", "note"), rows
            )
        finally:
            cursor.close()
        return len(rows)
    for chunk in _chunks(rows, EVENT_CHUNK):
        conn.execute(ticket_events.insert(), list(chunk))
    return len(rows)


def count_tickets(conn: Connection) -> int:
    """How many tickets the database holds."""
    return int(conn.execute(select(func.count()).select_from(tickets)).scalar_one())


def list_codes_received_between(
    conn: Connection, start: datetime, end: datetime, line: str | None = None
) -> list[str]:
    """Codes of the tickets received in [start, end), optionally of one line."""
    condition = and_(t.received_at >= start, t.received_at < end)
    if line is not None:
        condition = and_(condition, t.line == line)
    return [row[0] for row in conn.execute(select(t.code).where(condition))]


def list_area_codes(conn: Connection) -> list[str]:
    """Codes of the areas reference table, sorted."""
    return sorted(row[0] for row in conn.execute(select(areas.c.code)))


def list_operator_codes(conn: Connection) -> list[str]:
    """Codes of the operators reference table, sorted."""
    return sorted(row[0] for row in conn.execute(select(operators.c.code)))


def select_tickets_in_status(
    conn: Connection,
    status: str,
    *,
    limit: int = 1000,
    resolved_since: datetime | None = None,
) -> list[TicketState]:
    """The newest tickets in one status (up to ``limit``), for the simulator to advance.

    Open statuses read the partial index on (status, received_at); for
    ``resolved`` give ``resolved_since`` so the scan stays within recent days.
    """
    query = select(*_STATE_COLUMNS).where(t.status == status)
    if resolved_since is not None:
        query = query.where(t.resolved_at >= resolved_since).order_by(t.resolved_at.desc())
    else:
        query = query.order_by(t.received_at.desc())
    rows = conn.execute(query.limit(limit))
    return [TicketState(**row._mapping) for row in rows]


@dataclass(frozen=True)
class StatusChange:
    """One step of a ticket along the status path, with the columns it sets."""

    ticket_id: int
    from_status: str
    to_status: str
    at: datetime
    values: Mapping[str, Any] = field(default_factory=dict)
    actor: str | None = None
    note: str | None = None


def advance_tickets(conn: Connection, changes: Sequence[StatusChange]) -> list[StatusChange]:
    """Apply status changes and record their events; returns the changes that applied.

    Each update only applies while the ticket is still in ``from_status``, so two
    writers never record the same change twice. The events go in one batch.
    """
    applied: list[StatusChange] = []
    for change in changes:
        result = conn.execute(
            tickets.update()
            .where(and_(t.id == change.ticket_id, t.status == change.from_status))
            .values(**{**change.values, "status": change.to_status})
        )
        if result.rowcount == 1:
            applied.append(change)
    if applied:
        conn.execute(
            ticket_events.insert(),
            [
                {
                    "ticket_id": change.ticket_id,
                    "at": change.at,
                    "status": change.to_status,
                    "actor": change.actor,
                    "note": change.note,
                }
                for change in applied
            ],
        )
    return applied


def advance_ticket(
    conn: Connection,
    ticket_id: int,
    *,
    from_status: str,
    to_status: str,
    at: datetime,
    values: Mapping[str, Any] | None = None,
    actor: str | None = None,
    note: str | None = None,
) -> bool:
    """Move one ticket from one status to the next and record the event; whether it applied."""
    change = StatusChange(ticket_id, from_status, to_status, at, dict(values or {}), actor, note)
    return bool(advance_tickets(conn, [change]))
