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

import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    extract,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)

from data_access.queries import Filters, _ts, filter_condition, is_open
from data_access.schema import ticket_events, tickets

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


def bucket_index(column: ColumnElement, boundaries: Sequence[datetime]) -> ColumnElement:
    """The i with boundaries[i] <= column < boundaries[i+1], as a balanced CASE tree.

    Rows must already be restricted to [boundaries[0], boundaries[-1]). A tree of
    depth log2(n) costs a few comparisons per row where a flat CASE over 180 days
    would cost up to 180.
    """
    if len(boundaries) < 2:
        raise ValueError("at least one bucket is needed")

    def build(low: int, high: int) -> ColumnElement:
        if high - low == 1:
            return literal_column(str(low))
        middle = (low + high) // 2
        return case(
            (column < _ts(boundaries[middle]), build(low, middle)), else_=build(middle, high)
        )

    return build(0, len(boundaries) - 1)


# --- the range's counts ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedCell:
    """Tickets received on one day (bucket) sharing category, urgency and agency."""

    day_index: int
    category: str | None
    urgency: int | None
    agency: str | None
    received: int
    forwarded: int


def count_received_cells(
    conn: Connection, boundaries: Sequence[datetime], filters: Filters
) -> tuple[ReceivedCell, ...]:
    """Tickets received in each day bucket by category, urgency and agency (one range scan)."""
    day = bucket_index(t.received_at, boundaries).label("day_index")
    forwarded = func.sum(case((t.forwarded_at.is_not(None), 1), else_=0))
    query = (
        select(day, t.category, t.urgency, t.agency, func.count(), forwarded)
        .where(
            t.received_at >= _ts(boundaries[0]),
            t.received_at < _ts(boundaries[-1]),
            filter_condition(filters),
        )
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


def count_resolved_cells(
    conn: Connection, boundaries: Sequence[datetime], filters: Filters
) -> tuple[ResolvedCell, ...]:
    """Tickets resolved in each day bucket by agency (one range scan of ``resolved_at``)."""
    day = bucket_index(t.resolved_at, boundaries).label("day_index")
    with_due = func.sum(case((t.due_at.is_not(None), 1), else_=0))
    on_time = func.sum(case((and_(t.due_at.is_not(None), t.resolved_at <= t.due_at), 1), else_=0))
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
        .where(
            t.resolved_at >= _ts(boundaries[0]),
            t.resolved_at < _ts(boundaries[-1]),
            filter_condition(filters),
        )
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
    """Median handling time (forwarded → resolved, minutes) of the tickets resolved in a range."""

    overall: float | None
    by_agency: dict[str | None, float]


def _median_rows_portable(
    conn: Connection, periods: Sequence[datetime], filters: Filters
) -> list[HandlingMedians]:
    period = bucket_index(t.resolved_at, periods)
    query = select(period, t.agency, t.forwarded_at, t.resolved_at).where(
        t.resolved_at >= _ts(periods[0]),
        t.resolved_at < _ts(periods[-1]),
        t.forwarded_at.is_not(None),
        t.resolved_at >= t.forwarded_at,
        filter_condition(filters),
    )
    overall: list[list[float]] = [[] for _ in periods[1:]]
    by_agency: list[dict[str | None, list[float]]] = [{} for _ in periods[1:]]
    for index, agency, forwarded_at, resolved_at in conn.execute(query):
        minutes = (resolved_at - forwarded_at).total_seconds() / 60
        overall[int(index)].append(minutes)
        by_agency[int(index)].setdefault(agency, []).append(minutes)
    return [
        HandlingMedians(
            statistics.median(values) if values else None,
            {agency: statistics.median(items) for agency, items in agencies.items()},
        )
        for values, agencies in zip(overall, by_agency, strict=True)
    ]


def _median_rows_postgresql(
    conn: Connection, periods: Sequence[datetime], filters: Filters
) -> list[HandlingMedians]:
    period = bucket_index(t.resolved_at, periods).label("period")
    minutes = extract("epoch", t.resolved_at - t.forwarded_at) / 60
    median = func.percentile_cont(0.5).within_group(minutes)
    grouped = func.grouping(t.agency)
    query = (
        select(period, grouped, t.agency, median)
        .where(
            t.resolved_at >= _ts(periods[0]),
            t.resolved_at < _ts(periods[-1]),
            t.forwarded_at.is_not(None),
            t.resolved_at >= t.forwarded_at,
            filter_condition(filters),
        )
        # One sort per period gives each agency's median and the period's overall one.
        .group_by(func.grouping_sets(tuple_(period, t.agency), tuple_(period)))
    )
    overall: list[float | None] = [None for _ in periods[1:]]
    by_agency: list[dict[str | None, float]] = [{} for _ in periods[1:]]
    for index, is_total, agency, value in conn.execute(query):
        if value is None:
            continue
        if is_total:
            overall[int(index)] = float(value)
        else:
            by_agency[int(index)][agency] = float(value)
    return [HandlingMedians(o, a) for o, a in zip(overall, by_agency, strict=True)]


def measure_handling_medians(
    conn: Connection, periods: Sequence[datetime], filters: Filters
) -> list[HandlingMedians]:
    """For each period [periods[i], periods[i+1]): median minutes from forward to resolution.

    Counts the tickets resolved in the period that had been forwarded (resolved
    at or after their forward); overall and by agency.
    """
    if conn.dialect.name == "postgresql":
        return _median_rows_postgresql(conn, periods, filters)
    return _median_rows_portable(conn, periods, filters)


@dataclass(frozen=True)
class OpenCell:
    """Tickets open at ``now`` sharing agency and urgency, and how many of them are overdue."""

    agency: str | None
    urgency: int | None
    open: int
    overdue: int


def count_open_cells(conn: Connection, now: datetime, filters: Filters) -> tuple[OpenCell, ...]:
    """The backlog at ``now`` by agency and urgency (reads only the open tickets)."""
    overdue = func.sum(case((and_(t.due_at.is_not(None), t.due_at < _ts(now)), 1), else_=0))
    query = (
        select(t.agency, t.urgency, func.count(), overdue)
        .where(is_open(), filter_condition(filters))
        .group_by(t.agency, t.urgency)
    )
    return tuple(
        OpenCell(row[0], row[1], int(row[2]), int(row[3] or 0)) for row in conn.execute(query)
    )


# --- lists of tickets -----------------------------------------------------------------------

MEASURES: tuple[str, ...] = ("received", "forwarded", "resolved", "open_now", "overdue_now")


@dataclass(frozen=True)
class TicketRow:
    """One ticket as lists and exports show it: no personal data, no content."""

    id: int
    code: str
    received_at: datetime
    channel: str
    line: str
    category: str | None
    urgency: int | None
    status: str
    agency: str | None
    operator: str | None
    area: str | None
    forwarded_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None


@dataclass(frozen=True)
class TicketPage:
    """One page of a ticket list and the size of the whole list."""

    rows: tuple[TicketRow, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least 1)."""
        return max(1, -(-self.total // self.page_size))


def measure_condition(
    measure: str, start: datetime, end: datetime, now: datetime
) -> tuple[ColumnElement[bool], tuple[ColumnElement, ...]]:
    """The WHERE condition of a counted measure and the order its list is shown in."""
    if measure == "received":
        condition = and_(t.received_at >= _ts(start), t.received_at < _ts(end))
        return condition, (t.received_at.desc(), t.id.desc())
    if measure == "forwarded":
        condition = and_(
            t.received_at >= _ts(start), t.received_at < _ts(end), t.forwarded_at.is_not(None)
        )
        return condition, (t.received_at.desc(), t.id.desc())
    if measure == "resolved":
        condition = and_(t.resolved_at >= _ts(start), t.resolved_at < _ts(end))
        return condition, (t.resolved_at.desc(), t.id.desc())
    if measure == "open_now":
        return is_open(), (t.received_at, t.id)
    if measure == "overdue_now":
        condition = and_(is_open(), t.due_at.is_not(None), t.due_at < _ts(now))
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
    rows = tuple(TicketRow(*row) for row in conn.execute(query))
    return TicketPage(rows, total, page, page_size)


@dataclass(frozen=True)
class TicketEvent:
    """One status change of a ticket."""

    at: datetime
    status: str
    actor: str | None
    note: str | None


@dataclass(frozen=True)
class TicketHistory:
    """A ticket (no personal data) and its status changes, oldest first."""

    ticket: TicketRow
    events: tuple[TicketEvent, ...]


def read_ticket_history(conn: Connection, code: str) -> TicketHistory | None:
    """The ticket with this public code and its history; None when there is none."""
    row = conn.execute(select(*PUBLIC_COLUMNS).where(t.code == code)).first()
    if row is None:
        return None
    ticket = TicketRow(*row)
    e = ticket_events.c
    events = conn.execute(
        select(e.at, e.status, e.actor, e.note)
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
            t.received_at >= _ts(start), t.received_at < _ts(end), filter_condition(filters)
        )
        if after is not None:
            last_at, last_id = after
            query = query.where(
                or_(
                    t.received_at > _ts(last_at),
                    and_(t.received_at == _ts(last_at), t.id > last_id),
                )
            )
        rows = conn.execute(query.order_by(t.received_at, t.id).limit(batch)).all()
        for row in rows:
            yield TicketRow(*row)
        if len(rows) < batch:
            return
        after = (rows[-1].received_at, rows[-1].id)
