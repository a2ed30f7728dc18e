"""Demo history: deterministic, realistic mix, and consistent as the database would be at now."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete

from dashboard.demo import (
    CodeAllocator,
    DemoReference,
    generate_demo_tickets,
    write_demo_history,
)
from dashboard.settings import DEFAULT_REFERENCE_FILE, Settings
from dashboard.shifts import ShiftCalendar
from data_access.codes import OPEN_STATUSES
from data_access.engine import make_engine
from data_access.reference import ReferenceDataError
from data_access.schema import categories
from data_access.writes import count_tickets
from tests.support.db import ZONE, local
from tests.support.demo import assert_consistent, read_all, read_slas

NOW = local("2026-12-01 10:30")


def _write(engine: Engine, settings: Settings, **overrides: Any) -> int:
    options: dict[str, Any] = {"days": 5, "per_day": 200, "seed": 1022, "now": NOW}
    options.update(overrides)
    return write_demo_history(engine, settings, **options)


def test_writes_history_and_skips_when_not_empty(engine, settings):
    written = _write(engine, settings)
    assert written > 600
    with engine.connect() as conn:
        assert count_tickets(conn) == written
    assert _write(engine, settings, only_if_empty=True) == 0
    # Without only_if_empty a second run adds more, its codes continuing after the first's.
    again = _write(engine, settings, days=1, seed=7)
    rows, _ = read_all(engine)
    assert len(rows) == written + again
    assert len({row["code"] for row in rows}) == len(rows)


def test_nothing_to_write(engine, settings):
    assert _write(engine, settings, days=0) == 0
    assert _write(engine, settings, per_day=0) == 0


def test_same_seed_and_now_give_identical_rows(engine, settings, sqlite_url):
    _write(engine, settings, days=4, per_day=200)
    twin = make_engine(sqlite_url)
    try:
        _write(twin, Settings(DATABASE_URL=sqlite_url), days=4, per_day=200)
        first, first_events = read_all(engine)
        second, second_events = read_all(twin)
    finally:
        twin.dispose()
    assert first == second
    assert first_events == second_events

    calendar = ShiftCalendar.from_spec(ZONE, settings.shifts)
    with engine.connect() as conn:
        reference = DemoReference.load(conn, DEFAULT_REFERENCE_FILE, 3)
    other, _ = generate_demo_tickets(reference, calendar, days=4, per_day=200, seed=1, now=NOW)
    assert [row["received_at"] for row in other] != [row["received_at"] for row in first]


def test_nothing_after_now_and_every_ticket_consistent(engine, settings):
    _write(engine, settings)
    rows, events = read_all(engine)
    slas = read_slas(engine)
    assert max(row["received_at"] for row in rows) <= NOW
    assert max(event["at"] for per in events.values() for event in per) <= NOW
    for row in rows:
        assert_consistent(row, events[row["id"]], NOW, slas)
    # History covers the 5 operating days up to now and no earlier.
    calendar = ShiftCalendar.from_spec(ZONE, settings.shifts)
    first_day = calendar.operating_day(NOW) - timedelta(days=4)
    assert min(row["received_at"] for row in rows) >= calendar.window(first_day).start


def test_mix_of_fields_lines_channels_and_urgency(engine, settings):
    _write(engine, settings)
    rows, _ = read_all(engine)
    classified = [row for row in rows if row["category"] is not None]
    by_category = Counter(row["category"] for row in classified)
    assert 0.35 <= by_category["hanh_chinh"] / len(classified) <= 0.50
    infrastructure = sum(
        by_category[code] for code in ("dien", "thoat_nuoc", "cap_nuoc", "cay_xanh", "giao_thong")
    )
    assert 0.12 <= infrastructure / len(classified) <= 0.30
    urgency = Counter(row["urgency"] for row in classified)
    assert urgency[1] > urgency[2] > urgency[3] > urgency[4]
    assert urgency[4] / len(classified) < 0.02
    channels = Counter(row["channel"] for row in rows)
    assert channels.most_common(1)[0][0] == "call"
    assert channels["web"] > channels["email"]
    lines = Counter(row["line"] for row in rows)
    assert lines.most_common(1)[0][0] == "1022" and lines["thanh_uy"] > 0 and lines["ubnd"] > 0
    party = [row for row in classified if row["category"] in ("xay_dung_dang", "tham_nhung")]
    assert party and len(party) / len(classified) < 0.03
    assert Counter(row["line"] for row in party).most_common(1)[0][0] == "thanh_uy"


def test_arrivals_follow_the_local_day(engine, settings):
    _write(engine, settings)
    rows, _ = read_all(engine)
    zone = ZoneInfo(ZONE)
    hours = Counter(row["received_at"].astimezone(zone).hour for row in rows)
    morning = sum(hours[hour] for hour in (8, 9, 10))
    afternoon = sum(hours[hour] for hour in (13, 14, 15))
    night = sum(hours[hour] for hour in (1, 2, 3))
    assert morning > 5 * night and afternoon > 5 * night
    assert hours[12] < hours[10] and hours[12] < hours[14]  # the lunch dip


def test_backlog_at_now_has_overdue_and_awaiting_forward(engine, settings):
    _write(engine, settings)
    rows, _ = read_all(engine)
    open_rows = [row for row in rows if row["status"] in OPEN_STATUSES]
    overdue = [row for row in open_rows if row["due_at"] is not None and row["due_at"] < NOW]
    cutoff = NOW - timedelta(minutes=settings.intake_limit_minutes)
    awaiting = [
        row
        for row in open_rows
        if row["status"] in ("received", "classified") and row["received_at"] < cutoff
    ]
    assert overdue and awaiting
    assert len(overdue) / len(rows) < 0.05
    assert any(row["status"] == "in_progress" for row in rows)
    # Most tickets are handled (a short history leaves a larger share of long SLAs open).
    done = [row for row in rows if row["resolved_at"] is not None]
    assert len(done) / len(rows) > 0.7
    on_time = [row for row in done if row["resolved_at"] <= row["due_at"]]
    assert len(on_time) / len(done) > 0.85
    # Level-1 questions are often answered on the spot (never forwarded).
    assert any(
        row["urgency"] == 1 and row["forwarded_at"] is None and row["resolved_at"] for row in rows
    )


def test_codes_operators_areas_and_personal_data(engine, settings):
    _write(engine, settings)
    rows, _ = read_all(engine)
    zone = ZoneInfo(ZONE)
    pattern = re.compile(r"^(1022|thanh_uy|ubnd)-(\d{6})-(\d{4,})$")
    for row in rows:
        match = pattern.match(row["code"])
        assert match and match[1] == row["line"]
        assert match[2] == row["received_at"].astimezone(zone).strftime("%y%m%d")
    assert len({row["code"] for row in rows}) == len(rows)

    document = json.loads(DEFAULT_REFERENCE_FILE.read_text(encoding="utf-8"))
    shift_of = {op["code"]: op["shift"] for op in document["operators"]}
    area_codes = {area["code"] for area in document["areas"]}
    calendar = ShiftCalendar.from_spec(ZONE, settings.shifts)
    for row in rows[::25]:
        _, shift = calendar.locate(row["received_at"])
        assert shift_of[row["operator"]] == shift
    assert {row["area"] for row in rows} <= area_codes
    assert all(row["citizen_name"] and row["citizen_phone"] and row["content"] for row in rows)
    assert all(row["citizen_email"].endswith("@example.com") for row in rows)


def test_rainy_afternoons_bring_flooding_and_trees():
    document = json.loads(DEFAULT_REFERENCE_FILE.read_text(encoding="utf-8"))
    reference = DemoReference(
        slas={c["code"]: (c["default_agency"], c["sla_hours"]) for c in document["categories"]},
        areas=("phuong_sai_gon",),
        operators={1: {"phone": ("op01",)}},
    )
    calendar = ShiftCalendar.from_spec(ZONE, "06:00-14:00,14:00-22:00,22:00-06:00")
    rows, _ = generate_demo_tickets(reference, calendar, days=14, per_day=200, seed=5, now=NOW)
    zone = ZoneInfo(ZONE)
    storm: Counter[Any] = Counter()
    afternoon: Counter[Any] = Counter()
    for row in rows:
        if row["category"] in ("thoat_nuoc", "cay_xanh"):
            received = row["received_at"].astimezone(zone)
            storm[received.date()] += 1
            afternoon[received.date()] += 14 <= received.hour < 22
    # A rainy day has several times the flooding and tree reports of an ordinary day,
    # most of them in the afternoon and evening.
    ordinary = sorted(storm.values())[len(storm) // 2]
    wettest, count = storm.most_common(1)[0]
    assert count > 2 * ordinary
    assert afternoon[wettest] > 0.6 * count


def test_code_allocator_continues_after_existing_codes():
    codes = CodeAllocator(ZoneInfo(ZONE))
    codes.reserve(["1022-261201-0041", "1022-261201-0007", "1022-T-000001", "ubnd-261130-0002"])
    assert codes.allocate("1022", NOW) == "1022-261201-0042"
    assert codes.allocate("ubnd", NOW) == "ubnd-261201-0001"


def test_without_reference_data_says_to_run_init_db(engine, settings):
    with engine.begin() as conn:
        conn.execute(delete(categories))
    with pytest.raises(ReferenceDataError, match="init-db"):
        _write(engine, settings)
