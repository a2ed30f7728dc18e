"""Queries of the supervisors' shift view: backlog at an instant, operators' work, past shifts.

Every query is bounded by an index: the backlog reads the open tickets (partial
index) and those resolved since the instant (``resolved_at``); the operators'
work reads the shift's own tickets (``received_at``). No personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from data_access.codes import CLOSED_STATUSES
from data_access.queries import filter_condition, is_open
from data_access.schema import tickets
from data_access.sql import case_tree, count_if, in_window, ts
from data_access.values import Filters

t = tickets.c


@dataclass(frozen=True)
class BacklogCell:
    """Tickets of one urgency open at an instant, and how many were past their deadline."""

    urgency: int | None
    open: int
    overdue: int


def count_backlog_at(
    conn: Connection, instant: datetime, filters: Filters
) -> tuple[BacklogCell, ...]:
    """Tickets open at ``instant``: received before it and not resolved by then.

    Two index-bounded halves: tickets still open now (and not resolved before
    the instant), and tickets resolved or closed since the instant. A ticket
    closed without a ``resolved_at`` counts as done whenever it was.
    """
    at = ts(instant)
    overdue = count_if(and_(t.due_at.is_not(None), t.due_at < at))
    still_open = (
        select(t.urgency, func.count().label("n"), overdue.label("late"))
        .where(
            is_open(),
            t.received_at < at,
            or_(t.resolved_at.is_(None), t.resolved_at >= at),
            filter_condition(filters),
        )
        .group_by(t.urgency)
    )
    done_since = (
        select(t.urgency, func.count().label("n"), overdue.label("late"))
        .where(
            t.status.in_(CLOSED_STATUSES),
            t.resolved_at >= at,
            t.received_at < at,
            filter_condition(filters),
        )
        .group_by(t.urgency)
    )
    totals: dict[int | None, list[int]] = {}
    for urgency, count, late in conn.execute(union_all(still_open, done_since)):
        cell = totals.setdefault(urgency, [0, 0])
        cell[0] += int(count)
        cell[1] += int(late or 0)
    return tuple(BacklogCell(urgency, n, late) for urgency, (n, late) in totals.items())


@dataclass(frozen=True)
class ShiftTicket:
    """What the operators' table needs of one ticket of the shift."""

    operator: str | None
    classified: bool
    received_at: datetime
    forwarded_at: datetime | None
    resolved_at: datetime | None


def list_shift_tickets(
    conn: Connection, start: datetime, end: datetime, filters: Filters
) -> tuple[ShiftTicket, ...]:
    """The tickets received in [start, end), for the operators' table (a shift: a few hundred)."""
    classified = and_(t.category.is_not(None), t.urgency.is_not(None))
    query = select(
        t.operator,
        case((classified, 1), else_=0),
        t.received_at,
        t.forwarded_at,
        t.resolved_at,
    ).where(in_window(t.received_at, start, end), filter_condition(filters))
    return tuple(
        ShiftTicket(row[0], bool(row[1]), row[2], row[3], row[4]) for row in conn.execute(query)
    )


@dataclass(frozen=True)
class WindowCounts:
    """Received, forwarded (of those received) and resolved in one window."""

    received: int = 0
    forwarded: int = 0
    resolved: int = 0


def count_in_windows(
    conn: Connection, windows: Sequence[tuple[datetime, datetime]], filters: Filters
) -> tuple[WindowCounts, ...]:
    """Counts of each of several disjoint windows, in two range scans (received, resolved)."""
    if not windows:
        return ()
    ordered = sorted(range(len(windows)), key=lambda i: windows[i][0])
    bounds: list[datetime] = []
    for index in ordered:
        bounds += [windows[index][0], windows[index][1]]
    if any(later < earlier for earlier, later in pairwise(bounds)):
        raise ValueError("the windows overlap")
    received: dict[int, tuple[int, int]] = {}
    resolved: dict[int, int] = {}
    forwarded = count_if(t.forwarded_at.is_not(None))
    buckets_received: ColumnElement[Any]
    buckets_resolved: ColumnElement[Any]
    if len(bounds) == 2:
        # One window: a constant bucket cannot be grouped on by position in PostgreSQL.
        buckets_received = literal_column("0")
        buckets_resolved = literal_column("0")
    else:
        buckets_received = case_tree(t.received_at, bounds)
        buckets_resolved = case_tree(t.resolved_at, bounds)
    query = (
        select(buckets_received.label("b"), func.count(), forwarded)
        .where(in_window(t.received_at, bounds[0], bounds[-1]))
        .where(filter_condition(filters))
    )
    query = query.group_by(buckets_received) if len(bounds) > 2 else query
    for bucket, count, fwd in conn.execute(query):
        if int(bucket) % 2 == 0:
            received[ordered[int(bucket) // 2]] = (int(count), int(fwd or 0))
    query = (
        select(buckets_resolved.label("b"), func.count())
        .where(in_window(t.resolved_at, bounds[0], bounds[-1]))
        .where(filter_condition(filters))
    )
    query = query.group_by(buckets_resolved) if len(bounds) > 2 else query
    for bucket, count in conn.execute(query):
        if int(bucket) % 2 == 0:
            resolved[ordered[int(bucket) // 2]] = int(count)
    return tuple(
        WindowCounts(*received.get(index, (0, 0)), resolved=resolved.get(index, 0))
        for index in range(len(windows))
    )
