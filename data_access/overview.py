"""Queries of the leaders' overview, its drill-down and the CSV export.

A range of operating days is read in a handful of bounded range scans
(``received_at`` and ``resolved_at`` indexes, and the partial index of open
tickets); days are told apart with a balanced CASE over the day boundaries, so
the SQL is the same on SQLite and PostgreSQL and exact across any time zone.
Only the median needs the database's own function (``percentile_cont`` on
PostgreSQL; SQLite has none, so its few rows are folded in Python).

No query here selects a citizen's name, phone, e-mail or the report content:
every ticket list selects :data:`PUBLIC_COLUMNS` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    func,
    or_,
    select,
    text,
)

from data_access.queries import filter_condition, is_open, resolved_by_due
from data_access.schema import comparable_timestamp, minutes_between, ticket_events, tickets
from data_access.sql import case_tree, count_if, in_window, ts
from data_access.values import MEASURES as MEASURES  # re-exported (its home: values)
from data_access.values import Filters, TicketEvent, TicketHistory, TicketPage, TicketRow

t = tickets.c

# The only ticket columns a list, a drill-down or an export may read.
PUBLIC_COLUMNS = (
    t.id,
    t.code,
    t.received_at,
    t.channel,
    t.line,
    t.category,
    t.urgency,
    t.status,
    t.agency,
    t.operator,
    t.area,
    t.forwarded_at,
    t.due_at,
    t.resolved_at,
    t.closed_at,
    t.satisfaction,
)


# The balanced CASE tree of the day buckets (its one home is data_access.sql).
bucket_index = case_tree


def ticket_row(row: Sequence[Any]) -> TicketRow:
    """A row of :data:`PUBLIC_COLUMNS` as a value (the columns in the fields' order)."""
    return TicketRow(*row)


# --- the range's counts ---------------------------------------------------------------------


def tune_for_range_reads(conn: Connection) -> None:
    """Session settings for the range queries of one transaction (PostgreSQL only).

    JIT compiles the CASE trees of the day buckets for seconds before running a
    query of a few hundred milliseconds; the aggregates fit in memory with a
    larger ``work_mem``; the median's scan of some 450 thousand index entries
    (90 days at 10 million tickets) is worth splitting between workers, which
    the default costs do not think. All last until the end of the transaction.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL jit = off"))
        conn.execute(text("SET LOCAL work_mem = '64MB'"))
        conn.execute(text("SET LOCAL parallel_setup_cost = 100"))
        conn.execute(text("SET LOCAL parallel_tuple_cost = 0.01"))


# What a cell counts towards: "all" (a plain group of tickets), or one breakdown only
# ("day": totals and the trend; "heat": the field x level grid; "agency": the table),
# when a cell is one row of a GROUPING SETS query over the rollups.
CELL_PARTS: tuple[str, ...] = ("all", "day", "heat", "agency")


@dataclass(frozen=True)
class ReceivedCell:
    """Tickets received on one day (bucket) sharing category, urgency and agency."""

    day_index: int
    category: str | None
    urgency: int | None
    agency: str | None
    received: int
    forwarded: int
    part: str = "all"


def count_received_cells(
    conn: Connection, boundaries: Sequence[datetime], filters: Filters
) -> tuple[ReceivedCell, ...]:
    """Tickets received in each day bucket by category, urgency and agency (one range scan)."""
    day = bucket_index(t.received_at, boundaries).label("day_index")
    forwarded = count_if(t.forwarded_at.is_not(None))
    query = (
        select(day, t.category, t.urgency, t.agency, func.count(), forwarded)
        .where(in_window(t.received_at, boundaries[0], boundaries[-1]), filter_condition(filters))
        .group_by(day, t.category, t.urgency, t.agency)
    )
    return tuple(
        ReceivedCell(int(row[0]), row[1], row[2], row[3], int(row[4]), int(row[5] or 0))
        for row in conn.execute(query)
    )


@dataclass(frozen=True)
class ResolvedCell:
    """Tickets resolved on one day (bucket) by one agency, with deadlines and satisfaction."""

    day_index: int
    agency: str | None
    resolved: int
    with_due: int
    on_time: int
    rated: int
    satisfaction_sum: int
    part: str = "all"


def count_resolved_cells(
    conn: Connection, boundaries: Sequence[datetime], filters: Filters
) -> tuple[ResolvedCell, ...]:
    """Tickets resolved in each day bucket by agency (one range scan of ``resolved_at``)."""
    day = bucket_index(t.resolved_at, boundaries).label("day_index")
    with_due = count_if(t.due_at.is_not(None))
    on_time = count_if(and_(t.due_at.is_not(None), resolved_by_due()))
    query = (
        select(
            day,
            t.agency,
            func.count(),
            with_due,
            on_time,
            func.count(t.satisfaction),
            func.coalesce(func.sum(t.satisfaction), 0),
        )
        .where(in_window(t.resolved_at, boundaries[0], boundaries[-1]), filter_condition(filters))
        .group_by(day, t.agency)
    )
    return tuple(
        ResolvedCell(
            int(row[0]), row[1], int(row[2]), int(row[3] or 0), int(row[4] or 0), int(row[5]),
            int(row[6] or 0),
        )
        for row in conn.execute(query)
    )  # fmt: skip


@dataclass(frozen=True)
class HandlingMedians:
    """Median handling time of the tickets resolved in a range, overall and by agency.

    Handling time runs from the forward to the resolution, counted in whole
    minutes (seconds dropped), of the tickets resolved in the range that had
    been forwarded (and resolved at or after their forward).
    """

    overall: float | None
    by_agency: dict[str | None, float]


def median_of_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: count}: the middle one, or the mean of the two."""
    total = sum(histogram.values())
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2
    seen = 0
    found: list[int] = []
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < 2 and seen > (low, high)[len(found)]:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def _fold_medians(rows: Iterable[tuple[str | None, int, int]]) -> HandlingMedians:
    by_agency: dict[str | None, dict[int, int]] = {}
    overall: dict[int, int] = {}
    for agency, minute, count in rows:
        histogram = by_agency.setdefault(agency, {})
        histogram[minute] = histogram.get(minute, 0) + count
        overall[minute] = overall.get(minute, 0) + count
    medians = {agency: median_of_histogram(h) for agency, h in by_agency.items()}
    return HandlingMedians(
        median_of_histogram(overall),
        {agency: value for agency, value in medians.items() if value is not None},
    )


def handled_conditions(
    start: datetime, end: datetime, filters: Filters
) -> tuple[ColumnElement, ...]:
    """The tickets whose handling time counts: resolved in [start, end), at or after a forward."""
    return (
        in_window(t.resolved_at, start, end),
        t.forwarded_at.is_not(None),
        comparable_timestamp(t.resolved_at) >= comparable_timestamp(t.forwarded_at),
        filter_condition(filters),
    )


def measure_handling_medians(
    conn: Connection, start: datetime, end: datetime, filters: Filters
) -> HandlingMedians:
    """Median handling time (whole minutes) of the tickets resolved in [start, end).

    The database counts the tickets per (agency, minute) and the medians are read off
    those counts: exact, one index-only scan on PostgreSQL (the covering index of
    migration 0003), no sort of every duration as ``percentile_cont`` would, and no
    timestamps parsed in Python on SQLite (``minutes_between``).
    """
    minute = minutes_between(t.resolved_at, t.forwarded_at)
    query = (
        select(t.agency, minute, func.count())
        .where(*handled_conditions(start, end, filters))
        .group_by(t.agency, minute)
    )
    rows = conn.execute(query)
    return _fold_medians((agency, int(value), count) for agency, value, count in rows)


@dataclass(frozen=True)
class OpenCell:
    """Tickets open at ``now`` sharing agency and urgency, and how many of them are overdue."""

    agency: str | None
    urgency: int | None
    open: int
    overdue: int


def count_open_cells(conn: Connection, now: datetime, filters: Filters) -> tuple[OpenCell, ...]:
    """The backlog at ``now`` by agency and urgency (reads only the open tickets)."""
    overdue = count_if(and_(t.due_at.is_not(None), t.due_at < ts(now)))
    query = (
        select(t.agency, t.urgency, func.count(), overdue)
        .where(is_open(), filter_condition(filters))
        .group_by(t.agency, t.urgency)
    )
    return tuple(
        OpenCell(row[0], row[1], int(row[2]), int(row[3] or 0)) for row in conn.execute(query)
    )


# --- lists of tickets -----------------------------------------------------------------------


def measure_condition(
    measure: str, start: datetime, end: datetime, now: datetime
) -> tuple[ColumnElement[bool], tuple[ColumnElement, ...]]:
    """The WHERE condition of a counted measure and the order its list is shown in."""
    if measure == "received":
        condition = in_window(t.received_at, start, end)
        return condition, (t.received_at.desc(), t.id.desc())
    if measure == "forwarded":
        condition = and_(in_window(t.received_at, start, end), t.forwarded_at.is_not(None))
        return condition, (t.received_at.desc(), t.id.desc())
    if measure == "resolved":
        condition = in_window(t.resolved_at, start, end)
        return condition, (t.resolved_at.desc(), t.id.desc())
    if measure == "open_now":
        return is_open(), (t.received_at, t.id)
    if measure == "overdue_now":
        condition = and_(is_open(), t.due_at.is_not(None), t.due_at < ts(now))
        return condition, (t.due_at, t.id)
    raise ValueError(f"unknown measure {measure!r}")


def list_tickets(
    conn: Connection,
    *,
    measure: str,
    start: datetime,
    end: datetime,
    now: datetime,
    filters: Filters,
    page: int = 1,
    page_size: int = 25,
) -> TicketPage:
    """One page of the tickets behind a count (the count is the list's ``total``)."""
    condition, order = measure_condition(measure, start, end, now)
    where = and_(condition, filter_condition(filters))
    total = int(conn.execute(select(func.count()).select_from(tickets).where(where)).scalar_one())
    page = max(1, page)
    query = (
        select(*PUBLIC_COLUMNS)
        .where(where)
        .order_by(*order)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = tuple(ticket_row(row) for row in conn.execute(query))
    return TicketPage(rows, total, page, page_size)


def read_ticket_history(conn: Connection, code: str) -> TicketHistory | None:
    """The ticket with this public code and its history; None when there is none."""
    row = conn.execute(select(*PUBLIC_COLUMNS).where(t.code == code)).first()
    if row is None:
        return None
    ticket = ticket_row(row)
    e = ticket_events.c
    events = conn.execute(
        # Notes are free text written at intake (a call-back number, a name): never read.
        select(e.at, e.status, e.actor)
        .where(e.ticket_id == ticket.id)
        .order_by(e.at, e.id)
        .limit(500)
    )
    return TicketHistory(ticket, tuple(TicketEvent(*event) for event in events))


def iter_received_tickets(
    conn: Connection,
    start: datetime,
    end: datetime,
    filters: Filters,
    *,
    batch: int = 2000,
) -> Iterator[TicketRow]:
    """Every ticket received in [start, end) in time order, read in keyset pages.

    Each page is one short statement (``received_at, id`` after the last row), so
    an export of millions of rows streams in constant memory and never trips the
    statement timeout, on PostgreSQL as on SQLite (whose timeout would cut a
    single long-running cursor).
    """
    after: tuple[datetime, int] | None = None
    while True:
        query = select(*PUBLIC_COLUMNS).where(
            in_window(t.received_at, start, end), filter_condition(filters)
        )
        # Order and keyset on the comparable form: on SQLite the same instant may be stored
        # as '... 03:00:00' or '... 03:00:00.000000' (the column itself on PostgreSQL).
        at = comparable_timestamp(t.received_at)
        if after is not None:
            last_at, last_id = after
            last = comparable_timestamp(ts(last_at))
            query = query.where(
                t.received_at >= ts(last_at),  # the index range; the exact test follows
                or_(at > last, and_(at == last, t.id > last_id)),
            )
        rows = conn.execute(query.order_by(at, t.id).limit(batch)).all()
        for row in rows:
            yield ticket_row(row)
        if len(rows) < batch:
            return
        after = (rows[-1].received_at, rows[-1].id)
