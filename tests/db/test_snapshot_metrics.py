"""Every metric of SPEC section 4 pinned on hand-built data with a fixed `now`.

Runs on SQLite and on PostgreSQL (the `engine` fixture is parametrised).
"""

from datetime import date

import pytest

from dashboard.shifts import ShiftCalendar
from dashboard.snapshot import compute_snapshot
from data_access.engine import make_engine
from data_access.queries import Filters
from tests.support.db import insert_tickets, local, make_ticket

NOW = local("2026-12-02 07:00")
DEC1 = date(2026, 12, 1)


def _tickets() -> list[dict]:
    t = make_ticket
    return [
        t(code="A", received_at=local("2026-12-01 05:59:59.999"), status="closed",
          forwarded_at=local("2026-12-01 05:59:59.999"), due_at=local("2026-12-01 06:00"),
          resolved_at=local("2026-12-01 06:00"), closed_at=local("2026-12-01 07:00")),
        t(code="B", received_at=local("2026-12-01 06:00"), channel="call", line="1022",
          category="dien", urgency=2, status="forwarded", agency="evn_hcmc",
          forwarded_at=local("2026-12-01 06:10"), due_at=local("2026-12-01 10:10")),
        t(code="C", received_at=local("2026-12-01 13:59:59"), channel="sms", line="thanh_uy",
          category=None, urgency=None, status="received"),
        t(code="D", received_at=local("2026-12-01 14:00"), channel="email", line="ubnd",
          category="hanh_chinh", urgency=1, status="resolved",
          resolved_at=local("2026-12-01 14:30")),
        t(code="E", received_at=local("2026-12-01 21:59:59"), channel="web", line="1022",
          category="giao_thong", urgency=4, status="in_progress", agency="so_gtvt",
          forwarded_at=local("2026-12-01 22:05"), due_at=local("2026-12-02 00:05")),
        t(code="F", received_at=local("2026-12-01 22:00"), channel="call", line="1022",
          category="cay_xanh", urgency=3, status="closed", agency="cay_xanh",
          forwarded_at=local("2026-12-01 22:10"), due_at=local("2026-12-02 00:10"),
          resolved_at=local("2026-12-01 23:00"), closed_at=local("2026-12-02 01:00")),
        t(code="G", received_at=local("2026-12-01 23:59:59"), channel="call", line="ubnd",
          category="xe_buyt", urgency=2, status="resolved", agency="ql_gtcc",
          forwarded_at=local("2026-12-02 00:01"), due_at=local("2026-12-02 05:00"),
          resolved_at=local("2026-12-02 06:30")),
        t(code="H", received_at=local("2026-12-02 00:00"), channel="call", line="1022",
          category="dien", urgency=2, status="classified"),
        t(code="I", received_at=local("2026-12-02 06:00"), channel="web", line="1022",
          category="khac", urgency=1, status="received"),
        t(code="J", received_at=local("2026-12-02 06:50"), channel="call", status="received"),
        t(code="K", received_at=local("2026-11-20 10:00"), status="resolved",
          agency="evn_hcmc", due_at=local("2026-11-25 10:00"),
          resolved_at=local("2026-12-01 13:59:59")),
        t(code="L", received_at=local("2026-11-25 09:00"), urgency=3, status="in_progress",
          agency=None, due_at=local("2026-11-26 07:00")),
        t(code="M", received_at=local("2026-12-01 15:00"), channel="web", line="1022",
          category="la_ma", urgency=2, status="resolved", agency="vp_ubnd",
          due_at=local("2026-12-02 07:30"), resolved_at=local("2026-12-02 06:59")),
    ]  # fmt: skip


@pytest.fixture
def board(engine, database_url, calendar: ShiftCalendar):
    insert_tickets(engine, _tickets())
    reader = make_engine(database_url, readonly=True)

    def snapshot(day: date, shift: int | None, filters: Filters | None = None):
        return compute_snapshot(reader, calendar, calendar.window(day, shift), NOW, filters)

    yield snapshot
    reader.dispose()


def _zeros(keys, **counts):
    return {key: counts.get(key, 0) for key in keys} | counts


CATEGORIES = [
    "hanh_chinh", "dien", "thoat_nuoc", "giao_thong", "cay_xanh", "xe_buyt", "cap_nuoc",
    "moi_truong", "trat_tu_do_thi", "y_te", "an_ninh", "xay_dung_dang", "tham_nhung", "khac",
    "unclassified",
]  # fmt: skip
AGENCIES = [
    "vp_ubnd", "vp_thanh_uy", "noi_chinh", "so_gtvt", "so_xay_dung", "so_tnmt", "so_y_te",
    "cong_an", "evn_hcmc", "chong_ngap", "cay_xanh", "ql_gtcc", "sawaco", "unassigned",
]  # fmt: skip


def test_whole_operating_day(board):
    data = board(DEC1, None).to_json()
    assert data["window"] == {
        "day": "2026-12-01",
        "shift": "all",
        "start": "2026-12-01T06:00:00+07:00",
        "end": "2026-12-02T06:00:00+07:00",
        "timezone": "Asia/Ho_Chi_Minh",
    }
    assert data["received"] == 8
    assert data["forwarded"] == 4
    assert data["resolved_in_window"] == 4
    assert data["on_time_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["by_channel"] == {"call": 4, "sms": 1, "email": 1, "web": 2}
    assert data["by_line"] == {"1022": 5, "thanh_uy": 1, "ubnd": 2}
    assert data["by_category"] == _zeros(
        CATEGORIES, dien=2, unclassified=1, hanh_chinh=1, giao_thong=1, cay_xanh=1, xe_buyt=1,
        la_ma=1,
    )  # fmt: skip
    assert list(data["by_category"])[: len(CATEGORIES)] == CATEGORIES
    assert data["by_urgency"] == {"1": 1, "2": 4, "3": 1, "4": 1, "unclassified": 1}
    assert data["by_status"] == {
        "received": 1, "classified": 1, "forwarded": 1, "in_progress": 1, "resolved": 3,
        "closed": 1,
    }  # fmt: skip
    assert data["by_shift"] == {"1": 2, "2": 3, "3": 3}
    hourly = {item["hour"][11:13]: item["received"] for item in data["hourly"]}
    assert len(data["hourly"]) == 24
    assert data["hourly"][0]["hour"] == "2026-12-01T06:00:00+07:00"
    assert data["hourly"][-1]["hour"] == "2026-12-02T05:00:00+07:00"
    assert {hour: n for hour, n in hourly.items() if n} == {
        "06": 1, "13": 1, "14": 1, "15": 1, "21": 1, "22": 1, "23": 1, "00": 1,
    }  # fmt: skip


def test_now_metrics_do_not_depend_on_the_window(board):
    for day, shift in ((DEC1, None), (DEC1, 3), (date(2026, 1, 1), 2)):
        now = board(day, shift).to_json()["now"]
        assert now == {
            "at": "2026-12-02T07:00:00+07:00",
            "open": 7,
            "open_by_status": {"received": 3, "classified": 1, "forwarded": 1, "in_progress": 2},
            "overdue": 3,
            "overdue_by_agency": _zeros(AGENCIES, evn_hcmc=1, so_gtvt=1, unassigned=1),
            "awaiting_forward": 3,
            "level4_open": 1,
        }


def test_overdue_list_is_most_overdue_first_without_personal_data(board):
    items = board(DEC1, 1).to_json()["overdue_list"]
    assert items == [
        {"code": "L", "category": "dien", "urgency": "3", "agency": "unassigned",
         "due_at": "2026-11-26T07:00:00+07:00", "overdue_minutes": 6 * 24 * 60},
        {"code": "B", "category": "dien", "urgency": "2", "agency": "evn_hcmc",
         "due_at": "2026-12-01T10:10:00+07:00", "overdue_minutes": 20 * 60 + 50},
        {"code": "E", "category": "giao_thong", "urgency": "4", "agency": "so_gtvt",
         "due_at": "2026-12-02T00:05:00+07:00", "overdue_minutes": 6 * 60 + 55},
    ]  # fmt: skip


def test_ca3_window_crosses_midnight(board):
    data = board(DEC1, 3).to_json()
    assert data["window"]["start"] == "2026-12-01T22:00:00+07:00"
    assert data["window"]["end"] == "2026-12-02T06:00:00+07:00"
    assert data["received"] == 3  # 22:00:00, 23:59:59 and 00:00 of the next calendar day
    assert data["resolved_in_window"] == 1  # G was resolved at 06:30, after the window
    assert data["on_time_rate"] == 1.0
    assert [item["received"] for item in data["hourly"]] == [1, 1, 1, 0, 0, 0, 0, 0]
    assert data["by_shift"] == {"1": 2, "2": 3, "3": 3}


def test_shift_boundaries_are_half_open(board):
    ca1 = board(DEC1, 1).to_json()
    ca2 = board(DEC1, 2).to_json()
    assert ca1["received"] == 2  # 06:00:00 and 13:59:59, not 05:59:59.999 nor 14:00:00
    assert ca2["received"] == 3  # 14:00:00, 15:00 and 21:59:59, not 22:00:00
    # A resolved exactly at 06:00:00 (and exactly on its deadline: on time); K late.
    assert ca1["resolved_in_window"] == 2
    assert ca1["on_time_rate"] == 0.5
    previous_day = board(date(2026, 11, 30), None).to_json()
    assert previous_day["received"] == 1
    assert previous_day["by_shift"] == {"1": 0, "2": 0, "3": 1}


def test_resolution_after_the_window_counts_in_the_later_window(board):
    current = board(date(2026, 12, 2), 1).to_json()
    assert current["received"] == 2  # I at 06:00, J at 06:50
    assert current["resolved_in_window"] == 2  # G (late) and M (on time), received on Dec 1
    assert current["on_time_rate"] == 0.5


def test_no_deadline_means_no_on_time_rate(board):
    data = board(DEC1, 2).to_json()
    assert data["resolved_in_window"] == 1  # D, without a due_at
    assert data["on_time_rate"] is None


def test_empty_window_shows_every_key_with_zero(board):
    data = board(date(2025, 6, 1), None).to_json()
    assert data["received"] == 0
    assert data["by_channel"] == {"call": 0, "sms": 0, "email": 0, "web": 0}
    assert data["by_category"] == _zeros(CATEGORIES)
    assert data["by_shift"] == {"1": 0, "2": 0, "3": 0}
    assert all(item["received"] == 0 for item in data["hourly"])


@pytest.mark.parametrize(
    ("filters", "received", "overdue", "open_"),
    [
        (Filters(channels=("call",)), 4, 2, 4),
        (Filters(urgencies=("unclassified",)), 1, 0, 1),
        (Filters(categories=("unclassified", "dien")), 3, 2, 5),
        (Filters(agencies=("unassigned",)), 3, 1, 5),
        (Filters(lines=("thanh_uy", "ubnd")), 3, 0, 1),
        (Filters(urgencies=("4",), channels=("web",)), 1, 1, 1),
    ],
)
def test_filters_apply_to_window_and_now(board, filters, received, overdue, open_):
    data = board(DEC1, None, filters).to_json()
    assert data["received"] == received
    assert data["now"]["overdue"] == overdue
    assert data["now"]["open"] == open_
