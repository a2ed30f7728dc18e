"""The live simulator: ticks add tickets and move them along, and never raise."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from dashboard.demo import write_demo_history
from dashboard.settings import DEFAULT_REFERENCE_FILE, Settings
from dashboard.simulator import Simulator, draw_poisson
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.reference import load_reference_data, read_reference_file
from data_access.schema import ticket_events, tickets
from data_access.writes import (
    EventDraft,
    advance_ticket,
    count_tickets,
    insert_tickets,
    select_tickets_in_status,
)
from tests.support.db import local, make_ticket
from tests.support.demo import assert_consistent, read_all, read_slas

NOW = local("2026-12-01 10:30")


def _simulator(engine: Engine, settings: Settings, per_hour: int = 600) -> Simulator:
    busy = settings.model_copy(update={"simulate_per_hour": per_hour})
    return Simulator(engine, busy, seed=42)


def test_tick_adds_tickets_and_advances_statuses(engine, settings):
    write_demo_history(engine, settings, days=2, per_day=150, seed=3, now=NOW)
    with engine.connect() as conn:
        before = count_tickets(conn)
    simulator = _simulator(engine, settings)
    first = simulator.tick(NOW)
    later = NOW + timedelta(minutes=10)
    second = simulator.tick(later)
    assert first["ok"] and second["ok"]
    assert second["inserted"] > 0 and sum(second["advanced"].values()) > 0

    rows, events = read_all(engine)
    assert len(rows) == before + first["inserted"] + second["inserted"]
    slas = read_slas(engine)
    for row in rows:
        assert_consistent(row, events[row["id"]], later, slas)
    changed = {event["status"] for per in events.values() for event in per if event["at"] == later}
    assert changed - {"received"}, "no status change recorded at the tick"
    new = [row for row in rows if row["received_at"] > NOW]
    assert new and all(row["received_at"] <= later for row in new)
    assert len({row["code"] for row in rows}) == len(rows)


def test_ticks_move_new_tickets_to_the_end(engine, settings):
    simulator = _simulator(engine, settings, per_hour=60)
    simulator.tick(NOW)
    now = NOW
    for _ in range(16):
        now += timedelta(minutes=15)
        assert simulator.tick(now)["ok"]
    rows, events = read_all(engine)
    statuses = {row["status"] for row in rows}
    assert {"received", "closed"} <= statuses or {"classified", "closed"} <= statuses
    slas = read_slas(engine)
    for row in rows:
        assert_consistent(row, events[row["id"]], now, slas)


def test_rate_follows_the_setting_and_the_day(sqlite_url):
    settings = Settings(DATABASE_URL=sqlite_url, HOTLINE_SIMULATE_PER_HOUR=1000)
    engine = make_engine(sqlite_url)
    try:
        simulator = Simulator(engine, settings, seed=1)
        simulator.tick(NOW)
        peak = simulator.tick(NOW + timedelta(minutes=6))["inserted"]
        night = local("2026-12-02 02:30")
        simulator.tick(night)
        quiet = simulator.tick(night + timedelta(minutes=6))["inserted"]
    finally:
        engine.dispose()
    # 1000/h over 6 min is 100 on average; 10:30 is busy, 02:30 quiet.
    assert peak > 120 and quiet < 50 and peak > 5 * quiet


def test_tick_on_a_broken_database_does_not_raise(tmp_path: Path):
    unreachable = Simulator.from_settings(
        Settings(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"), seed=1
    )
    result = unreachable.tick(NOW)
    assert result["ok"] is False and result["error"]
    unreachable.close()

    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    broken = Simulator.from_settings(Settings(DATABASE_URL=f"sqlite:///{garbage}"), seed=1)
    assert broken.tick(NOW)["ok"] is False
    broken.close()


def test_recovers_when_the_schema_appears(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'late.db'}"
    simulator = Simulator.from_settings(
        Settings(DATABASE_URL=url, HOTLINE_SIMULATE_PER_HOUR=3600), seed=2
    )
    try:
        assert simulator.tick(NOW)["ok"] is False  # no tables yet
        upgrade_to_head(simulator.engine)
        with simulator.engine.begin() as conn:
            load_reference_data(conn, read_reference_file(DEFAULT_REFERENCE_FILE))
        result = simulator.tick(NOW + timedelta(minutes=5))
        assert result["ok"] and result["inserted"] > 0
        with simulator.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(ticket_events)).scalar() > 0
    finally:
        simulator.close()


def test_run_forever_with_max_ticks_returns(sqlite_url):
    simulator = Simulator.from_settings(
        Settings(DATABASE_URL=sqlite_url, HOTLINE_SIMULATE_PER_HOUR=100_000), seed=4
    )
    simulator.tick_seconds = 0.01
    simulator.run_forever(max_ticks=3)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(tickets)).scalar() >= 0
    finally:
        engine.dispose()


def test_draw_poisson_has_the_right_mean():
    rng = random.Random(0)
    for mean in (0.05, 3.0, 200.0):
        draws = [draw_poisson(rng, mean) for _ in range(4000)]
        assert abs(sum(draws) / len(draws) - mean) < max(0.05, mean * 0.05)
    assert draw_poisson(rng, 0) == 0


# --- the write helpers the simulator stands on ------------------------------------------


def test_insert_tickets_returns_ids_in_order_and_keeps_odd_text(engine):
    hostile = "tab\there\nnew line\\N back\\slash\r\n<script>alert(1)</script> ' OR 1=1; --"
    rows = [
        make_ticket(code=f"1022-261201-{n:04d}", content=hostile if n == 2 else None)
        for n in range(1, 4)
    ]
    events = [[EventDraft(row["received_at"], "received", "op01", "Tiếp nhận")] for row in rows]
    with engine.begin() as conn:
        ids = insert_tickets(conn, rows, events)
        assert insert_tickets(conn, []) == []
    with engine.connect() as conn:
        stored = dict(conn.execute(select(tickets.c.code, tickets.c.id)).all())
        content = conn.execute(select(tickets.c.content).where(tickets.c.id == ids[1])).scalar()
        received = conn.execute(
            select(tickets.c.received_at).where(tickets.c.id == ids[0])
        ).scalar()
        event_count = conn.execute(select(func.count()).select_from(ticket_events)).scalar()
    assert ids == [stored[row["code"]] for row in rows]
    assert content == hostile
    assert received == rows[0]["received_at"]
    assert event_count == 3


def test_advance_ticket_applies_once(engine):
    with engine.begin() as conn:
        (ticket_id,) = insert_tickets(conn, [make_ticket(code="1022-261201-0001")])
    at = NOW + timedelta(minutes=2)
    with engine.begin() as conn:
        first = advance_ticket(
            conn,
            ticket_id,
            from_status="received",
            to_status="classified",
            at=at,
            values={"category": "dien", "urgency": 2},
            actor="op01",
        )
        again = advance_ticket(
            conn, ticket_id, from_status="received", to_status="classified", at=at
        )
        (state,) = select_tickets_in_status(conn, "classified")
    assert first and not again
    assert state.id == ticket_id and state.category == "dien" and state.urgency == 2
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ticket_events)).scalar() == 1
