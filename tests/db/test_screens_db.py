"""The board's own table of screen heartbeats, and the drill-down's links (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.intelligence.repeats import linked_reports
from dashboard.intelligence.screens import MemoryBeats, ScreenRegistry
from dashboard.intelligence.values import ScreenBeat
from dashboard.settings import Settings
from tests.support.db import insert_tickets, local, make_ticket

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _beat(name: str, at: datetime, age: int = 60) -> ScreenBeat:
    return ScreenBeat(name, at, at, age, 40.5, "lang=vi")


def test_registry_writes_each_screen_at_most_once_a_minute(database_url, engine):
    settings = Settings(DATABASE_URL=database_url, HOTLINE_REFRESH_SECONDS=5)
    registry = ScreenRegistry(settings, MemoryBeats(), engine)
    assert registry.record(_beat("lobby", NOW)) is True
    assert registry.record(_beat("lobby", NOW + timedelta(seconds=30), 90)) is False
    assert registry.record(_beat("lobby", NOW + timedelta(seconds=61), 121)) is True
    # A new process (empty memory) still knows the screen from the table.
    fresh = ScreenRegistry(settings, MemoryBeats(), engine)
    (beat,) = fresh.beats()
    assert (beat.name, beat.first_seen, beat.last_poll) == (
        "lobby",
        NOW,
        NOW + timedelta(seconds=61),
    )
    assert (beat.page_age_seconds, beat.heap_mb, beat.options) == (121, 40.5, "lang=vi")
    (silent,) = fresh.silent(NOW + timedelta(seconds=61 + 31))
    assert silent.name == "lobby"
    assert fresh.silent(NOW + timedelta(seconds=61 + 30)) == ()


def test_drilldown_lists_earlier_and_later_linked_reports(engine):
    def report(code: str, at: str, **values: object) -> dict[str, object]:
        row = {"category": "thoat_nuoc", "area": "phuong_thu_duc"} | values
        return make_ticket(code=code, received_at=local(at), **row)

    insert_tickets(
        engine,
        [
            report(
                "A", "2026-11-20 09:00", status="resolved", resolved_at=local("2026-11-21 09:00")
            ),
            report("B", "2026-11-30 09:00"),
            report("C", "2026-12-01 09:00"),
            report("D", "2026-12-01 10:00", area=None),
        ],
    )
    now = local("2026-12-01 12:00")
    assert linked_reports(engine, "B", 14, now) == ("A", "C")
    assert linked_reports(engine, "A", 14, now) == ("B", "C")
    assert linked_reports(engine, "A", 5, now) == ()
    assert linked_reports(engine, "D", 14, now) == ()
    assert linked_reports(engine, "NOPE", 14, now) == ()
