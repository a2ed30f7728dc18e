"""Every page and export reads through the service: bounded, failing loudly, names cached."""

import ast
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event

from dashboard import service as service_module
from dashboard.overview import compute_overview
from dashboard.service import ServiceBusy, SnapshotService
from dashboard.settings import Settings
from dashboard.shift_view import compute_shift_view
from dashboard.shifts import utc_now
from data_access.queries import Filters
from tests.support.db import insert_tickets, make_ticket

ROOT = Path(__file__).resolve().parents[2]


def test_pages_and_exports_read_what_the_engine_would(database_url, engine):
    now = utc_now()
    insert_tickets(engine, [make_ticket(received_at=now - timedelta(minutes=3))])
    service = SnapshotService(Settings(DATABASE_URL=database_url))
    try:
        day, shift = service.calendar.locate(now)
        direct = compute_shift_view(service.engine, service.calendar, day, shift, now, Filters())
        view = service.shift_view(day, shift, Filters())
        assert view.snapshot.received == direct.snapshot.received == 1
        overview = service.overview(day, day, Filters())
        expected = compute_overview(service.engine, service.calendar, day, day, now, Filters())
        assert overview.current == expected.current
        rows = list(service.export_rows(day, day, Filters()))
        assert len(rows) == 1
        names, codes = service.reference()
        assert names["categories"].vi and codes.categories
    finally:
        service.engine.dispose()


def test_reference_names_are_not_asked_again_while_the_database_is_down(sqlite_url, tmp_path):
    service = SnapshotService(Settings(DATABASE_URL=sqlite_url, HOTLINE_REFRESH_SECONDS=5))
    service.engine.dispose()
    service.engine = create_engine(f"sqlite:///file:{tmp_path}/gone.db?mode=ro&uri=true")
    attempts = {"n": 0}

    @event.listens_for(service.engine, "do_connect")
    def _count(*_args):
        attempts["n"] += 1

    now = utc_now()
    for _ in range(20):
        names, codes = service.reference(now)
        assert names == {} and codes.categories == ()
    assert attempts["n"] == 1
    service.reference(now + timedelta(seconds=6))  # one more try per refresh interval
    assert attempts["n"] == 2


def test_names_read_on_demand_are_kept_until_the_refresh(sqlite_url):
    service = SnapshotService(Settings(DATABASE_URL=sqlite_url))
    statements = {"n": 0}

    @event.listens_for(service.engine, "before_cursor_execute")
    def _count(*_args):
        statements["n"] += 1

    first = service.reference()
    reads = statements["n"]
    assert reads > 0 and first[0]["agencies"].vi
    for _ in range(10):
        assert service.reference() == first
    assert statements["n"] == reads
    service.engine.dispose()


def test_reads_beyond_the_cap_are_refused_not_queued_forever(sqlite_url, monkeypatch):
    service = SnapshotService(Settings(DATABASE_URL=sqlite_url))
    release = threading.Event()
    entered = threading.Semaphore(0)

    def slow(*_args, **_kwargs):
        entered.release()
        release.wait(10)
        return "read"

    monkeypatch.setattr(service_module, "read_history", slow)
    monkeypatch.setattr(service_module, "REQUEST_WAIT_SECONDS", 0.2)
    threads = [
        threading.Thread(target=service.ticket_history, args=("X",))
        for _ in range(service_module.MAX_CONCURRENT_REQUESTS)
    ]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert entered.acquire(timeout=5)
    with pytest.raises(ServiceBusy):
        service.ticket_history("Y")
    release.set()
    for thread in threads:
        thread.join(5)
    assert service.ticket_history("Z") == "read"
    service.engine.dispose()


def _engine_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "engine":
            found.append(f"{path.name}:{node.lineno}")
        if isinstance(node, ast.ImportFrom) and node.module in ("sqlalchemy", "data_access.engine"):
            found.append(f"{path.name}:{node.lineno} imports {node.module}")
    return found


def test_no_callback_or_route_touches_an_engine():
    routes = [ROOT / "dashboard" / name for name in ("api.py", "export.py", "app.py")]
    files = sorted((ROOT / "callbacks").glob("*.py")) + routes
    assert files and not [use for path in files for use in _engine_uses(path)]
