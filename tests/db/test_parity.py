"""The same generated data gives identical snapshots on SQLite and PostgreSQL."""

import random
from datetime import date, timedelta

import pytest

from dashboard.snapshot import compute_snapshot
from data_access.codes import CHANNELS, LINES, STATUSES
from data_access.engine import make_engine
from data_access.queries import Filters
from tests.support.db import (
    insert_tickets,
    local,
    make_ticket,
    postgres_database,
    prepare_database,
    require_postgres,
)

NOW = local("2026-12-02 07:00")
CATEGORY_CODES = ["hanh_chinh", "dien", "thoat_nuoc", "giao_thong", "cay_xanh", None, "odd"]
AGENCY_CODES = ["vp_ubnd", "evn_hcmc", "so_gtvt", None, "phuong_x"]


def generate(seed: int, count: int) -> list[dict]:
    """Random tickets around 1 Dec 2026, many of them exactly on shift boundaries."""
    rng = random.Random(seed)
    base = local("2026-11-29 06:00")
    rows = []
    for index in range(count):
        if rng.random() < 0.3:
            received = base + timedelta(hours=rng.randrange(0, 80) * 2)  # on hour boundaries
            received -= timedelta(microseconds=rng.choice([0, 0, 1, 1000]))
        else:
            received = base + timedelta(seconds=rng.uniform(0, 3.5 * 86400))
        received = min(received, NOW - timedelta(minutes=1))
        status = rng.choice(STATUSES)
        forwarded = received + timedelta(minutes=rng.randint(1, 90)) if rng.random() < 0.7 else None
        due = received + timedelta(hours=rng.choice([2, 4, 24])) if rng.random() < 0.8 else None
        resolved = None
        if status in ("resolved", "closed"):
            resolved = min(received + timedelta(minutes=rng.randint(0, 3000)), NOW)
            if due is not None and rng.random() < 0.2:
                resolved = due  # exactly on the deadline
        rows.append(
            make_ticket(
                code=f"G{seed}-{index}",
                received_at=received,
                channel=rng.choice(CHANNELS),
                line=rng.choice(LINES),
                category=rng.choice(CATEGORY_CODES),
                urgency=rng.choice([1, 2, 3, 4, None]),
                status=status,
                agency=rng.choice(AGENCY_CODES),
                forwarded_at=forwarded,
                due_at=due,
                resolved_at=resolved,
            )
        )
    return rows


@pytest.fixture
def both_databases(tmp_path):
    require_postgres()
    sqlite_url = f"sqlite:///{tmp_path / 'parity.db'}"
    prepare_database(sqlite_url)
    yield from ((sqlite_url, pg_url) for pg_url in postgres_database())


@pytest.mark.parametrize("seed", [1, 2])
def test_identical_snapshots_on_sqlite_and_postgresql(both_databases, calendar, seed):
    rows = generate(seed, 1500)
    results = []
    for url in both_databases:
        writer = make_engine(url)
        insert_tickets(writer, rows)
        writer.dispose()
        reader = make_engine(url, readonly=True)
        snapshots = []
        for day in (date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)):
            for shift in (None, 1, 2, 3):
                for filters in (
                    Filters(),
                    Filters(categories=("unclassified", "dien")),
                    Filters(agencies=("unassigned",), urgencies=("4", "unclassified")),
                ):
                    window = calendar.window(day, shift)
                    snap = compute_snapshot(reader, calendar, window, NOW, filters)
                    snapshots.append(snap.to_json())
        reader.dispose()
        results.append(snapshots)
    sqlite_results, pg_results = results
    assert sum(item["received"] for item in sqlite_results) > 0
    assert sqlite_results == pg_results
