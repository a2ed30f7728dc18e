"""What the scheduled refresh computes for the wall: watched windows, comparison, names."""

from datetime import date, timedelta

from sqlalchemy import create_engine, event

from dashboard import service as service_module
from data_access.engine import make_engine
from tests.support.db import insert_tickets
from tests.support.wall import NOW, make_service, wall_tickets


def _service(url):
    writer = make_engine(url)
    insert_tickets(writer, wall_tickets())
    writer.dispose()
    return make_service(url)


def _count_statements(engine):
    counter = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        counter["n"] += 1

    return counter


def test_refresh_also_computes_comparison_and_names(sqlite_url):
    service = _service(sqlite_url)
    assert service.comparison(date(2026, 12, 1)) is None and service.names() == {}
    assert service.refresh(now=NOW)
    comparison = service.comparison(date(2026, 12, 1))
    assert comparison is not None and comparison.previous.total == 6
    assert service.names()["categories"].vi["dien"] == "Sự cố điện"
    assert service.names()["agencies"].en["sawaco"] == "Saigon Water Corporation"


def test_a_fixed_window_is_computed_by_the_refresh_never_by_the_screen(sqlite_url):
    service = _service(sqlite_url)
    service.refresh(now=NOW)
    statements = _count_statements(service.engine)
    window = service.calendar.window(date(2026, 11, 30), 2)
    assert service.watch(window, NOW) is None  # asked: computed by the next refresh
    assert service.watch(window, NOW) is None
    assert statements["n"] == 0
    service.refresh(now=NOW + timedelta(seconds=5))
    snapshot = service.watch(window, NOW + timedelta(seconds=6))
    assert snapshot is not None and snapshot.window == window and snapshot.received == 1
    # The live windows are not computed twice when a screen pins one of them.
    live = service.live("shift").window
    assert service.watch(live, NOW) is service.live("shift")


def test_watched_windows_are_forgotten_and_bounded(sqlite_url):
    service = _service(sqlite_url)
    for offset in range(service_module.MAX_WATCHED_WINDOWS + 3):
        service.watch(service.calendar.window(date(2026, 11, 1) + timedelta(days=offset)), NOW)
    assert len(service.watched_windows(NOW)) == service_module.MAX_WATCHED_WINDOWS
    later = NOW + service.watch_ttl() + timedelta(seconds=1)
    assert service.watched_windows(later) == []


def test_a_failing_database_keeps_the_last_good_numbers(sqlite_url, tmp_path):
    service = _service(sqlite_url)
    assert service.refresh(now=NOW)
    good = service.live("day")
    comparison = service.comparison(date(2026, 12, 1))
    working = service.engine
    service.engine = create_engine(f"sqlite:///file:{tmp_path}/gone.db?mode=ro&uri=true")
    assert not service.refresh(now=NOW + timedelta(seconds=5))
    assert service.live("day") is good
    assert service.comparison(date(2026, 12, 1)) is comparison
    assert service.state.failing_since == NOW + timedelta(seconds=5)
    assert service.is_stale(NOW + timedelta(seconds=6))
    service.engine = working
    assert service.refresh(now=NOW + timedelta(seconds=10))
    assert service.state.failing_since is None
    assert not service.is_stale(NOW + timedelta(seconds=11))
