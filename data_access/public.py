"""Public status of tickets (SPEC section 9): what citizens and Open311 clients may read.

Only these columns are ever selected: the code, the status, the field, the
agency, the ward and the timestamps, and of the history only each event's
status and time (never its actor or note). Personal data is never read.

A ticket is *protected* when its category is not public (``categories.public``
false), is unknown to the reference data, or is not yet classified (NULL): it
may turn out to be protected. Protected tickets never appear in a list, and a
lookup of one carries only its status and dates (field, agency and ward are
None in the value, so nothing downstream can show them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Connection, Integer, any_, bindparam, func, select, type_coerce

from data_access.codes import OPEN_STATUSES, STATUSES
from data_access.schema import UTCDateTime, categories, ticket_events, tickets
from data_access.values import RequestsQuery

MAX_LIST = 1000
TICKET_COLUMNS = (
    tickets.c.id,
    tickets.c.code,
    tickets.c.status,
    tickets.c.category,
    tickets.c.agency,
    tickets.c.area,
    tickets.c.received_at,
    tickets.c.forwarded_at,
    tickets.c.due_at,
    tickets.c.resolved_at,
    tickets.c.closed_at,
)
CLOSED_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s not in OPEN_STATUSES)


@dataclass(frozen=True)
class PublicCategory:
    """A category of the reference data with its public flag."""

    code: str
    name_vi: str
    name_en: str
    public: bool


@dataclass(frozen=True)
class StatusStep:
    """The first time a ticket reached a handling status."""

    status: str
    at: datetime


@dataclass(frozen=True)
class PublicTicket:
    """What the public may know of a ticket; field, agency and ward are None when protected."""

    code: str
    status: str
    protected: bool
    category: str | None
    agency: str | None
    area: str | None
    received_at: datetime
    forwarded_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    steps: tuple[StatusStep, ...]

    @property
    def is_open(self) -> bool:
        """Open in the Open311 sense: not yet resolved or closed."""
        return self.status not in CLOSED_STATUSES


def read_public_categories(conn: Connection) -> tuple[PublicCategory, ...]:
    """Every category in its order, with its public flag."""
    rows = conn.execute(
        select(
            categories.c.code, categories.c.name_vi, categories.c.name_en, categories.c.public
        ).order_by(categories.c.sort_order, categories.c.code)
    )
    return tuple(PublicCategory(r.code, r.name_vi, r.name_en, bool(r.public)) for r in rows)


def find_public_ticket(
    conn: Connection, code: str, public_codes: frozenset[str]
) -> PublicTicket | None:
    """The public status of one ticket by its code (protected ones reduced), or None."""
    row = conn.execute(select(*TICKET_COLUMNS).where(tickets.c.code == code)).first()
    if row is None:
        return None
    return _build([row], public_codes, _read_steps(conn, [row.id]))[0]


def list_public_tickets(
    conn: Connection,
    request: RequestsQuery,
    public_codes: frozenset[str],
    *,
    limit: int = MAX_LIST,
) -> tuple[PublicTicket, ...]:
    """Public tickets of ``request``, newest first; protected and unclassified ones never appear."""
    wanted = request.service_codes
    visible = public_codes if wanted is None else public_codes & wanted
    if not visible:
        return ()
    query = select(*TICKET_COLUMNS).where(tickets.c.category.in_(sorted(visible)))
    if request.codes is not None:
        query = query.where(tickets.c.code.in_(list(request.codes)))
    else:
        received = tickets.c.received_at
        query = query.where(received >= request.start, received <= request.end)
        if request.statuses is not None:
            query = query.where(tickets.c.status.in_(list(request.statuses)))
    query = query.order_by(tickets.c.received_at.desc(), tickets.c.id.desc()).limit(limit)
    rows = conn.execute(query).all()
    return _build(rows, public_codes, _read_steps(conn, [row.id for row in rows]))


def _read_steps(
    conn: Connection, ids: Sequence[int]
) -> dict[int, tuple[dict[str, datetime], datetime | None]]:
    """Per ticket: the first time of each status in its history, and its last event."""
    if not ids:
        return {}
    first = type_coerce(func.min(ticket_events.c.at), UTCDateTime())
    last = type_coerce(func.max(ticket_events.c.at), UTCDateTime())
    if conn.dialect.name == "postgresql":
        # One array parameter instead of 1,000 bound values (compiling those costs more
        # than the query itself).
        wanted = ticket_events.c.ticket_id == any_(
            bindparam("ticket_ids", list(ids), type_=ARRAY(Integer))
        )
    else:
        wanted = ticket_events.c.ticket_id.in_(list(ids))
    rows = conn.execute(
        select(ticket_events.c.ticket_id, ticket_events.c.status, first.label("first"), last)
        .where(wanted)
        .group_by(ticket_events.c.ticket_id, ticket_events.c.status)
    )
    result: dict[int, tuple[dict[str, datetime], datetime | None]] = {}
    for ticket_id, status, first_at, last_at in rows:
        times, latest = result.get(ticket_id, ({}, None))
        times[str(status)] = first_at
        if latest is None or (last_at is not None and last_at > latest):
            latest = last_at
        result[ticket_id] = (times, latest)
    return result


def _build(
    rows: Iterable[Any],  # rows of TICKET_COLUMNS
    public_codes: frozenset[str],
    history: dict[int, tuple[dict[str, datetime], datetime | None]],
) -> tuple[PublicTicket, ...]:
    result = []
    empty: tuple[dict[str, datetime], datetime | None] = ({}, None)
    for row in rows:
        (ticket_id, code, status, category, agency, area) = row[:6]
        (received_at, forwarded_at, due_at, resolved_at, closed_at) = row[6:11]
        times, last_event = history.get(ticket_id, empty)
        # The ticket's own columns stand in for events a feed did not write.
        fallback = {
            "received": received_at,
            "forwarded": forwarded_at,
            "resolved": resolved_at,
            "closed": closed_at,
        }
        steps = tuple(
            StatusStep(name, at)
            for name in STATUSES
            if (at := times.get(name) or fallback.get(name)) is not None
        )
        updated_at = max(
            at
            for at in (last_event, received_at, forwarded_at, resolved_at, closed_at)
            if at is not None
        )
        protected = category is None or category not in public_codes
        result.append(
            PublicTicket(
                code=code,
                status=status,
                protected=protected,
                category=None if protected else category,
                agency=None if protected else agency,
                area=None if protected else area,
                received_at=received_at,
                forwarded_at=forwarded_at,
                due_at=due_at,
                resolved_at=resolved_at,
                closed_at=closed_at,
                updated_at=updated_at,
                steps=steps,
            )
        )
    return tuple(result)
