"""Test databases and ticket factories: shared by the fixtures, the tests and ``bench/``."""

from __future__ import annotations

import itertools
import os
import random
import uuid
from collections.abc import Iterator, Sequence
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
# The personal data every ticket of make_ticket carries: no page, export or message may show it.
PERSONAL_MARKERS = ("Nguyễn Văn Riêng", "0909123456", "rieng@example.vn", "Nội dung riêng tư")
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


def random_ticket(
    rng: random.Random,
    start: datetime,
    days: int,
    categories: Sequence[tuple[str | None, str | None]],
    channels: Sequence[str],
    lines: Sequence[str],
) -> tuple[dict[str, Any], str | None]:
    """A random ticket received within ``days`` from ``start``, of one of ``categories``
    (category, agency) and unclassified when its category is None; with its agency."""
    received = start + timedelta(minutes=rng.randrange(0, days * 24 * 60))
    category, agency = rng.choice(categories)
    row = make_ticket(
        received_at=received,
        channel=rng.choice(channels),
        line=rng.choice(lines),
        category=category,
        urgency=None if category is None else rng.randint(1, 4),
        status="received",
    )
    return row, agency


def overdue_ticket(
    code: str, agency: str, *, forwarded_at: datetime, due_at: datetime, **overrides: Any
) -> dict[str, Any]:
    """A ticket forwarded to ``agency`` at ``forwarded_at``, due at ``due_at`` (the tests of
    the overdue alert put the deadline in the past)."""
    return make_ticket(
        code=code,
        status="forwarded",
        agency=agency,
        forwarded_at=forwarded_at,
        due_at=due_at,
        **overrides,
    )


def insert_tickets(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Insert ticket rows through SQLAlchemy Core."""
    with engine.begin() as conn:
        conn.execute(tickets.insert(), rows)
