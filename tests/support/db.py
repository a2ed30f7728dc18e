"""Test databases and ticket factories: shared by the fixtures, the tests and ``bench/``."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from dashboard.settings import DEFAULT_REFERENCE_FILE
from data_access.engine import make_engine, normalise_url
from data_access.migrate import upgrade_to_head
from data_access.reference import load_reference_data, read_reference_file
from data_access.schema import tickets
from data_access.values import Filters

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("TEST_DATABASE_URL")
ZONE = "Asia/Ho_Chi_Minh"
# Filters that cover every dimension, the codes of what is missing and a combination: the
# cases where the rollups must give the numbers of the raw tickets.
FILTER_CASES = (
    Filters(channels=("sms", "web")),
    Filters(lines=("ubnd",)),
    Filters(categories=("dien", "unclassified")),
    Filters(urgencies=("4", "unclassified")),
    Filters(agencies=("so_gtvt", "unassigned")),
    Filters(channels=("call",), urgencies=("1", "2"), agencies=("evn_hcmc",)),
)


def require_postgres() -> str:
    """TEST_DATABASE_URL, or skip the test (fail it in CI)."""
    if PG_URL:
        return PG_URL
    message = (
        "PostgreSQL tests need TEST_DATABASE_URL, e.g. "
        "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test"
    )
    if IN_CI:
        pytest.fail(message + " (required in CI)")
    pytest.skip(message)


def prepare_database(url: str, *, statement_timeout_ms: int = 5000) -> None:
    """Migrate a database to head and load the reference data."""
    engine = make_engine(url, statement_timeout_ms=statement_timeout_ms)
    try:
        upgrade_to_head(engine)
        with engine.begin() as conn:
            load_reference_data(conn, read_reference_file(DEFAULT_REFERENCE_FILE))
    finally:
        engine.dispose()


def sqlite_database(directory: Any) -> str:
    """A fresh, prepared SQLite file in ``directory``."""
    url = f"sqlite:///{directory / 'tickets.db'}"
    prepare_database(url)
    return url


def postgres_database() -> Iterator[str]:
    """A fresh, prepared schema of TEST_DATABASE_URL, dropped afterwards."""
    base = require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        prepare_database(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
