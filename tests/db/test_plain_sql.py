"""Rows written by another program with plain SQL (no ORM) are counted correctly.

On SQLite the timestamps are UTC text in SQLAlchemy's default form, with and
without a fraction; on PostgreSQL they are timestamptz literals.
"""

from datetime import date

from sqlalchemy import text

from dashboard.snapshot import compute_snapshot
from data_access.engine import make_engine
from tests.support.db import local

NOW = local("2026-12-02 07:00")

# (code, received_at UTC, status, category, urgency, forwarded_at, due_at, resolved_at)
ROWS = [
    ("P1", "2026-11-30 22:59:59.999000", "closed", "dien", 2, None, None, None),  # 05:59:59.999
    ("P2", "2026-11-30 23:00:00", "forwarded", "dien", 2, "2026-11-30 23:05:00",
     "2026-12-01 03:05:00", None),  # 06:00:00 local, no fraction: Ca 1, overdue
    ("P3", "2026-12-01 06:59:59", "received", None, None, None, None, None),  # 13:59:59
    ("P4", "2026-12-01 07:00:00", "resolved", "hanh_chinh", 1, None, None,
     "2026-12-01 07:00:00"),  # 14:00:00 local: Ca 2; resolved exactly at 14:00
    ("P5", "2026-12-01 15:00:00", "classified", "dien", 4, None, None, None),  # 22:00: Ca 3
    ("P6", "2026-12-01 17:00:00.5", "in_progress", "thoat_nuoc", 3, "2026-12-01 17:10:00",
     "2026-12-01 21:10:00", None),  # 00:00:00.5 next calendar day: Ca 3, overdue
]  # fmt: skip


def _insert_plain(url: str) -> None:
    engine = make_engine(url)
    is_sqlite = engine.dialect.name == "sqlite"
    columns = "code, received_at, channel, line, status, category, urgency, forwarded_at, " \
        "due_at, resolved_at, citizen_name, content"  # fmt: skip

    def ts(value: str | None) -> str:
        if value is None:
            return "NULL"
        return f"'{value}'" if is_sqlite else f"TIMESTAMPTZ '{value}+00'"

    with engine.begin() as conn:
        for code, received, status, category, urgency, forwarded, due, resolved in ROWS:
            cat = "NULL" if category is None else f"'{category}'"
            urg = "NULL" if urgency is None else str(urgency)
            conn.exec_driver_sql(
                f"INSERT INTO tickets ({columns}) VALUES ('{code}', {ts(received)}, 'call', "
                f"'1022', '{status}', {cat}, {urg}, {ts(forwarded)}, {ts(due)}, {ts(resolved)}, "
                "'Trần Thị Bí Mật', 'nội dung')"
            )
        if is_sqlite:
            stored = conn.execute(text("SELECT typeof(received_at) FROM tickets")).scalars().all()
            assert set(stored) == {"text"}
    engine.dispose()


def test_plain_sql_rows_are_counted_by_shift_and_day(database_url, calendar):
    _insert_plain(database_url)
    reader = make_engine(database_url, readonly=True)
    day = date(2026, 12, 1)
    whole = compute_snapshot(reader, calendar, calendar.window(day), NOW).to_json()
    assert whole["received"] == 5
    assert whole["by_shift"] == {"1": 2, "2": 1, "3": 2}
    assert whole["by_urgency"] == {"1": 1, "2": 1, "3": 1, "4": 1, "unclassified": 1}
    assert whole["forwarded"] == 2
    ca2 = compute_snapshot(reader, calendar, calendar.window(day, 2), NOW).to_json()
    assert ca2["resolved_in_window"] == 1
    ca1 = compute_snapshot(reader, calendar, calendar.window(day, 1), NOW).to_json()
    assert ca1["received"] == 2
    assert ca1["resolved_in_window"] == 0
    now = whole["now"]
    assert now["open"] == 4
    assert now["overdue"] == 2
    assert now["awaiting_forward"] == 2
    assert now["level4_open"] == 1
    assert [item["code"] for item in whole["overdue_list"]] == ["P2", "P6"]
    assert "Bí Mật" not in str(whole)
    reader.dispose()


def test_deadline_met_to_the_second_whatever_the_text_form(database_url, calendar):
    """resolved_at '... 06:00:00.000000' and due_at '... 06:00:00' are the same instant."""
    engine = make_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    pairs = [  # (resolved_at, due_at) as another program might write them, UTC
        ("2026-12-01 00:00:00.000000", "2026-12-01 00:00:00"),  # equal: on time
        ("2026-12-01 00:00:00", "2026-12-01 00:00:00.000000"),  # equal: on time
        ("2026-12-01 00:00:00.5", "2026-12-01 00:00:00.500000"),  # equal: on time
        ("2026-12-01 00:00:00.000001", "2026-12-01 00:00:00"),  # a microsecond late
    ]
    with engine.begin() as conn:
        for index, (resolved, due) in enumerate(pairs):
            if not sqlite:
                resolved, due = f"{resolved}+00", f"{due}+00"
            conn.exec_driver_sql(
                "INSERT INTO tickets (code, received_at, channel, line, status, resolved_at, "
                f"due_at) VALUES ('Q{index}', '2026-11-30 23:30:00', 'call', '1022', "
                f"'resolved', '{resolved}', '{due}')"
            )
    engine.dispose()
    reader = make_engine(database_url, readonly=True)
    snap = compute_snapshot(reader, calendar, calendar.window(date(2026, 12, 1), 1), NOW)
    reader.dispose()
    assert snap.resolved_in_window == 4
    assert snap.on_time_rate == 0.75
