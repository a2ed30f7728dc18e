"""Read queries of the board. Each takes explicit arguments and returns frozen values.

Windows are computed in Python and passed as bound parameters, so the SQL is
the same on SQLite and PostgreSQL. No query here selects personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql

from data_access.codes import AWAITING_FORWARD_STATUSES, CLOSED_STATUSES
from data_access.schema import agencies, categories, comparable_timestamp, tickets
from data_access.sql import case_tree, count_if, filters_where, in_window, ts
from data_access.values import Filters, ReferenceCodes

t = tickets.c
# Kept importable here: the query modules' old names of the shared building blocks.
_ts = ts
__all__ = ["CLOSED_STATUSES", "Filters", "ReferenceCodes", "filter_condition", "ts"]


def filter_condition(filters: Filters) -> ColumnElement[bool]:
    """The WHERE condition of a set of filters on ``tickets``."""
    return filters_where(t, filters)


def resolved_by_due() -> ColumnElement[bool]:
    """Resolved no later than the deadline (exact on SQLite whatever the text form)."""
    return comparable_timestamp(t.resolved_at) <= comparable_timestamp(t.due_at)


def is_open() -> ColumnElement[bool]:
    """Open: not resolved and not closed (the partial indexes' predicate).

    The statuses are written into the SQL, not bound: SQLite uses a partial index only
    when the query holds the index's predicate itself, and ``status NOT IN (?, ?)`` is
    not it (with bound values SQLite scans the whole table).
    """
    return t.status.not_in([literal_column(f"'{status}'") for status in CLOSED_STATUSES])


def list_reference_codes(conn: Connection) -> ReferenceCodes:
    """The category and agency codes of the reference tables, in one round trip."""
    query = union_all(
        select(literal("category").label("kind"), categories.c.code, categories.c.sort_order),
        select(literal("agency").label("kind"), agencies.c.code, agencies.c.sort_order),
    )
    rows = conn.execute(query).all()
    ordered = sorted(rows, key=lambda row: (row.kind, row.sort_order, row.code))
    return ReferenceCodes(
        categories=tuple(row.code for row in ordered if row.kind == "category"),
        agencies=tuple(row.code for row in ordered if row.kind == "agency"),
    )


@dataclass(frozen=True)
class ReceivedGroup:
    """Tickets received in a window sharing channel, line, category, urgency and status."""

    channel: str
    line: str
    category: str | None
    urgency: int | None
    status: str
    received: int
    forwarded: int


def count_received_groups(
    conn: Connection, start: datetime, end: datetime, filters: Filters
) -> tuple[ReceivedGroup, ...]:
    """Tickets received in [start, end) grouped by their dimensions (one scan)."""
    forwarded = count_if(t.forwarded_at.is_not(None))
    query = (
        select(t.channel, t.line, t.category, t.urgency, t.status, func.count(), forwarded)
        .where(in_window(t.received_at, start, end), filter_condition(filters))
        .group_by(t.channel, t.line, t.category, t.urgency, t.status)
    )
    return tuple(
        ReceivedGroup(row[0], row[1], row[2], row[3], row[4], int(row[5]), int(row[6] or 0))
        for row in conn.execute(query).all()
    )


def _bucket_index(
    conn: Connection, column: ColumnElement, boundaries: Sequence[datetime]
) -> ColumnElement:
    """The i with boundaries[i] <= column < boundaries[i+1], for rows within the boundaries.

    PostgreSQL finds it with one binary search per row (``width_bucket``); elsewhere a
    balanced CASE tree costs log2(n) comparisons where a flat CASE would cost up to n.
    """
    inner = list(boundaries[1:-1])
    if not inner:
        return literal_column("0")
    if conn.dialect.name == "postgresql":
        return func.width_bucket(column, postgresql.array([ts(bound) for bound in inner]))
    return case_tree(column, boundaries)


def count_received_by_bucket(
    conn: Connection, boundaries: Sequence[datetime], filters: Filters
) -> tuple[int, ...]:
    """Tickets received in each [boundaries[i], boundaries[i+1]); one scan, portable CASE."""
    if len(boundaries) < 2:
        return ()
    bucket = _bucket_index(conn, t.received_at, boundaries).label("bucket")
    query = (
        select(bucket, func.count())
        .where(in_window(t.received_at, boundaries[0], boundaries[-1]), filter_condition(filters))
        .group_by(bucket)
    )
    counts = [0] * (len(boundaries) - 1)
    for index, count in conn.execute(query).all():
        counts[int(index)] += int(count)
    return tuple(counts)


@dataclass(frozen=True)
class ResolvedCounts:
    """Tickets resolved in a window, and how many of those with a deadline met it."""

    resolved: int
    with_due: int
    on_time: int


def count_resolved(
    conn: Connection, start: datetime, end: datetime, filters: Filters
) -> ResolvedCounts:
    """Tickets with start <= resolved_at < end, whenever received."""
    with_due = count_if(t.due_at.is_not(None))
    on_time = count_if(and_(t.due_at.is_not(None), resolved_by_due()))
    query = select(func.count(), with_due, on_time).where(
        in_window(t.resolved_at, start, end), filter_condition(filters)
    )
    row = conn.execute(query).one()
    return ResolvedCounts(int(row[0]), int(row[1] or 0), int(row[2] or 0))


@dataclass(frozen=True)
class OpenGroup:
    """Open tickets sharing status, agency and urgency, with their overdue and late-forward."""

    status: str
    agency: str | None
    urgency: int | None
    open: int
    overdue: int
    awaiting_forward: int


def count_open_groups(
    conn: Connection, now: datetime, intake_cutoff: datetime, filters: Filters
) -> tuple[OpenGroup, ...]:
    """Open tickets at ``now`` grouped by status, agency and urgency (the backlog only)."""
    overdue = count_if(and_(t.due_at.is_not(None), t.due_at < ts(now)))
    awaiting = count_if(
        and_(t.status.in_(AWAITING_FORWARD_STATUSES), t.received_at < ts(intake_cutoff))
    )
    query = (
        select(t.status, t.agency, t.urgency, func.count(), overdue, awaiting)
        .where(is_open(), filter_condition(filters))
        .group_by(t.status, t.agency, t.urgency)
    )
    return tuple(
        OpenGroup(row[0], row[1], row[2], int(row[3]), int(row[4] or 0), int(row[5] or 0))
        for row in conn.execute(query).all()
    )


@dataclass(frozen=True)
class OverdueTicket:
    """An overdue open ticket, without any personal data."""

    code: str
    category: str | None
    urgency: int | None
    agency: str | None
    due_at: datetime


def list_most_overdue(
    conn: Connection, now: datetime, limit: int, filters: Filters
) -> tuple[OverdueTicket, ...]:
    """The open tickets whose deadline passed longest ago."""
    query = (
        select(t.code, t.category, t.urgency, t.agency, t.due_at)
        .where(is_open(), t.due_at.is_not(None), t.due_at < ts(now), filter_condition(filters))
        .order_by(t.due_at, t.id)
        .limit(limit)
    )
    return tuple(OverdueTicket(*row) for row in conn.execute(query).all())


@dataclass(frozen=True)
class DatabaseCounts:
    """Every count a snapshot needs, read in one transaction."""

    reference: ReferenceCodes
    groups: tuple[ReceivedGroup, ...]
    buckets: tuple[int, ...]
    resolved: ResolvedCounts
    open_groups: tuple[OpenGroup, ...]
    overdue: tuple[OverdueTicket, ...] = field(default=())


def read_snapshot_counts(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    boundaries: Sequence[datetime],
    now: datetime,
    intake_cutoff: datetime,
    overdue_limit: int,
    filters: Filters,
) -> DatabaseCounts:
    """All the counts of one snapshot, in six short queries on one connection."""
    return DatabaseCounts(
        reference=list_reference_codes(conn),
        groups=count_received_groups(conn, start, end, filters),
        buckets=count_received_by_bucket(conn, boundaries, filters),
        resolved=count_resolved(conn, start, end, filters),
        open_groups=count_open_groups(conn, now, intake_cutoff, filters),
        overdue=list_most_overdue(conn, now, overdue_limit, filters),
    )
