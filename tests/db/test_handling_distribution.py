"""The exact median handling time (migration 0008): the distribution and the tickets agree.

On PostgreSQL the overview reads its medians from ``rollup_handling_daily`` and the
bucket index; on SQLite it folds the tickets. Either way the numbers must be the
medians of the handling minutes themselves, here computed in Python from the rows
the test inserted.
"""

from __future__ import annotations

import importlib.util
import random
import statistics
from bisect import bisect_right
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Interval, literal, text

import data_access.overview_rollups as rollups
from dashboard.overview import compute_overview, day_boundaries
from dashboard.shifts import ShiftCalendar
from data_access.engine import make_engine
from data_access.overview import measure_handling_medians
from data_access.overview_rollups import (
    handling_differences,
    handling_rollup_exists,
    read_handling_medians,
    sync_rollups,
)
from data_access.queries import Filters
from data_access.schema import tickets
from tests.support.db import FILTER_CASES, insert_tickets, local, make_ticket, random_ticket

NOW = local("2026-12-02 07:00")
FIRST, LAST = date(2026, 11, 4), date(2026, 12, 1)  # 28 days: four whole weeks, Wednesdays
ZONE = "Asia/Ho_Chi_Minh"
AGENCIES = [("dien", "evn_hcmc"), ("giao_thong", "so_gtvt"), ("hanh_chinh", "vp_ubnd")]


def _minutes(rng: random.Random) -> timedelta:
    """Handling times from seconds to weeks, with many ties (log-uniform, rounded)."""
    if rng.random() < 0.2:
        return timedelta(minutes=rng.choice([0, 1, 59, 60, 61, 240, 1440]))
    return timedelta(seconds=round(60 * 2 ** rng.uniform(-1, 15)))


def _random_tickets(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        row, agency = random_ticket(
            rng, local("2026-10-30 06:00"), 34, AGENCIES, ["call", "sms", "web"], ["1022", "ubnd"]
        )
        received = row["received_at"]
        if rng.random() < 0.85:
            forwarded = received + timedelta(seconds=rng.randrange(30, 3 * 3600))
            row.update(
                status="forwarded",
                agency=agency if rng.random() < 0.9 else None,
                forwarded_at=forwarded,
            )
            if rng.random() < 0.8:
                resolved = forwarded + _minutes(rng)
                if rng.random() < 0.03:  # resolved before the forward: no handling time
                    resolved = forwarded - timedelta(minutes=rng.randrange(1, 90))
                row.update(status="resolved", resolved_at=resolved)
        rows.append(row)
    return rows


def _expected(
    rows: list[dict[str, Any]], start: datetime, end: datetime
) -> tuple[float | None, dict[str | None, float]]:
    """The medians straight from the inserted rows: whole minutes, seconds dropped."""
    by_agency: dict[str | None, list[int]] = {}
    for row in rows:
        resolved, forwarded = row.get("resolved_at"), row.get("forwarded_at")
        if resolved is None or forwarded is None or resolved < forwarded:
            continue
        if start <= resolved < end:
            minutes = int((resolved - forwarded).total_seconds() // 60)
            by_agency.setdefault(row["agency"], []).append(minutes)
    every = [value for values in by_agency.values() for value in values]
    overall = statistics.median(every) if every else None
    return overall, {agency: statistics.median(v) for agency, v in by_agency.items()}


def _range(calendar: ShiftCalendar, first: date, last: date) -> tuple[datetime, datetime]:
    boundaries = day_boundaries(calendar, first, last)
    return boundaries[0], boundaries[-1]


def test_the_overview_medians_are_those_of_the_minutes(engine: Engine, calendar) -> None:
    rows = _random_tickets(900, seed=11)
    insert_tickets(engine, rows)
    overview = compute_overview(engine, calendar, FIRST, LAST, NOW)
    overall, by_agency = _expected(rows, *_range(calendar, FIRST, LAST))
    assert overall is not None
    assert overview.current.median_handling_minutes == overall
    shown = {row.agency: row.median_handling_minutes for row in overview.agencies}
    for agency, value in by_agency.items():
        assert shown["unassigned" if agency is None else agency] == value


# --- PostgreSQL: the distribution itself ----------------------------------------------------


@pytest.fixture
def pg(pg_url: str):
    writer = make_engine(pg_url)
    reader = make_engine(pg_url, readonly=True)
    yield writer, reader
    writer.dispose()
    reader.dispose()


def _read_without_fallback(
    conn, monkeypatch: pytest.MonkeyPatch, first: date, last: date, start, end, filters
):
    """The distribution's own answer: falling back to the tickets would fail the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the distribution disagreed with the tickets and fell back")

    with monkeypatch.context() as patch:
        patch.setattr(rollups, "measure_handling_medians", refuse)
        return read_handling_medians(conn, first, last, start, end, filters)


def _same_medians(reader, calendar, monkeypatch, first=FIRST, last=LAST, filters=None):
    filters = filters or Filters()
    start, end = _range(calendar, first, last)
    with reader.connect() as conn:
        assert handling_rollup_exists(conn)
        fast = _read_without_fallback(conn, monkeypatch, first, last, start, end, filters)
        slow = measure_handling_medians(conn, start, end, filters)
    assert fast == slow
    return fast


RANGES = [
    (FIRST, LAST),  # whole weeks in the middle, days at both ends
    (date(2026, 11, 10), date(2026, 11, 12)),  # three days, no whole week
    (date(2026, 11, 9), date(2026, 11, 15)),  # exactly one week, Monday to Sunday
    (date(2026, 11, 8), date(2026, 11, 16)),  # a Sunday, a week, a Monday
    (date(2026, 11, 1), date(2026, 11, 1)),  # one day
    (date(2026, 10, 30), date(2026, 12, 2)),  # the whole data and beyond
]


@pytest.mark.parametrize(("first", "last"), RANGES)
def test_every_range_reads_the_same_medians(pg, calendar, monkeypatch, first, last) -> None:
    writer, reader = pg
    rows = _random_tickets(1500, seed=12)
    insert_tickets(writer, rows)
    result = _same_medians(reader, calendar, monkeypatch, first, last)
    assert (result.overall, result.by_agency) == _expected(rows, *_range(calendar, first, last))


@pytest.mark.parametrize(
    "filters", [*FILTER_CASES[:5], Filters(agencies=("unassigned",)), FILTER_CASES[5]]
)
def test_filters_read_the_same_medians(pg, calendar, monkeypatch, filters) -> None:
    writer, reader = pg
    insert_tickets(writer, _random_tickets(1200, seed=13))
    result = _same_medians(reader, calendar, monkeypatch, filters=filters)
    assert result.overall is not None


def _span(**amount: int):
    return literal(timedelta(**amount), Interval())


def test_updates_and_deletes_keep_the_distribution_exact(pg, calendar, monkeypatch) -> None:
    writer, reader = pg
    insert_tickets(writer, _random_tickets(1000, seed=14))
    t = tickets.c
    with writer.begin() as conn:
        # resolutions, re-resolutions, reassignments, re-forwards, reclassification, deletes
        conn.execute(
            tickets.update()
            .where(t.resolved_at.is_(None), t.forwarded_at.is_not(None), t.id % 2 == 0)
            .values(status="resolved", resolved_at=t.forwarded_at + _span(minutes=95, seconds=7))
        )
        conn.execute(
            tickets.update().where(t.id % 7 == 0).values(resolved_at=t.resolved_at + _span(days=2))
        )
        conn.execute(tickets.update().where(t.id % 11 == 0).values(agency="so_xay_dung"))
        conn.execute(tickets.update().where(t.id % 13 == 0).values(agency=None))
        conn.execute(
            tickets.update()
            .where(t.id % 5 == 0)
            .values(forwarded_at=t.forwarded_at - _span(hours=6), channel="email")
        )
        conn.execute(tickets.update().where(t.id % 9 == 0).values(category=None, urgency=None))
        conn.execute(tickets.update().where(t.id % 19 == 0).values(resolved_at=None))
        conn.execute(tickets.delete().where(t.id % 17 == 0))
    with writer.connect() as conn:
        assert handling_differences(conn) == 0
    for first, last in RANGES[:4]:
        _same_medians(reader, calendar, monkeypatch, first, last)


def test_one_row_at_a_time_like_an_intake_system(pg, calendar, monkeypatch) -> None:
    writer, reader = pg
    for row in _random_tickets(60, seed=15):
        insert_tickets(writer, [row])
    t = tickets.c
    with writer.begin() as conn:
        for ticket_id in range(1, 61, 4):
            conn.execute(
                tickets.update()
                .where(t.id == ticket_id, t.forwarded_at.is_not(None))
                .values(status="resolved", resolved_at=local("2026-11-30 10:00"))
            )
        conn.execute(tickets.delete().where(t.id == 2))
    with writer.connect() as conn:
        assert handling_differences(conn) == 0
    _same_medians(reader, calendar, monkeypatch)


def test_the_bucket_function_is_the_migrations(pg) -> None:
    writer, _ = pg
    path = Path(__file__).parents[2] / "migrations/versions/0008_handling_distribution.py"
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    bounds = migration.bucket_thresholds()
    assert bounds[:3] == [1, 2, 3] and bounds == sorted(set(bounds))
    samples = sorted({0, 1, 2, 59, 60, 61, *bounds, *(b - 1 for b in bounds), 5_000_000})
    forwarded = datetime(2026, 1, 1, 8, 0, 30)
    with writer.connect() as conn:
        for minutes in samples:
            resolved = forwarded + timedelta(minutes=minutes, seconds=59, microseconds=999_999)
            got = conn.execute(
                text("SELECT hotline_handling_minutes(:f, :r), hotline_handling_bucket(:f, :r)"),
                {"f": forwarded.isoformat() + "+00", "r": resolved.isoformat() + "+00"},
            ).one()
            assert tuple(got) == (minutes, bisect_right(bounds, minutes)), minutes


def test_a_rollup_out_of_step_still_gives_exact_medians(pg, calendar) -> None:
    writer, reader = pg
    insert_tickets(writer, _random_tickets(800, seed=16))
    with writer.begin() as conn:
        conn.execute(text("UPDATE rollup_handling_daily SET handled = handled + 3"))
    start, end = _range(calendar, FIRST, LAST)
    with reader.connect() as conn:
        assert read_handling_medians(conn, FIRST, LAST, start, end, Filters()) == (
            measure_handling_medians(conn, start, end, Filters())
        )


def test_sync_rebuilds_the_distribution_for_another_day_start(pg, monkeypatch) -> None:
    writer, reader = pg
    insert_tickets(writer, _random_tickets(700, seed=17))
    early = ShiftCalendar.from_spec(ZONE, "05:00-13:00,13:00-21:00,21:00-05:00")
    with writer.begin() as conn:
        assert sync_rollups(conn, ZONE, 300)
    with writer.connect() as conn:
        assert handling_differences(conn) == 0
    _same_medians(reader, early, monkeypatch)
    insert_tickets(
        writer,
        [
            make_ticket(
                status="resolved",
                agency="evn_hcmc",
                forwarded_at=local("2026-11-20 04:00"),
                resolved_at=local("2026-11-20 05:30"),
            )
        ],
    )
    with writer.connect() as conn:
        assert handling_differences(conn) == 0


def test_the_median_range_is_read_through_the_bucket_index(pg, calendar) -> None:
    writer, _ = pg
    insert_tickets(writer, _random_tickets(300, seed=18))
    start, end = _range(calendar, FIRST, LAST)
    with writer.begin() as conn:
        conn.execute(text("ANALYZE tickets"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                text(
                    "EXPLAIN SELECT hotline_handling_minutes(forwarded_at, resolved_at)"
                    " FROM tickets WHERE hotline_handling_bucket(forwarded_at, resolved_at) = 20"
                    " AND agency = 'evn_hcmc' AND resolved_at >= :s AND resolved_at < :e"
                    " AND forwarded_at IS NOT NULL AND resolved_at >= forwarded_at"
                ),
                {"s": start, "e": end},
            )
        )
    assert "ix_tickets_handling_bucket" in plan


@pytest.mark.parametrize(
    ("handled", "minute"),
    [
        (timedelta(seconds=59, microseconds=999_999), 0),
        (timedelta(seconds=60), 1),
        (timedelta(minutes=90, microseconds=1), 90),
        (timedelta(days=3, minutes=7, seconds=59, microseconds=500_000), 3 * 1440 + 7),
    ],
)
def test_the_handling_minute_is_exact_to_the_microsecond_on_both_databases(engine, handled, minute):
    """The database counts whole minutes (``minutes_between``): no rounding at a boundary."""
    forwarded = datetime(2026, 12, 1, 2, 0, 0, 250_000, tzinfo=local("2026-12-01 09:00").tzinfo)
    insert_tickets(
        engine,
        [
            make_ticket(
                received_at=forwarded - timedelta(minutes=5),
                forwarded_at=forwarded,
                resolved_at=forwarded + handled,
                status="resolved",
                agency="evn_hcmc",
            )
        ],
    )
    with engine.connect() as conn:
        found = measure_handling_medians(
            conn, forwarded, forwarded + handled + timedelta(seconds=1), Filters()
        )
    assert found.overall == minute
    assert found.by_agency == {"evn_hcmc": minute}
