"""The floor: one hand-written PostgreSQL statement computing every number of a snapshot.

It reads the window's tickets once (GROUPING SETS over the dimensions and the hour/shift
buckets), the tickets resolved in the window once, and the open backlog once through the
partial indexes, and returns one row per number. The benchmark checks that its numbers
equal the snapshot's and reports snapshot time / floor time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from dashboard.formatting import ratio
from dashboard.shifts import ShiftCalendar, Window
from dashboard.snapshot import (
    NO_CALLS,
    OverdueItem,
    Snapshot,
    bucket_boundaries,
    overdue_minutes,
)
from data_access.values import Filters

FLOOR_SQL = """
WITH day AS (
    SELECT channel, line, coalesce(category, 'unclassified') AS category,
           coalesce(CAST(urgency AS text), 'unclassified') AS urgency, status,
           forwarded_at IS NOT NULL AS forwarded,
           received_at >= :start AND received_at < :end AS in_window,
           width_bucket(received_at, CAST(:bounds AS timestamptz[])) AS bucket
    FROM tickets
    WHERE received_at >= :day_start AND received_at < :day_end
), received AS (
    SELECT CASE WHEN grouping(channel) = 0 THEN 'channel'
                WHEN grouping(line) = 0 THEN 'line'
                WHEN grouping(category) = 0 THEN 'category'
                WHEN grouping(urgency) = 0 THEN 'urgency'
                WHEN grouping(status) = 0 THEN 'status'
                WHEN grouping(bucket) = 0 THEN 'bucket'
                ELSE 'total' END AS kind,
           coalesce(channel, line, category, urgency, status, CAST(bucket AS text), '') AS key,
           CASE WHEN grouping(bucket) = 0 THEN count(*)
                ELSE count(*) FILTER (WHERE in_window) END AS n,
           count(*) FILTER (WHERE in_window AND forwarded) AS m,
           0 AS x, 0 AS y
    FROM day
    GROUP BY GROUPING SETS ((channel), (line), (category), (urgency), (status), (bucket), ())
), resolved AS (
    SELECT 'resolved' AS kind, '' AS key, count(*) AS n, count(due_at) AS m,
           count(*) FILTER (WHERE resolved_at <= due_at) AS x, 0 AS y
    FROM tickets
    WHERE resolved_at >= :start AND resolved_at < :end
), backlog AS (
    SELECT status, coalesce(agency, 'unassigned') AS agency, urgency,
           due_at < :now AS overdue,
           status IN ('received', 'classified') AND received_at < :intake_cutoff AS awaiting
    FROM tickets
    WHERE status NOT IN ('resolved', 'closed')
), open AS (
    SELECT CASE WHEN grouping(status) = 0 THEN 'open_status'
                WHEN grouping(agency) = 0 THEN 'overdue_agency'
                ELSE 'open' END AS kind,
           coalesce(status, agency, '') AS key,
           CASE WHEN grouping(agency) = 0 THEN count(*) FILTER (WHERE overdue)
                ELSE count(*) END AS n,
           count(*) FILTER (WHERE overdue) AS m,
           count(*) FILTER (WHERE awaiting) AS x,
           count(*) FILTER (WHERE urgency = 4) AS y
    FROM backlog
    GROUP BY GROUPING SETS ((status), (agency), ())
), most_overdue AS (
    SELECT 'overdue_list' AS kind,
           concat_ws('|', code, coalesce(category, 'unclassified'),
                     coalesce(CAST(urgency AS text), 'unclassified'),
                     coalesce(agency, 'unassigned'), CAST(extract(epoch FROM due_at) AS text))
               AS key,
           row_number() OVER (ORDER BY due_at, id) AS n, 0 AS m, 0 AS x, 0 AS y
    FROM (
        SELECT code, category, urgency, agency, due_at, id FROM tickets
        WHERE status NOT IN ('resolved', 'closed') AND due_at IS NOT NULL AND due_at < :now
        ORDER BY due_at, id LIMIT :limit
    ) AS worst
)
SELECT kind, key, n, m, x, y FROM received
UNION ALL SELECT kind, key, n, m, x, y FROM resolved
UNION ALL SELECT kind, key, n, m, x, y FROM open
UNION ALL SELECT kind, key, n, m, x, y FROM most_overdue
"""


def floor_parameters(
    calendar: ShiftCalendar, window: Window, now: datetime, *, intake_minutes: int, limit: int
) -> dict[str, Any]:
    """The bound parameters of the floor statement for a window at ``now``."""
    day = calendar.window(window.day)
    return {
        "start": window.start,
        "end": window.end,
        "day_start": min(day.start, window.start),
        "day_end": max(day.end, window.end),
        "bounds": bucket_boundaries(calendar, window)[:-1],
        "now": now,
        "intake_cutoff": now - timedelta(minutes=intake_minutes),
        "limit": limit,
    }


def run_floor(conn: Connection, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Execute the floor statement; its rows (kind, key, n, m, x, y)."""
    return [tuple(row) for row in conn.execute(text(FLOOR_SQL), parameters)]


def fold_floor(
    rows: list[tuple[Any, ...]], calendar: ShiftCalendar, window: Window, now: datetime
) -> Snapshot:
    """Put the floor's rows in the snapshot's shape (only renaming; no arithmetic on data)."""
    groups: dict[str, dict[str, tuple[int, int, int, int]]] = {}
    for kind, key, n, m, x, y in rows:
        groups.setdefault(kind, {})[key] = (int(n), int(m), int(x), int(y))
    total = groups["total"][""]
    resolved = groups["resolved"][""]
    boundaries = bucket_boundaries(calendar, window)
    by_shift: Counter[str] = Counter()
    hourly: Counter[datetime] = Counter()
    hours = calendar.hour_starts(window)
    for key, (n, *_) in groups.get("bucket", {}).items():
        start = boundaries[int(key) - 1]
        by_shift[str(calendar.locate(start)[1])] += n
        if window.contains(start):
            hourly[max(h for h in hours if h <= start)] += n
    open_all = groups["open"][""]
    overdue_list = sorted(groups.get("overdue_list", {}).items(), key=lambda item: item[1][0])

    def plain(kind: str) -> dict[str, int]:
        return {key: n for key, (n, *_) in groups.get(kind, {}).items() if n}

    return Snapshot(
        window=window,
        timezone=calendar.zone.key,
        generated_at=now,
        now=now,
        filters=Filters(),
        received=total[0],
        forwarded=total[1],
        resolved_in_window=resolved[0],
        on_time_rate=ratio(resolved[2], resolved[1]),
        by_channel=plain("channel"),
        by_line=plain("line"),
        by_category=plain("category"),
        by_urgency=plain("urgency"),
        by_status=plain("status"),
        by_shift=dict(by_shift),
        hourly=tuple(sorted(hourly.items())),
        open=open_all[0],
        open_by_status=plain("open_status"),
        overdue=open_all[1],
        overdue_by_agency=plain("overdue_agency"),
        awaiting_forward=open_all[2],
        level4_open=open_all[3],
        overdue_list=tuple(_overdue_item(key, now) for key, _ in overdue_list),
    )


def _overdue_item(key: str, now: datetime) -> OverdueItem:
    """An overdue ticket from its key (code|category|urgency|agency|due epoch)."""
    code, category, urgency, agency, epoch = key.rsplit("|", 4)
    due_at = datetime.fromtimestamp(float(epoch), UTC)
    return OverdueItem(code, category, urgency, agency, due_at, overdue_minutes(now, due_at))


def comparable(snapshot: Snapshot) -> Snapshot:
    """The snapshot's numbers as the floor has them (no zero entries, no calls, no surges)."""

    def nonzero(mapping: dict[str, int]) -> dict[str, int]:
        return {key: value for key, value in mapping.items() if value}

    return replace(
        snapshot,
        generated_at=snapshot.now,
        by_channel=nonzero(snapshot.by_channel),
        by_line=nonzero(snapshot.by_line),
        by_category=nonzero(snapshot.by_category),
        by_urgency=nonzero(snapshot.by_urgency),
        by_status=nonzero(snapshot.by_status),
        by_shift=nonzero(snapshot.by_shift),
        hourly=tuple((hour, count) for hour, count in snapshot.hourly if count),
        open_by_status=nonzero(snapshot.open_by_status),
        overdue_by_agency=nonzero(snapshot.overdue_by_agency),
        switchboard=NO_CALLS,
        incidents=(),
    )
