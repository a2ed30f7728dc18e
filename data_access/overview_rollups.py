"""Daily rollups of the overview (PostgreSQL; migration 0003): read, check, rebuild.

``rollup_received_daily`` and ``rollup_resolved_daily`` hold, per operating day
and (channel, line, category, urgency, agency), what the overview counts from
the tickets; statement triggers keep them exact in the writer's transaction.
NULL category, urgency and agency are stored as '', 0 and ''. The board uses
them only when ``rollup_state`` was built for its own time zone and day start;
otherwise it reads the tickets (same numbers, slower).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    and_,
    bindparam,
    column,
    func,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy import (
    values as values_of,
)

from data_access.overview import (
    HandlingMedians,
    ReceivedCell,
    ResolvedCell,
    handled_conditions,
    measure_handling_medians,
)
from data_access.schema import tickets
from data_access.sql import filters_where
from data_access.values import Filters

T = TypeVar("T")

# Operating weeks run Monday to Sunday; 3 January 2000 was a Monday (migration 0008).
MONDAY = date(2000, 1, 3)

# Not in data_access.schema.metadata: these tables exist on PostgreSQL only.
rollup_metadata = MetaData()


def _keys() -> list[Column]:
    return [
        Column("day", Date, primary_key=True),
        Column("channel", Text, primary_key=True),
        Column("line", Text, primary_key=True),
        Column("category", Text, primary_key=True),
        Column("urgency", SmallInteger, primary_key=True),
        Column("agency", Text, primary_key=True),
    ]


def _counts(*names: str) -> list[Column]:
    return [Column(name, Integer, nullable=False) for name in names]


rollup_received = Table(
    "rollup_received_daily", rollup_metadata, *_keys(), *_counts("received", "forwarded")
)
rollup_resolved = Table(
    "rollup_resolved_daily",
    rollup_metadata,
    *_keys(),
    *_counts("resolved", "with_due", "on_time", "rated", "satisfaction_sum"),
)


# Migration 0008: handled tickets per day, dimension and bucket of handling minutes.
rollup_handling = Table(
    "rollup_handling_daily",
    rollup_metadata,
    Column("span", SmallInteger, primary_key=True),
    *_keys(),
    Column("bucket", SmallInteger, primary_key=True),
    *_counts("handled"),
)


def day_start_minutes(hour: int, minute: int) -> int:
    """Minutes after midnight of the operating day's start."""
    return hour * 60 + minute


def rollups_ready(conn: Connection, timezone: str, start_minutes: int) -> bool:
    """Whether rollups exist and were built for this time zone and day start."""
    if conn.dialect.name != "postgresql":
        return False
    exists = conn.execute(text("SELECT to_regclass('rollup_state') IS NOT NULL")).scalar()
    if not exists:
        return False
    row = conn.execute(
        text("SELECT timezone, day_start_minutes FROM rollup_state WHERE id = 1")
    ).first()
    return row is not None and (row[0], int(row[1])) == (timezone, start_minutes)


def rollup_filter_condition(table: Table, filters: Filters) -> ColumnElement[bool]:
    """The WHERE condition of a set of filters on a rollup table (sentinels for NULL)."""
    return filters_where(table.c, filters, sentinels=True)


def _none(value: T, sentinel: T) -> T | None:
    return None if value == sentinel else value


def _resolved_cell(index: int, agency: str | None, counts: list[int], part: str) -> ResolvedCell:
    resolved, with_due, on_time, rated, satisfaction_sum = counts
    return ResolvedCell(index, agency, resolved, with_due, on_time, rated, satisfaction_sum, part)


def read_received_cells(
    conn: Connection, first_day: date, split_day: date, last_day: date, filters: Filters
) -> tuple[ReceivedCell, ...]:
    """The received counts from the rollup, as the few cells the overview needs.

    One GROUPING SETS query: per day over [first_day, last_day] (part "day"),
    and for [split_day, last_day] per (category, urgency) ("heat") and per
    agency ("agency"). Day index 0 is ``first_day``.
    """
    r = rollup_received.c
    current = (r.day >= split_day).label("current")
    query = (
        select(
            func.grouping(r.day),
            func.grouping(r.category),
            r.day,
            current,
            r.category,
            r.urgency,
            r.agency,
            func.sum(r.received),
            func.sum(r.forwarded),
        )
        .where(
            r.day >= first_day,
            r.day <= last_day,
            rollup_filter_condition(rollup_received, filters),
        )
        .group_by(
            func.grouping_sets(
                tuple_(r.day), tuple_(current, r.category, r.urgency), tuple_(current, r.agency)
            )
        )
    )
    split = (split_day - first_day).days
    cells = []
    for (
        no_day,
        no_category,
        day,
        is_current,
        category,
        urgency,
        agency,
        received,
        forwarded,
    ) in conn.execute(query):
        if not (received or forwarded):
            continue
        if not no_day:
            cells.append(
                ReceivedCell(
                    (day - first_day).days, None, None, None, int(received), int(forwarded), "day"
                )
            )
        elif is_current:
            part = "agency" if no_category else "heat"
            cells.append(
                ReceivedCell(
                    split,
                    None if no_category else _none(category, ""),
                    None if no_category else _none(urgency, 0),
                    _none(agency, "") if no_category else None,
                    int(received),
                    int(forwarded),
                    part,
                )
            )
    return tuple(cells)


def read_resolved_cells(
    conn: Connection, first_day: date, split_day: date, last_day: date, filters: Filters
) -> tuple[ResolvedCell, ...]:
    """The resolved counts from the rollup: per day ("day"), and per agency from ``split_day``."""
    r = rollup_resolved.c
    current = (r.day >= split_day).label("current")
    sums = (
        func.sum(r.resolved),
        func.sum(r.with_due),
        func.sum(r.on_time),
        func.sum(r.rated),
        func.sum(r.satisfaction_sum),
    )
    query = (
        select(func.grouping(r.day), r.day, current, r.agency, *sums)
        .where(
            r.day >= first_day,
            r.day <= last_day,
            rollup_filter_condition(rollup_resolved, filters),
        )
        .group_by(func.grouping_sets(tuple_(r.day), tuple_(current, r.agency)))
    )
    split = (split_day - first_day).days
    cells = []
    for no_day, day, is_current, agency, *values in conn.execute(query):
        counts = [int(value or 0) for value in values]
        if not any(counts):
            continue
        if not no_day:
            cells.append(_resolved_cell((day - first_day).days, None, counts, "day"))
        elif is_current:
            cells.append(_resolved_cell(split, _none(agency, ""), counts, "agency"))
    return tuple(cells)


# The tickets, beside the time zone and day start the rollups were built for (``state``).
FROM_TICKETS = "FROM tickets, rollup_state AS state WHERE state.id = 1"


def _rollup_keys(at: str) -> str:
    """A ticket's keys in the rollups: the operating day of ``at``, its dimensions (sentinels)."""
    return (
        f"hotline_operating_day({at}, state.timezone, state.day_start_minutes) AS day,"
        " channel, line, coalesce(category, '') AS category, coalesce(urgency, 0) AS urgency,"
        " coalesce(agency, '') AS agency"
    )


# What the rollups hold, as the tickets give it (migrations 0003 and 0008 keep their own
# frozen copies to backfill): the rebuild inserts these rows, the checks compare with them.
RECEIVED_SELECT = f"""
SELECT {_rollup_keys("received_at")},
       count(*)::int AS received, count(forwarded_at)::int AS forwarded
{FROM_TICKETS}
GROUP BY 1, 2, 3, 4, 5, 6
"""
RESOLVED_SELECT = f"""
SELECT {_rollup_keys("resolved_at")},
       count(*)::int AS resolved, count(due_at)::int AS with_due,
       (count(*) FILTER (WHERE resolved_at <= due_at))::int AS on_time,
       count(satisfaction)::int AS rated, coalesce(sum(satisfaction), 0)::int AS satisfaction_sum
{FROM_TICKETS} AND resolved_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
"""
# The handling distribution: span 1 per operating day, span 7 per operating week (``day``
# its Monday).
HANDLING_SELECT = f"""
SELECT s.span,
       CASE WHEN s.span = 1 THEN d.day ELSE d.day - ((d.day - date '2000-01-03') % 7) END AS day,
       d.channel, d.line, d.category, d.urgency, d.agency, d.bucket,
       sum(d.handled)::integer AS handled
FROM (SELECT {_rollup_keys("resolved_at")},
             hotline_handling_bucket(forwarded_at, resolved_at) AS bucket, count(*) AS handled
      {FROM_TICKETS} AND forwarded_at IS NOT NULL AND resolved_at >= forwarded_at
      GROUP BY 1, 2, 3, 4, 5, 6, 7) AS d,
     (VALUES (1::smallint), (7::smallint)) AS s (span)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""


def _insert(table: Table, rows: str) -> str:
    """INSERT of ``rows`` (a SELECT of the table's columns in order) into a rollup table."""
    return f"INSERT INTO {table.name} ({', '.join(table.c.keys())}) {rows}"


def sync_rollups(
    conn: Connection, timezone: str, start_minutes: int, *, force: bool = False
) -> bool:
    """Point the rollups at this time zone and day start, rebuilding them if they differ.

    Runs in the caller's (writer) transaction, which locks the tickets against
    writes while the rollups are rebuilt. Returns whether a rebuild happened. Either way
    the rollups have their planner statistics afterwards (:func:`analyze_rollups`).
    """
    if conn.dialect.name != "postgresql":
        return False
    if not conn.execute(text("SELECT to_regclass('rollup_state') IS NOT NULL")).scalar():
        return False
    if not force and rollups_ready(conn, timezone, start_minutes):
        analyze_rollups(conn, only_missing=True)  # filled by a migration's backfill, say
        return False
    conn.execute(text("LOCK TABLE tickets IN SHARE MODE"))
    conn.execute(
        text(
            "UPDATE rollup_state SET timezone = :tz, day_start_minutes = :start, rebuilt_at = now()"
            " WHERE id = 1"
        ),
        {"tz": timezone, "start": start_minutes},
    )
    conn.execute(text("TRUNCATE rollup_received_daily, rollup_resolved_daily"))
    conn.execute(text(_insert(rollup_received, RECEIVED_SELECT)))
    conn.execute(text(_insert(rollup_resolved, RESOLVED_SELECT)))
    if handling_rollup_exists(conn):
        conn.execute(text("TRUNCATE rollup_handling_daily"))
        # In key order, so a range of days is a few pages.
        conn.execute(
            text(_insert(rollup_handling, HANDLING_SELECT) + " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8")
        )
    analyze_rollups(conn, only_missing=False)
    return True


ROLLUP_TABLES = ("rollup_received_daily", "rollup_resolved_daily", "rollup_handling_daily")


def analyze_rollups(conn: Connection, *, only_missing: bool) -> tuple[str, ...]:
    """ANALYZE the rollup tables (``only_missing``: those never analyzed); the names done.

    Without statistics, until autovacuum gets there (it may be off), the planner guesses a
    few dozen rows where a 90-day range reads a hundred thousand, and sorts them instead of
    hashing them: the handling counts of a 90-day range at 10 M tickets took 190 ms
    instead of 55 on the benchmark machine.
    """
    estimates: dict[str, float] = dict(
        conn.execute(
            text("SELECT relname, reltuples FROM pg_class WHERE relname IN :names").bindparams(
                bindparam("names", expanding=True)
            ),
            {"names": list(ROLLUP_TABLES)},
        ).all()
    )
    # reltuples is -1 until a table is first analyzed (or vacuumed); the tables that exist.
    wanted = tuple(
        name
        for name in ROLLUP_TABLES
        if name in estimates and (estimates[name] < 0 or not only_missing)
    )
    if wanted:
        conn.execute(text("ANALYZE " + ", ".join(wanted)))
    return wanted


def rollup_differences(conn: Connection) -> int:
    """Rows where the rollups disagree with the tickets (0 when exact; for tests and checks)."""
    check = f"""
    WITH fresh AS ({RECEIVED_SELECT}),
    kept AS (SELECT * FROM rollup_received_daily WHERE received <> 0 OR forwarded <> 0),
    fresh_resolved AS ({RESOLVED_SELECT}),
    kept_resolved AS (
      SELECT * FROM rollup_resolved_daily
      WHERE resolved <> 0 OR with_due <> 0 OR on_time <> 0 OR rated <> 0 OR satisfaction_sum <> 0)
    SELECT (SELECT count(*) FROM ((SELECT * FROM fresh EXCEPT SELECT * FROM kept)
                                  UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) d)
         + (SELECT count(*) FROM (
              (SELECT * FROM fresh_resolved EXCEPT SELECT * FROM kept_resolved)
              UNION ALL (SELECT * FROM kept_resolved EXCEPT SELECT * FROM fresh_resolved)) e)
    """
    return int(conn.execute(text(check)).scalar_one())


# --- the handling-time distribution (migration 0008) ----------------------------------------


def handling_rollup_exists(conn: Connection) -> bool:
    """Whether the handling distribution of migration 0008 is there (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(
        conn.execute(text("SELECT to_regclass('rollup_handling_daily') IS NOT NULL")).scalar()
    )


@dataclass(frozen=True)
class _Rank:
    """Where the k-th handled ticket (0-based) of a group lies: its bucket, its rank inside."""

    bucket: int
    inside: int


def _locate(histogram: dict[int, int], rank: int) -> _Rank:
    seen = 0
    for bucket in sorted(histogram):
        if rank < seen + histogram[bucket]:
            return _Rank(bucket, rank - seen)
        seen += histogram[bucket]
    raise ValueError("rank beyond the histogram")


def _kth(minutes: dict[int, int], rank: int) -> int:
    seen = 0
    for value in sorted(minutes):
        seen += minutes[value]
        if rank < seen:
            return value
    raise ValueError("rank beyond the minutes")


def _middle_ranks(histogram: dict[int, int]) -> tuple[_Rank, _Rank]:
    total = sum(histogram.values())
    return _locate(histogram, (total - 1) // 2), _locate(histogram, total // 2)


def read_handling_medians(
    conn: Connection,
    first_day: date,
    last_day: date,
    start: datetime,
    end: datetime,
    filters: Filters,
) -> HandlingMedians:
    """The exact median handling times of operating days [first_day, last_day] = [start, end).

    Same numbers as :func:`data_access.overview.measure_handling_medians`, read in two
    statements: the rollup's counts per (agency, bucket) (its whole weeks from the week
    rows, the days at either end from the day rows) tell in which bucket each median
    lies and its rank there; then only the tickets of those (agency, bucket)
    pairs are read from ``ix_tickets_handling_bucket``, with their exact minutes. Should
    the two disagree (a rollup out of step), the medians are computed from the tickets.
    """
    h = rollup_handling.c
    # One index-only range of the primary key per part (an OR of them plans a bitmap scan).
    parts = union_all(
        *(
            select(h.agency, h.bucket, h.handled).where(
                part, rollup_filter_condition(rollup_handling, filters)
            )
            for part in span_parts(first_day, last_day)
        )
    ).subquery("parts")
    rows = conn.execute(
        select(parts.c.agency, parts.c.bucket, func.sum(parts.c.handled)).group_by(
            parts.c.agency, parts.c.bucket
        )
    )
    by_agency: dict[str | None, dict[int, int]] = {}
    overall: dict[int, int] = {}
    for agency, bucket, count in rows:
        if not count:
            continue
        key: str | None = None if agency == "" else str(agency)
        by_agency.setdefault(key, {})[int(bucket)] = int(count)
        overall[int(bucket)] = overall.get(int(bucket), 0) + int(count)
    if not overall:
        return HandlingMedians(None, {})
    # The (agency, bucket) pairs whose minutes are needed.
    agency_ranks = {agency: _middle_ranks(histogram) for agency, histogram in by_agency.items()}
    overall_ranks = _middle_ranks(overall)
    pairs: set[tuple[str | None, int]] = set()
    for agency, ranks in agency_ranks.items():
        pairs.update((agency, rank.bucket) for rank in ranks)
    for bucket in {rank.bucket for rank in overall_ranks}:
        pairs.update((agency, bucket) for agency, hist in by_agency.items() if bucket in hist)
    minutes = _read_pair_minutes(
        conn, sorted(pairs, key=lambda p: (p[1], p[0] or "")), start, end, filters
    )
    for agency, bucket in pairs:
        if sum(minutes.get((agency, bucket), {}).values()) != by_agency[agency][bucket]:
            return measure_handling_medians(conn, start, end, filters)

    def value(ranks: tuple[_Rank, _Rank], agencies: Sequence[str | None]) -> float:
        found = []
        for rank in ranks:
            merged: dict[int, int] = {}
            for agency in agencies:
                for minute, count in minutes.get((agency, rank.bucket), {}).items():
                    merged[minute] = merged.get(minute, 0) + count
            found.append(_kth(merged, rank.inside))
        return (found[0] + found[1]) / 2

    return HandlingMedians(
        value(overall_ranks, list(by_agency)),
        {agency: value(ranks, [agency]) for agency, ranks in agency_ranks.items()},
    )


def _read_pair_minutes(
    conn: Connection,
    pairs: Sequence[tuple[str | None, int]],
    start: datetime,
    end: datetime,
    filters: Filters,
) -> dict[tuple[str | None, int], dict[int, int]]:
    """Tickets per minute of each (agency, bucket) pair: one range of the index each.

    One statement for the pairs of named agencies (a LATERAL scan per pair), one more
    for the tickets with no agency, if any of those is needed.
    """
    t = tickets.c
    bucket = func.hotline_handling_bucket(t.forwarded_at, t.resolved_at)
    minute = func.hotline_handling_minutes(t.forwarded_at, t.resolved_at)
    result: dict[tuple[str | None, int], dict[int, int]] = {}
    named = [(agency, value) for agency, value in pairs if agency is not None]
    if named:
        wanted = values_of(
            column("agency", Text), column("bucket", SmallInteger), name="wanted"
        ).data(named)
        found = (
            select(minute.label("minute"))
            .where(
                bucket == wanted.c.bucket,
                t.agency == wanted.c.agency,
                *handled_conditions(start, end, filters),
            )
            .lateral("found")
        )
        query = (
            select(wanted.c.agency, wanted.c.bucket, found.c.minute, func.count())
            .select_from(wanted.join(found, true()))
            .group_by(wanted.c.agency, wanted.c.bucket, found.c.minute)
        )
        for agency, value, minutes, count in conn.execute(query):
            result.setdefault((agency, int(value)), {})[int(minutes)] = int(count)
    unassigned = sorted(value for agency, value in pairs if agency is None)
    if unassigned:
        query = (
            select(bucket, minute, func.count())
            .where(
                bucket.in_(unassigned),
                t.agency.is_(None),
                *handled_conditions(start, end, filters),
            )
            .group_by(bucket, minute)
        )
        for value, minutes, count in conn.execute(query):
            result.setdefault((None, int(value)), {})[int(minutes)] = int(count)
    return result


def week_start(day: date) -> date:
    """The Monday that starts the operating week of ``day``."""
    return day - timedelta(days=(day - MONDAY).days % 7)


def span_parts(first_day: date, last_day: date) -> list[ColumnElement[bool]]:
    """The parts of ``rollup_handling_daily`` that cover [first_day, last_day] exactly once.

    Whole operating weeks inside the range come from the week rows (span 7); the
    days before the first and after the last of those, from the day rows (span 1).
    """
    h = rollup_handling.c
    after = last_day + timedelta(days=1)
    weeks_from = week_start(first_day + timedelta(days=6))  # the first Monday on or after
    weeks_to = week_start(after)  # the Monday on or before the day after the range
    if weeks_from >= weeks_to:
        return [and_(h.span == 1, h.day >= first_day, h.day <= last_day)]
    parts = [and_(h.span == 7, h.day >= weeks_from, h.day < weeks_to)]
    if first_day < weeks_from:
        parts.append(and_(h.span == 1, h.day >= first_day, h.day < weeks_from))
    if weeks_to <= last_day:
        parts.append(and_(h.span == 1, h.day >= weeks_to, h.day <= last_day))
    return parts


def handling_differences(conn: Connection) -> int:
    """Rows where the handling distribution disagrees with the tickets (0 when exact)."""
    check = f"""
    WITH fresh AS ({HANDLING_SELECT}),
    kept AS (SELECT span, day, channel, line, category, urgency, agency, bucket, handled
             FROM rollup_handling_daily WHERE handled <> 0)
    SELECT count(*) FROM ((SELECT * FROM fresh EXCEPT SELECT * FROM kept)
                          UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) AS d
    """
    return int(conn.execute(text(check)).scalar_one())
