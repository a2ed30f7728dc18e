"""Daily rollups of the overview (PostgreSQL; migration 0003): read, check, rebuild.

``rollup_received_daily`` and ``rollup_resolved_daily`` hold, per operating day
and (channel, line, category, urgency, agency), what the overview counts from
the tickets; statement triggers keep them exact in the writer's transaction.
NULL category, urgency and agency are stored as '', 0 and ''. The board uses
them only when ``rollup_state`` was built for its own time zone and day start;
otherwise it reads the tickets (same numbers, slower).
"""

from __future__ import annotations

from datetime import date
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
    func,
    select,
    text,
    tuple_,
)

from data_access.overview import ReceivedCell, ResolvedCell
from data_access.sql import filters_where
from data_access.values import Filters

T = TypeVar("T")

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


rollup_received = Table(
    "rollup_received_daily",
    rollup_metadata,
    *_keys(),
    Column("received", Integer, nullable=False),
    Column("forwarded", Integer, nullable=False),
)
rollup_resolved = Table(
    "rollup_resolved_daily",
    rollup_metadata,
    *_keys(),
    Column("resolved", Integer, nullable=False),
    Column("with_due", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    Column("rated", Integer, nullable=False),
    Column("satisfaction_sum", Integer, nullable=False),
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


REBUILD = """
TRUNCATE rollup_received_daily, rollup_resolved_daily;
INSERT INTO rollup_received_daily (day, channel, line, category, urgency, agency,
                                   received, forwarded)
SELECT hotline_operating_day(received_at, s.timezone, s.day_start_minutes), channel, line,
       coalesce(category, ''), coalesce(urgency, 0), coalesce(agency, ''),
       count(*), count(forwarded_at)
FROM tickets, rollup_state AS s WHERE s.id = 1
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO rollup_resolved_daily (day, channel, line, category, urgency, agency,
                                   resolved, with_due, on_time, rated, satisfaction_sum)
SELECT hotline_operating_day(resolved_at, s.timezone, s.day_start_minutes), channel, line,
       coalesce(category, ''), coalesce(urgency, 0), coalesce(agency, ''),
       count(*), count(due_at), count(*) FILTER (WHERE resolved_at <= due_at),
       count(satisfaction), coalesce(sum(satisfaction), 0)
FROM tickets, rollup_state AS s WHERE s.id = 1 AND resolved_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
"""


def sync_rollups(
    conn: Connection, timezone: str, start_minutes: int, *, force: bool = False
) -> bool:
    """Point the rollups at this time zone and day start, rebuilding them if they differ.

    Runs in the caller's (writer) transaction, which locks the tickets against
    writes while the rollups are rebuilt. Returns whether a rebuild happened.
    """
    if conn.dialect.name != "postgresql":
        return False
    if not conn.execute(text("SELECT to_regclass('rollup_state') IS NOT NULL")).scalar():
        return False
    if not force and rollups_ready(conn, timezone, start_minutes):
        return False
    conn.execute(text("LOCK TABLE tickets IN SHARE MODE"))
    conn.execute(
        text(
            "UPDATE rollup_state SET timezone = :tz, day_start_minutes = :start, rebuilt_at = now()"
            " WHERE id = 1"
        ),
        {"tz": timezone, "start": start_minutes},
    )
    for statement in REBUILD.split(";"):
        if statement.strip():
            conn.execute(text(statement))
    return True


def rollup_differences(conn: Connection) -> int:
    """Rows where the rollups disagree with the tickets (0 when exact; for tests and checks)."""
    check = """
    WITH s AS (SELECT timezone, day_start_minutes FROM rollup_state WHERE id = 1),
    fresh AS (
      SELECT hotline_operating_day(received_at, s.timezone, s.day_start_minutes) AS day, channel,
             line, coalesce(category, '') AS category, coalesce(urgency, 0) AS urgency,
             coalesce(agency, '') AS agency, count(*)::int AS received,
             count(forwarded_at)::int AS forwarded
      FROM tickets, s GROUP BY 1, 2, 3, 4, 5, 6),
    kept AS (SELECT * FROM rollup_received_daily WHERE received <> 0 OR forwarded <> 0),
    fresh_resolved AS (
      SELECT hotline_operating_day(resolved_at, s.timezone, s.day_start_minutes) AS day, channel,
             line, coalesce(category, '') AS category, coalesce(urgency, 0) AS urgency,
             coalesce(agency, '') AS agency, count(*)::int AS resolved,
             count(due_at)::int AS with_due,
             (count(*) FILTER (WHERE resolved_at <= due_at))::int AS on_time,
             count(satisfaction)::int AS rated,
             coalesce(sum(satisfaction), 0)::int AS satisfaction_sum
      FROM tickets, s WHERE resolved_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6),
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
