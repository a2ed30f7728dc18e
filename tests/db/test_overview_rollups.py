"""PostgreSQL's overview rollups: kept exact by the triggers, same numbers as the tickets."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import Interval, bindparam, literal, text
from sqlalchemy.exc import ProgrammingError

from dashboard.overview import compute_overview
from dashboard.shifts import ShiftCalendar
from data_access.engine import make_engine
from data_access.overview_rollups import (
    ROLLUP_TABLES,
    analyze_rollups,
    rollup_differences,
    rollups_ready,
    sync_rollups,
)
from data_access.schema import tickets
from tests.support.db import FILTER_CASES, insert_tickets, local, make_ticket, random_ticket

NOW = local("2026-12-02 07:00")
FIRST, LAST = date(2026, 11, 18), date(2026, 12, 1)
CATEGORIES = [
    ("dien", "evn_hcmc"),
    ("giao_thong", "so_gtvt"),
    ("hanh_chinh", "vp_ubnd"),
    (None, None),
]


def _random_tickets(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        row, agency = random_ticket(
            rng,
            local("2026-11-04 06:00"),
            28,
            CATEGORIES,
            ["call", "sms", "email", "web"],
            ["1022", "thanh_uy", "ubnd"],
        )
        received = row["received_at"]
        if row["category"] is not None and rng.random() < 0.8:
            row.update(
                agency=agency if rng.random() < 0.95 else None,
                status="forwarded",
                forwarded_at=received + timedelta(minutes=rng.randrange(1, 300)),
                due_at=received + timedelta(hours=rng.choice([2, 4, 24, 120])),
            )
            if rng.random() < 0.7:
                row.update(
                    status=rng.choice(["resolved", "closed"]),
                    resolved_at=row["forwarded_at"] + timedelta(minutes=rng.randrange(0, 4000)),
                    satisfaction=rng.choice([None, 1, 3, 4, 5]),
                )
        rows.append(row)
    return rows


def _span(**amount):
    return literal(timedelta(**amount), Interval())


@pytest.fixture
def pg(pg_url):
    writer = make_engine(pg_url)
    reader = make_engine(pg_url, readonly=True)
    yield writer, reader
    writer.dispose()
    reader.dispose()


def _same_numbers(reader, calendar, filters=None, first=FIRST, last=LAST):
    fast = compute_overview(reader, calendar, first, last, NOW, filters)
    slow = compute_overview(reader, calendar, first, last, NOW, filters, use_rollups=False)
    assert fast == slow
    return fast


def test_rollups_are_ready_after_the_migration(pg, calendar):
    _, reader = pg
    with reader.connect() as conn:
        assert rollups_ready(conn, "Asia/Ho_Chi_Minh", 360)
        assert not rollups_ready(conn, "Asia/Ho_Chi_Minh", 300)
        assert not rollups_ready(conn, "Asia/Bangkok", 360)


def test_bulk_insert_keeps_rollups_exact(pg, calendar):
    writer, reader = pg
    insert_tickets(writer, _random_tickets(3000, seed=1))
    with writer.connect() as conn:
        assert rollup_differences(conn) == 0
    result = _same_numbers(reader, calendar)
    assert result.current.received > 1000
    assert result.current.resolved > 100


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_filters_give_the_same_numbers_from_rollups(pg, calendar, filters):
    writer, reader = pg
    insert_tickets(writer, _random_tickets(800, seed=2))
    _same_numbers(reader, calendar, filters)


def test_updates_and_deletes_keep_rollups_exact(pg, calendar):
    writer, reader = pg
    insert_tickets(writer, _random_tickets(600, seed=3))
    with writer.begin() as conn:
        # the life of tickets: classification, forwarding, resolution, rating, reassignment
        conn.execute(
            tickets.update().where(tickets.c.category.is_(None)).values(category="khac", urgency=1)
        )
        conn.execute(
            tickets.update()
            .where(tickets.c.forwarded_at.is_(None), tickets.c.id % 2 == 0)
            .values(
                status="forwarded",
                agency="vp_ubnd",
                forwarded_at=tickets.c.received_at + _span(minutes=5),
            )
        )
        conn.execute(
            tickets.update()
            .where(tickets.c.resolved_at.is_(None), tickets.c.forwarded_at.is_not(None))
            .values(status="resolved", resolved_at=tickets.c.forwarded_at + _span(hours=3))
        )
        conn.execute(tickets.update().where(tickets.c.id % 7 == 0).values(satisfaction=2))
        conn.execute(tickets.update().where(tickets.c.id % 11 == 0).values(agency="so_xay_dung"))
        conn.execute(
            tickets.update()
            .where(tickets.c.id % 13 == 0)
            .values(received_at=tickets.c.received_at - _span(days=3))
        )
        conn.execute(tickets.update().where(tickets.c.id % 5 == 0).values(status="closed"))
        conn.execute(tickets.delete().where(tickets.c.id % 17 == 0))
    with writer.connect() as conn:
        assert rollup_differences(conn) == 0
    _same_numbers(reader, calendar)


def test_one_row_at_a_time_like_an_intake_system(pg, calendar):
    writer, reader = pg
    for row in _random_tickets(40, seed=4):
        insert_tickets(writer, [row])
    with writer.begin() as conn:
        for ticket_id in range(1, 41, 3):
            conn.execute(
                tickets.update()
                .where(tickets.c.id == ticket_id)
                .values(status="resolved", resolved_at=local("2026-11-30 10:00"))
            )
    with writer.connect() as conn:
        assert rollup_differences(conn) == 0
    _same_numbers(reader, calendar)


def test_boundaries_of_the_operating_day(pg, calendar):
    writer, reader = pg
    insert_tickets(
        writer,
        [
            make_ticket(code="B1", received_at=local("2026-11-18 05:59:59.999")),  # 17 Nov
            make_ticket(code="B2", received_at=local("2026-11-18 06:00")),  # 18 Nov
            make_ticket(code="B3", received_at=local("2026-12-02 05:59:59")),  # 1 Dec
            make_ticket(code="B4", received_at=local("2026-12-02 06:00")),  # 2 Dec
            make_ticket(code="B5", received_at=local("2026-11-17 23:00"), status="resolved",
                        resolved_at=local("2026-11-18 05:59:59")),  # resolved on 17 Nov
        ],
    )  # fmt: skip
    result = _same_numbers(reader, calendar)
    assert result.current.received == 2
    assert (result.daily[0].received, result.daily[-1].received) == (1, 1)
    assert result.previous.received == 2  # B1 and B5
    assert result.previous.resolved == 1


def test_sync_rebuilds_for_another_day_start(pg):
    writer, reader = pg
    insert_tickets(writer, _random_tickets(500, seed=5))
    early = ShiftCalendar.from_spec("Asia/Ho_Chi_Minh", "05:00-13:00,13:00-21:00,21:00-05:00")
    with writer.begin() as conn:
        assert sync_rollups(conn, "Asia/Ho_Chi_Minh", 300)
        assert not sync_rollups(conn, "Asia/Ho_Chi_Minh", 300)  # already there
    with reader.connect() as conn:
        assert rollups_ready(conn, "Asia/Ho_Chi_Minh", 300)
        assert conn.execute(text("SELECT day_start_minutes FROM rollup_state")).scalar() == 300
    with writer.connect() as conn:
        assert rollup_differences(conn) == 0
    _same_numbers(reader, early)
    # and new rows follow the new day start
    insert_tickets(writer, [make_ticket(received_at=local("2026-11-20 05:30"))])
    with writer.connect() as conn:
        assert rollup_differences(conn) == 0


def _estimates(conn):
    names = list(ROLLUP_TABLES)
    query = text("SELECT relname, reltuples FROM pg_class WHERE relname IN :names")
    rows = conn.execute(query.bindparams(bindparam("names", expanding=True)), {"names": names})
    return {name: int(tuples) for name, tuples in rows}


def test_a_rebuild_gives_the_rollups_their_planner_statistics(pg):
    writer, reader = pg
    insert_tickets(writer, _random_tickets(300, seed=7))
    with writer.begin() as conn:
        assert sync_rollups(conn, "Asia/Ho_Chi_Minh", 300)
    with reader.connect() as conn:
        estimated = _estimates(conn)
        counted = {
            name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ROLLUP_TABLES
        }
    # ANALYZE of a small table counts every row; without it the estimate is -1 (unknown).
    assert all(counted.values())
    assert estimated == counted


def test_rollups_filled_without_a_rebuild_get_their_statistics_once(pg):
    writer, reader = pg
    insert_tickets(writer, _random_tickets(300, seed=8))  # the triggers fill the rollups
    with reader.connect() as conn:
        assert set(_estimates(conn).values()) == {-1}  # never analyzed (autovacuum aside)
    with writer.begin() as conn:
        assert not sync_rollups(conn, "Asia/Ho_Chi_Minh", 360)  # ready: no rebuild
    with reader.connect() as conn:
        estimated = _estimates(conn)
        assert all(value > 0 for value in estimated.values())
    with writer.begin() as conn:
        assert analyze_rollups(conn, only_missing=True) == ()  # done already
        assert analyze_rollups(conn, only_missing=False) == ROLLUP_TABLES


def test_a_calendar_the_rollups_were_not_built_for_reads_the_tickets(pg):
    writer, reader = pg
    insert_tickets(writer, _random_tickets(300, seed=6))
    other = ShiftCalendar.from_spec("Asia/Bangkok", "07:00-15:00,15:00-23:00,23:00-07:00")
    with reader.connect() as conn:
        assert not rollups_ready(conn, "Asia/Bangkok", 420)
    _same_numbers(reader, other)


def test_a_writer_without_rights_on_the_rollups_still_keeps_them_exact(pg, pg_url):
    writer, _ = pg
    role = "hotline_intake_test"
    with writer.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role}"))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE ON tickets TO {role}"))
        conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}'))
    try:
        with writer.begin() as conn:
            conn.execute(text(f"SET LOCAL ROLE {role}"))
            conn.execute(tickets.insert(), _random_tickets(50, seed=7))
            conn.execute(tickets.update().where(tickets.c.id % 3 == 0).values(agency="so_y_te"))
        with writer.connect() as conn:
            assert rollup_differences(conn) == 0
        with writer.begin() as conn, pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text(f"SET LOCAL ROLE {role}"))
            conn.execute(text("DELETE FROM rollup_received_daily"))  # it may not touch them itself
    finally:
        with writer.begin() as conn:
            conn.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}'))
            conn.execute(text(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM {role}'))
            conn.execute(text(f'REVOKE ALL ON SCHEMA "{schema}" FROM {role}'))
            conn.execute(text(f"DROP ROLE {role}"))
