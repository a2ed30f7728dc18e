"""Shared fixtures: one temporary database per test, SQLite and (when set) PostgreSQL."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from dashboard.settings import DEFAULT_REFERENCE_FILE, Settings
from dashboard.shifts import ShiftCalendar
from data_access.engine import make_engine, normalise_url
from data_access.migrate import upgrade_to_head
from data_access.reference import load_reference_data, read_reference_file
from data_access.schema import tickets

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("TEST_DATABASE_URL")
ZONE = "Asia/Ho_Chi_Minh"


def _require_postgres() -> str:
    if PG_URL:
        return PG_URL
    message = (
        "PostgreSQL tests need TEST_DATABASE_URL, e.g. "
        "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test"
    )
    if IN_CI:
        pytest.fail(message + " (required in CI)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's board settings (a REDIS_URL, a users file...)."""
    for name in list(os.environ):
        if name.startswith("HOTLINE_") or name in ("DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database with reference data: an SQLite file or a PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tickets.db'}"
        _prepare(url)
        yield url
        return
    yield from _postgres_database()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database only (a schema of TEST_DATABASE_URL)."""
    yield from _postgres_database()


def _postgres_database() -> Iterator[str]:
    base = _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        _prepare(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database only (for tests that need no PostgreSQL twin)."""
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    _prepare(url)
    return url


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every test must run: a skipped PostgreSQL or browser test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line(
            f"CI: {len(reporter.stats['skipped'])} test(s) skipped; in CI nothing may skip",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _prepare(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        with engine.begin() as conn:
            load_reference_data(conn, read_reference_file(DEFAULT_REFERENCE_FILE))
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A writer engine on the test database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings pointing at the test database, with no live feed."""
    return Settings(DATABASE_URL=database_url, HOTLINE_SIMULATE=False, HOTLINE_REFRESH_SECONDS=1)


@pytest.fixture
def calendar() -> ShiftCalendar:
    """The default calendar: Ca 1 06-14, Ca 2 14-22, Ca 3 22-06, Asia/Ho_Chi_Minh."""
    return ShiftCalendar.from_spec(ZONE, "06:00-14:00,14:00-22:00,22:00-06:00")


_codes = itertools.count(1)


def local(text_value: str) -> datetime:
    """A local (Asia/Ho_Chi_Minh, +07:00) wall time 'YYYY-MM-DD HH:MM[:SS[.ffffff]]' as UTC."""
    return (datetime.fromisoformat(text_value) - timedelta(hours=7)).replace(tzinfo=UTC)


def make_ticket(**overrides: Any) -> dict[str, Any]:
    """A ticket row with sensible defaults; override any column."""
    number = next(_codes)
    row: dict[str, Any] = {
        "code": f"1022-T-{number:06d}",
        "received_at": local("2026-12-01 09:00"),
        "channel": "call",
        "line": "1022",
        "category": "dien",
        "urgency": 2,
        "status": "received",
        "agency": None,
        "operator": "op01",
        "area": "phuong_ben_thanh",
        "forwarded_at": None,
        "due_at": None,
        "resolved_at": None,
        "closed_at": None,
        "satisfaction": None,
        "citizen_name": "Nguyễn Văn Riêng",
        "citizen_phone": "0909123456",
        "citizen_email": "rieng@example.vn",
        "content": "Nội dung riêng tư của công dân",
    }
    row.update(overrides)
    return row


def insert_tickets(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Insert ticket rows through SQLAlchemy Core."""
    with engine.begin() as conn:
        conn.execute(tickets.insert(), rows)
