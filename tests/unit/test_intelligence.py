"""Pure parts of operations intelligence (issue 13): surges, links, screens, night mode."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dashboard.auth import path_area
from dashboard.intelligence.night import night_on, night_shift_numbers, parse_night
from dashboard.intelligence.repeats import (
    level3_candidates,
    link_reports,
    linked_reports_of,
    links_to,
    rereport_rates,
)
from dashboard.intelligence.screens import (
    MemoryBeats,
    clean_name,
    parse_beat,
    screen_statuses,
    silent_screens,
)
from dashboard.intelligence.surges import (
    detect_surges,
    incident_text,
    incidents_to_json,
    surge_candidates,
    surge_slots,
)
from dashboard.intelligence.values import Incident, ScreenBeat, SurgeRule
from dashboard.store import decode_tagged, encode_tagged
from data_access.intelligence import ReportRow, SlotCount
from layouts.intelligence import incident_lines

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RULE = SurgeRule()
WINDOW = timedelta(days=14)


def _slot(slot: int, count: int, area: str | None = "phuong_thu_duc", cat: str = "thoat_nuoc"):
    return SlotCount(slot, cat, area, count, NOW - timedelta(minutes=20))


# --- surges ----------------------------------------------------------------------------------
def test_slots_are_the_same_half_hour_of_the_four_previous_weeks():
    slots = surge_slots(NOW, ZONE, RULE)
    assert slots[0] == (NOW - timedelta(minutes=30), NOW)
    assert [end for _, end in slots[1:]] == [NOW - timedelta(weeks=w) for w in range(1, 5)]
    assert all(end - start == timedelta(minutes=30) for start, end in slots)


def test_ward_incident_is_preferred_and_the_multiple_is_against_the_baseline():
    counts = [_slot(0, 14), _slot(0, 3, area=None), *(_slot(w, 4) for w in range(1, 5))]
    # City-wide 17 vs baseline 4: passes too, but the ward holds the incident.
    (incident,) = detect_surges(counts, RULE)
    assert (incident.area, incident.count, incident.baseline) == ("phuong_thu_duc", 14, 4.0)
    assert incident.multiple == 4  # 14 / 4 = 3.5, rounded half to even
    assert incident.key == "thoat_nuoc|phuong_thu_duc"


def test_three_times_is_the_edge_and_eight_the_minimum():
    assert detect_surges([_slot(0, 11), *(_slot(w, 4) for w in range(1, 5))], RULE) == ()
    assert len(detect_surges([_slot(0, 12), *(_slot(w, 4) for w in range(1, 5))], RULE)) == 1
    assert detect_surges([_slot(0, 7)], RULE) == ()
    (incident,) = detect_surges([_slot(0, 8)], RULE)
    assert incident.baseline == 0 and incident.multiple == 8  # a baseline below 1 counts as 1


def test_incident_reads_from_across_the_room_in_both_languages():
    incident = Incident("thoat_nuoc", "phuong_thu_duc", 14, 2.8, NOW)
    names = {
        "categories": {"thoat_nuoc": "Ngập nước"},
        "areas": {"phuong_thu_duc": "Phường Thủ Đức"},
    }
    assert (
        incident_text(incident, names, "vi")
        == "Ngập nước · Phường Thủ Đức: 14 phản ánh trong 30 phút, gấp 5 lần bình thường"
    )
    assert incident_text(incident, names, "en") == (
        "Ngập nước · Phường Thủ Đức: 14 reports in 30 minutes, 5x the usual"
    )
    city = Incident("cay_xanh", None, 9, 0.5, NOW)
    assert incident_text(city, {}, "vi").startswith("cay_xanh: 9 phản ánh")
    assert incident_lines(["a", "b", "c"], "vi") == ["a (+2 sự cố khác)"]


def test_snapshot_api_form_and_alert_candidates():
    incident = Incident("thoat_nuoc", None, 9, 1.25, NOW)
    assert incidents_to_json([incident], ZONE) == [
        {
            "category": "thoat_nuoc",
            "area": None,
            "count": 9,
            "baseline": 1.25,
            "since": "2026-12-01T16:00:00+07:00",
        }
    ]
    (candidate,) = surge_candidates([incident])
    assert (candidate.key, candidate.multiple) == ("thoat_nuoc|*", 7)


def test_incidents_travel_through_the_redis_codec():
    from tests.unit.snapshot_factory import snapshot_with

    snapshot = snapshot_with((Incident("thoat_nuoc", "phuong_thu_duc", 14, 2.5, NOW),))
    assert decode_tagged(encode_tagged(snapshot)) == snapshot


# --- repeat links ----------------------------------------------------------------------------
def _row(code, at, ended=None, area="p1", cat="thoat_nuoc", status="received", agency=None):
    return ReportRow(code, cat, area, at, ended, status, 2, agency)


def test_link_window_edges():
    later = _row("L", NOW)
    assert links_to(later, _row("E", NOW - timedelta(days=60)), WINDOW)  # still open
    assert links_to(later, _row("E", NOW - timedelta(days=20), NOW - WINDOW), WINDOW)
    edge = NOW - WINDOW - timedelta(microseconds=1)
    assert not links_to(later, _row("E", NOW - timedelta(days=20), edge), WINDOW)
    assert not links_to(later, _row("E", NOW), WINDOW)  # same instant: not earlier
    assert not links_to(later, _row("E", NOW - timedelta(hours=1), area="p2"), WINDOW)
    assert not links_to(later, _row("E", NOW - timedelta(hours=1), cat="dien"), WINDOW)


def test_candidates_and_drilldown_from_links():
    rows = [_row("A", NOW - timedelta(hours=3)), _row("B", NOW - timedelta(hours=2))]
    rows.append(dataclasses.replace(_row("C", NOW), urgency=3))
    links = link_reports(rows, rows, WINDOW)
    assert [(link.code, link.linked) for link in links] == [("B", ("A",)), ("C", ("A", "B"))]
    assert [link.code for link in level3_candidates(links)] == ["B"]
    assert linked_reports_of(links, "A") == ("B", "C")


def test_rereport_rate_is_after_closure_within_the_window():
    resolved = NOW - timedelta(days=2)
    rows = [
        ("a1", resolved, resolved + WINDOW),  # the edge: counts
        ("a1", resolved, None),  # never reported again
        ("a2", resolved, resolved + WINDOW + timedelta(seconds=1)),
        ("a2", resolved, resolved),  # not after the resolution
    ]
    rates = rereport_rates(rows, WINDOW)
    assert (rates["a1"].ended, rates["a1"].re_reported, rates["a1"].rate) == (2, 1, 0.5)
    assert (rates["a2"].ended, rates["a2"].rate) == (2, 0.0)


# --- screens ---------------------------------------------------------------------------------
def test_beats_from_forged_or_odd_payloads_are_safe():
    assert parse_beat(7, NOW) is None
    assert parse_beat({"screen": "  "}, NOW) is None
    beat = parse_beat(
        {"screen": "<script>x</script>", "page_age_s": -1, "heap_mb": float("nan")}, NOW
    )
    assert beat is not None and beat.name == "script-x-script"
    assert beat.page_age_seconds is None and beat.heap_mb is None
    assert clean_name("x" * 300) == "x" * 64
    beat = parse_beat({"screen": "lobby", "page_age_s": 125, "heap_mb": 41.27}, NOW, "lang=en")
    assert (beat.page_age_seconds, beat.heap_mb, beat.options) == (125, 41.3, "lang=en")


def test_silent_after_the_setting_number_of_intervals():
    def beat(name: str, seconds_ago: int) -> ScreenBeat:
        at = NOW - timedelta(seconds=seconds_ago)
        return ScreenBeat(name, at, at, 1, 1.0, None)

    beats = [beat("a", 30), beat("b", 31), beat("c", 2)]
    assert [b.name for b in silent_screens(beats, NOW, 5, 6)] == ["b"]
    statuses = screen_statuses(beats, NOW, 5, 6)
    assert [(s.beat.name, s.silent) for s in statuses] == [
        ("b", True),
        ("a", False),
        ("c", False),
    ]


def test_memory_beats_keep_first_seen():
    board = MemoryBeats()
    first = ScreenBeat("a", NOW, NOW, 1, None, None)
    board.put(first)
    later = NOW + timedelta(minutes=5)
    board.put(ScreenBeat("a", later, later, 300, None, None))
    (kept,) = board.all()
    assert (kept.first_seen, kept.last_poll) == (NOW, later)


def test_screens_page_is_in_the_supervisors_area():
    assert path_area("/screens") == "shift"


# --- night mode ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "night_shift", "expected"),
    [
        ("auto", True, True),
        ("auto", False, False),
        ("on", False, True),
        ("off", True, False),
        ("ON ", False, True),
        ("bogus", True, True),
        (None, False, False),
    ],
)
def test_night_mode_parameter(value, night_shift, expected):
    assert night_on(parse_night(value), night_shift) is expected


def test_night_shift_setting():
    assert night_shift_numbers("3") == {3}
    assert night_shift_numbers("") == frozenset()
    assert night_shift_numbers("2,3") == {2, 3}


def test_a_failing_query_leaves_the_views_whole(tmp_path):
    from dashboard.intelligence.repeats import agency_rereport_rates, shift_repeats
    from dashboard.shifts import ShiftCalendar
    from data_access.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every query fails
    calendar = ShiftCalendar.from_spec("Asia/Ho_Chi_Minh", "06:00-14:00,14:00-22:00,22:00-06:00")
    try:
        window = calendar.current_window(NOW)
        assert shift_repeats(engine, window, 14) == {"repeat_window_days": 14}
        assert agency_rereport_rates(engine, window.start, window.end, 14) == {}
    finally:
        engine.dispose()
