"""Queries of operations intelligence (SPEC section 11): surge counts and repeat reports.

Every window is computed in Python and bound as a parameter, so the SQL is the same on
SQLite and PostgreSQL; every query reads through an index on ``received_at`` (or the
open-ticket and ``resolved_at`` indexes). Nothing here selects personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    and_,
    case,
    column,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
    values,
)

from data_access.queries import is_open
from data_access.schema import (
    UTCDateTime,
    binary_text,
    comparable_timestamp,
    later_by,
    tickets,
)
from data_access.sql import count_if

t = tickets.c


def _ts(value: datetime) -> ColumnElement[datetime]:
    return literal(value, UTCDateTime())


# --- surges ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlotCount:
    """Reports of one field (and ward, or None) in one slot: 0 = now, 1..n = weeks back."""

    slot: int
    category: str
    area: str | None
    count: int
    first_at: datetime


def surge_slots_query(slots: Sequence[tuple[datetime, datetime]]) -> Select[Any]:
    """The query of ``count_surge_slots`` (the benchmark explains it)."""
    ranges = [and_(t.received_at > _ts(start), t.received_at <= _ts(end)) for start, end in slots]
    slot = case(*((cond, index) for index, cond in enumerate(ranges)), else_=-1).label("slot")
    return (
        select(slot, t.category, t.area, func.count().label("n"), func.min(t.received_at))
        .where(or_(*ranges), t.category.is_not(None))
        .group_by(slot, t.category, t.area)
    )


def count_surge_slots(
    conn: Connection, slots: Sequence[tuple[datetime, datetime]]
) -> tuple[SlotCount, ...]:
    """Classified reports per slot, field and ward; slots are ``(start, end]`` ranges.

    Slot 0 is the current half hour, the others the same half hour of earlier weeks. Only
    these few ranges of the ``received_at`` index are read, however large the table.
    """
    if not slots:
        return ()
    rows = conn.execute(surge_slots_query(slots)).all()
    return tuple(
        SlotCount(
            int(row[0]), str(row[1]), None if row[2] is None else str(row[2]), int(row[3]), row[4]
        )
        for row in rows
        if int(row[0]) >= 0
    )


# --- repeat reports --------------------------------------------------------------------------
def without_jit(conn: Connection) -> None:
    """Turn PostgreSQL's JIT and parallel workers off for this transaction (else a no-op).

    The repeat candidates' queries are many short index ranges whose row estimates are far
    too high (a field and ward's window is a few thousand rows, the planner guesses more),
    so PostgreSQL compiles them and starts workers, which costs 80 ms to a second: more than
    running them on one core. The re-report rates' window query ran 9.6 s with both and
    6.6 s without at 10 M on the shared machine.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL jit = off")
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


@dataclass(frozen=True)
class ReportRow:
    """One report with a known field and ward, as the repeat linking needs it."""

    code: str
    category: str
    area: str
    received_at: datetime
    ended_at: datetime | None  # resolved_at, else closed_at; None while open
    status: str
    urgency: int | None
    agency: str | None


def _report_columns() -> list[Any]:
    return [
        t.code,
        t.category,
        t.area,
        t.received_at,
        t.resolved_at,
        t.closed_at,
        t.status,
        t.urgency,
        t.agency,
    ]


def _report(row: Sequence[object]) -> ReportRow:
    resolved, closed = row[4], row[5]
    return ReportRow(
        code=str(row[0]),
        category=str(row[1]),
        area=str(row[2]),
        received_at=row[3],  # type: ignore[arg-type]
        ended_at=resolved if resolved is not None else closed,  # type: ignore[arg-type]
        status=str(row[6]),
        urgency=None if row[7] is None else int(row[7]),  # type: ignore[call-overload]
        agency=None if row[8] is None else str(row[8]),
    )


def _known() -> list[Any]:
    # Wards missing or fields NULL never link.
    return [t.category.is_not(None), t.area.is_not(None)]


def _same_pair(pair: tuple[str, str] | None) -> list[ColumnElement[bool]]:
    return [] if pair is None else [t.category == pair[0], t.area == pair[1]]


def list_reports_received(
    conn: Connection, start: datetime, end: datetime, pair: tuple[str, str] | None = None
) -> tuple[ReportRow, ...]:
    """Reports received in ``[start, end)`` with a known field and ward, oldest first."""
    query = (
        select(*_report_columns())
        .where(t.received_at >= _ts(start), t.received_at < _ts(end), *_known(), *_same_pair(pair))
        .order_by(t.received_at, t.id)
    )
    return tuple(_report(row) for row in conn.execute(query))


def list_reports_live_since(
    conn: Connection, since: datetime, end: datetime, pair: tuple[str, str] | None = None
) -> tuple[ReportRow, ...]:
    """Reports received before ``end`` that were open, or ended, at ``since`` or later.

    These are every report a later one received in ``[since + window, end)`` can link
    to (``since`` = the first such instant minus the window). Three index ranges: received
    since then, open now (the partial index), resolved since then.
    """
    query = (
        select(*_report_columns())
        .where(
            t.received_at < _ts(end),
            *_known(),
            or_(t.received_at >= _ts(since), is_open(), t.resolved_at >= _ts(since)),
            *_same_pair(pair),
        )
        .order_by(t.received_at, t.id)
    )
    return tuple(_report(row) for row in conn.execute(query))


def _next_arrivals(start: datetime, end: datetime, arrivals_end: datetime) -> Any:
    """Each event of the re-report pass with the next arrival of its field and ward after it.

    Events: the reports resolved in ``[start, end)`` (kind 0, with their agency) and the
    arrivals in ``[start, arrivals_end)`` (kind 1), of a known field and ward. One pass of a
    window function over them, sorted per field and ward in the database. An arrival at the
    very instant of a resolution does not count (it is not "after").
    """
    ended = select(
        t.category, t.area, t.resolved_at.label("at"), literal(0).label("kind"), t.agency
    ).where(t.resolved_at >= _ts(start), t.resolved_at < _ts(end), *_known())
    arrivals = select(
        t.category,
        t.area,
        t.received_at.label("at"),
        literal(1).label("kind"),
        null().label("agency"),
    ).where(t.received_at >= _ts(start), t.received_at < _ts(arrivals_end), *_known())
    events = union_all(ended, arrivals).subquery("events")
    e = events.c
    next_at = (
        func.min(case((e.kind == 1, e.at)))
        .over(
            # Byte order: only equality matters, and a locale's collation sorts slowly.
            partition_by=(binary_text(e.category), binary_text(e.area)),
            # Latest first with a frame growing from the start: a running minimum, one pass
            # (a frame shrinking towards the end would recompute the minimum for each row).
            order_by=(comparable_timestamp(e.at).desc(), e.kind),
            rows=(None, -1),
        )
        .label("next_at")
    )
    return select(e.kind, e.agency, e.at, next_at).subquery("ordered")


def list_next_reports_after_resolution(
    conn: Connection, start: datetime, end: datetime, arrivals_end: datetime
) -> tuple[tuple[str | None, datetime, datetime | None], ...]:
    """``(agency, resolved_at, next report)`` of the reports resolved in ``[start, end)``.

    The next report is the first one of the same field and ward received after the
    resolution and before ``arrivals_end`` (None when there is none); see ``_next_arrivals``.
    """
    o = _next_arrivals(start, end, arrivals_end).c
    query = select(
        o.agency, type_coerce(o.at, UTCDateTime()), type_coerce(o.next_at, UTCDateTime())
    )
    rows = conn.execute(query.where(o.kind == 0)).all()
    return tuple((None if a is None else str(a), at, nxt) for a, at, nxt in rows)


def count_rereports(
    conn: Connection, start: datetime, end: datetime, window: timedelta
) -> tuple[tuple[str | None, int, int], ...]:
    """``(agency, resolved, re-reported)`` of the reports resolved in ``[start, end)``.

    Re-reported: the next report of the same field and ward came after the resolution and
    at most ``window`` after it (``resolved_at < next <= resolved_at + window``). Counted in
    the database: a row per agency comes back, not one per resolution.
    """
    o = _next_arrivals(start, end, end + window).c
    again = and_(
        o.next_at.is_not(None),
        comparable_timestamp(o.next_at) <= later_by(o.at, int(window.total_seconds())),
    )
    query = (
        select(o.agency, func.count(), count_if(again))
        .where(o.kind == 0)
        .group_by(o.agency)
        .order_by(o.agency)
    )
    return tuple(
        (None if a is None else str(a), int(n), int(r or 0)) for a, n, r in conn.execute(query)
    )


def list_open_reports_below_level(
    conn: Connection, start: datetime, end: datetime, statuses: Sequence[str], level: int
) -> tuple[ReportRow, ...]:
    """Reports received in ``[start, end)`` in one of ``statuses`` and below ``level``.

    With a known field and ward, oldest first: the few a shift's level 3 candidates come
    from (the ``received_at`` index; the shift's reports only).
    """
    query = (
        select(*_report_columns())
        .where(
            t.received_at >= _ts(start),
            t.received_at < _ts(end),
            *_known(),
            t.status.in_(list(statuses)),
            or_(t.urgency.is_(None), t.urgency < level),
        )
        .order_by(t.received_at, t.id)
    )
    return tuple(_report(row) for row in conn.execute(query))


def list_backlog_reports(
    conn: Connection, since: datetime, until: datetime
) -> tuple[tuple[str, str, datetime, datetime | None, str], ...]:
    """``(category, area, received_at, ended_at, code)`` of ``list_reports_live_since``.

    The same rows (received before ``until``, open or ended at ``since`` or later), only the
    five values the linking needs: some ten thousand rows at the benchmark's density.
    """
    ended = type_coerce(func.coalesce(t.resolved_at, t.closed_at), UTCDateTime())
    query = select(t.category, t.area, t.received_at, ended, t.code).where(
        t.received_at < _ts(until),
        *_known(),
        or_(t.received_at >= _ts(since), is_open(), t.resolved_at >= _ts(since)),
    )
    return tuple(
        (str(c), str(a), at, end, str(code)) for c, a, at, end, code in conn.execute(query)
    )


SPAN_BATCH = 500  # bound rows per statement (5 parameters each; SQLite allows 32 766)

Span = tuple[str, str, datetime, datetime]  # (category, area, since, until): [since, until)


def count_reports_in_spans(
    conn: Connection, spans: Sequence[Span], keep: int
) -> list[tuple[int, datetime | None]]:
    """For each span: its reports, and the instant of the ``keep``-th latest (None if fewer).

    One correlated count and one backward lookup per span, both on the index
    ``(category, area, received_at)``: short index ranges, no rows read.
    """
    found: list[tuple[int, datetime | None]] = []
    for first in range(0, len(spans), SPAN_BATCH):
        batch = spans[first : first + SPAN_BATCH]
        given = (
            values(
                column("n", Integer),
                column("category", String),
                column("area", String),
                column("since", UTCDateTime()),
                column("until", UTCDateTime()),
                name="spans",
            )
            .data([(index, *span) for index, span in enumerate(batch)])
            .cte("spans")
        )
        g = given.c
        in_span = [
            t.category == g.category,
            t.area == g.area,
            t.received_at >= g.since,
            t.received_at < g.until,
        ]
        counted = select(func.count()).where(*in_span).scalar_subquery()
        kept = (
            select(t.received_at)
            .where(*in_span)
            .order_by(t.received_at.desc())
            .limit(1)
            .offset(keep - 1)
            .scalar_subquery()
        )
        query = select(g.n, counted, type_coerce(kept, UTCDateTime())).order_by(g.n)
        found.extend((int(count), at) for _, count, at in conn.execute(query))
    return found


def list_codes_in_spans(
    conn: Connection, spans: Sequence[Span]
) -> tuple[tuple[str, str, datetime, str], ...]:
    """``(category, area, received_at, code)`` of the reports in any of the spans."""
    found: list[tuple[str, str, datetime, str]] = []
    for first in range(0, len(spans), SPAN_BATCH):
        batch = spans[first : first + SPAN_BATCH]
        query = select(t.category, t.area, t.received_at, t.code).where(
            or_(
                *(
                    and_(
                        t.category == category,
                        t.area == area,
                        t.received_at >= _ts(since),
                        t.received_at < _ts(until),
                    )
                    for category, area, since, until in batch
                )
            )
        )
        found.extend((str(c), str(a), at, str(code)) for c, a, at, code in conn.execute(query))
    return tuple(found)


def read_report(conn: Connection, code: str) -> ReportRow | None:
    """One report by its code (None when unknown, or when its field or ward is missing)."""
    query = select(*_report_columns()).where(t.code == code, *_known())
    row = conn.execute(query).first()
    return None if row is None else _report(row)
