"""Shared fixtures: one temporary database per test, SQLite and (when set) PostgreSQL.

The helpers themselves live in ``tests.support`` (``bench/`` uses them too): tests import
them from there, never from a conftest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard.settings import Settings
from dashboard.shifts import ShiftCalendar
from data_access.engine import make_engine
from tests.support.db import IN_CI, ZONE, postgres_database, sqlite_database


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
        yield sqlite_database(tmp_path)
        return
    yield from postgres_database()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database only (a schema of TEST_DATABASE_URL)."""
    yield from postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database only (for tests that need no PostgreSQL twin)."""
    return sqlite_database(tmp_path)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every test must run: a skipped PostgreSQL or browser test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line(
            f"CI: {len(reporter.stats['skipped'])} test(s) skipped; in CI nothing may skip",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
