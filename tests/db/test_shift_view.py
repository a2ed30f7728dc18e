"""The supervisor's shift view pinned on hand-computed data, on SQLite and PostgreSQL.

The shift: Ca 2 (14:00-22:00 local) of operating day 1 Dec 2026.
"""

from datetime import date, timedelta

import pytest

from dashboard.shift_view import (
    build_backlog,
    build_comparison,
    build_operators,
    comparison_windows,
    compute_shift_view,
    shift_state,
)
from data_access.engine import make_engine
from data_access.queries import Filters
from data_access.shift_view import BacklogCell, ShiftTicket, WindowCounts, count_in_windows
from tests.support.db import PERSONAL_MARKERS, insert_tickets, local, make_ticket

DEC1 = date(2026, 12, 1)
AFTER = local("2026-12-01 23:00")  # the shift is over
DURING = local("2026-12-01 18:00")
BEFORE = local("2026-12-01 12:00")


def _tickets() -> list[dict]:
    t = make_ticket
    return [
        # before the shift
        t(code="K1", received_at=local("2026-12-01 10:00"), category="giao_thong", urgency=4,
          agency="so_gtvt", status="in_progress", forwarded_at=local("2026-12-01 10:10"),
          due_at=local("2026-12-01 13:00")),
        t(code="K2", received_at=local("2026-12-01 12:00"), urgency=2, status="resolved",
          due_at=local("2026-12-02 12:00"), resolved_at=local("2026-12-01 15:00")),
        t(code="K3", received_at=local("2026-12-01 13:00"), urgency=1, status="resolved",
          resolved_at=local("2026-12-01 13:30")),
        t(code="K4", received_at=local("2026-11-30 09:00"), urgency=3, status="closed",
          due_at=local("2026-11-30 12:00"), resolved_at=local("2026-12-01 21:59")),
        t(code="K5", received_at=local("2026-12-01 13:59:59"), category=None, urgency=None,
          status="received"),
        # the shift
        t(code="S1", received_at=local("2026-12-01 14:00"), operator="op01", category="dien",
          urgency=2, agency="evn_hcmc", status="forwarded", forwarded_at=local("2026-12-01 14:10"),
          due_at=local("2026-12-01 18:10")),
        t(code="S2", received_at=local("2026-12-01 15:00"), operator="op01",
          category="hanh_chinh", urgency=1, status="resolved",
          resolved_at=local("2026-12-01 15:05")),
        t(code="S3", received_at=local("2026-12-01 16:00"), operator="op02",
          category="giao_thong", urgency=4, agency="so_gtvt", status="in_progress",
          forwarded_at=local("2026-12-01 16:30"), due_at=local("2026-12-02 16:30")),
        t(code="S4", received_at=local("2026-12-01 17:00"), operator="op02", category=None,
          urgency=None, status="received"),
        t(code="S5", received_at=local("2026-12-01 21:00"), operator="op01",
          category="moi_truong", urgency=2, agency="so_tnmt", status="forwarded",
          forwarded_at=local("2026-12-01 22:30")),
        t(code="S6", received_at=local("2026-12-01 21:59:59"), operator=None, channel="web",
          line="ubnd", category="xe_buyt", urgency=2, status="classified"),
        t(code="S7", received_at=local("2026-12-01 18:00"), operator="op02", channel="sms",
          category="dien", urgency=3, agency="evn_hcmc", status="closed",
          forwarded_at=local("2026-12-01 18:20"), due_at=local("2026-12-01 22:20"),
          resolved_at=local("2026-12-01 20:00"), closed_at=local("2026-12-01 21:00")),
        # after the shift
        t(code="A1", received_at=local("2026-12-01 22:00"), status="received"),
        # the same shift on earlier days
        t(code="Y1", received_at=local("2026-11-30 15:00"), status="resolved",
          forwarded_at=local("2026-11-30 15:10"), resolved_at=local("2026-11-30 17:00")),
        t(code="Y2", received_at=local("2026-11-30 16:00"), status="resolved",
          resolved_at=local("2026-11-30 23:00")),
        t(code="W1", received_at=local("2026-11-28 20:00"), status="closed",
          resolved_at=local("2026-11-29 08:00")),
    ]  # fmt: skip


@pytest.fixture
def view(engine, database_url, calendar):
    insert_tickets(engine, _tickets())
    reader = make_engine(database_url, readonly=True)

    def compute(now=AFTER, filters=None, shift=2, day=DEC1):
        return compute_shift_view(reader, calendar, day, shift, now, filters)

    yield compute
    reader.dispose()


def test_counts_of_the_shift(view):
    result = view()
    assert (result.day, result.shift, result.state) == (DEC1, 2, "finished")
    snap = result.snapshot
    assert (snap.received, snap.forwarded, snap.resolved_in_window) == (7, 4, 4)
    assert snap.on_time_rate == pytest.approx(2 / 3, abs=1e-4)  # K2, S7 on time; K4 late
    assert snap.by_urgency == {"1": 1, "2": 3, "3": 1, "4": 1, "unclassified": 1}
    categories = {key: value for key, value in snap.by_category.items() if value}
    assert categories == {
        "dien": 2, "hanh_chinh": 1, "giao_thong": 1, "moi_truong": 1, "xe_buyt": 1,
        "unclassified": 1,
    }  # fmt: skip
    assert snap.by_status == {
        "received": 1, "classified": 1, "forwarded": 2, "in_progress": 1, "resolved": 1,
        "closed": 1,
    }  # fmt: skip
    assert snap.by_channel == {"call": 5, "sms": 1, "email": 0, "web": 1}
    hours = [(h.astimezone(calendar_zone()).hour, n) for h, n in snap.hourly]
    assert hours == [(14, 1), (15, 1), (16, 1), (17, 1), (18, 1), (19, 0), (20, 0), (21, 2)]


def calendar_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")


def test_backlog_taken_over_and_handed_on(view):
    result = view()
    taken = result.backlog_in
    assert taken.at == local("2026-12-01 14:00")
    assert (taken.open, taken.overdue, taken.level4) == (4, 2, 1)  # K1 K2 K4 K5; K1 K4 late
    assert taken.by_urgency == {"1": 0, "2": 1, "3": 1, "4": 1, "unclassified": 1}
    assert taken.overdue_by_urgency == {"1": 0, "2": 0, "3": 1, "4": 1, "unclassified": 0}
    handed = result.backlog_out
    assert handed is not None and handed.at == local("2026-12-01 22:00")
    assert (handed.open, handed.overdue, handed.level4) == (7, 2, 2)  # K1 K5 S1 S3 S4 S5 S6
    assert handed.by_urgency == {"1": 0, "2": 3, "3": 0, "4": 2, "unclassified": 2}


def test_each_operators_work(view):
    result = view()
    rows = {row.operator: row for row in result.operators}
    assert [row.operator for row in result.operators] == ["op01", "op02", "unassigned"]
    op01, op02, none = rows["op01"], rows["op02"], rows["unassigned"]
    assert (op01.received, op01.classified, op01.forwarded, op01.resolved) == (3, 3, 1, 1)
    assert op01.median_forward_minutes == 10  # S5 was forwarded after the shift
    assert (op02.received, op02.classified, op02.forwarded, op02.resolved) == (3, 2, 2, 1)
    assert op02.median_forward_minutes == 25
    assert (none.received, none.forwarded, none.median_forward_minutes) == (1, 0, None)
    total = result.operators_total
    assert (total.received, total.classified, total.forwarded, total.resolved) == (7, 6, 3, 2)
    assert total.median_forward_minutes == 20


def test_comparison_with_yesterday_and_the_week(view):
    comparison = view().comparison
    assert not comparison.partial and comparison.elapsed == timedelta(hours=8)
    assert comparison.current == WindowCounts(7, 4, 4)
    assert comparison.yesterday == WindowCounts(2, 1, 1)  # Y1, Y2; Y1 resolved at 17:00
    assert comparison.days == 7
    assert (comparison.average_received, comparison.average_forwarded) == (0.4, 0.1)
    assert comparison.average_resolved == 0.1


def test_a_running_shift_is_compared_up_to_the_same_time(view):
    result = view(now=DURING)
    assert result.state == "in_progress"
    comparison = result.comparison
    assert comparison.partial and comparison.elapsed == timedelta(hours=4)
    assert comparison.current == WindowCounts(4, 2, 2)  # S1-S4; K2 and S2 resolved
    assert comparison.yesterday == WindowCounts(2, 1, 1)
    assert comparison.average_received == 0.3  # W1 came at 20:00, after the same time
    handed = result.backlog_out
    assert handed is not None and handed.at == DURING
    assert (handed.open, handed.overdue) == (6, 2)  # K1 K4 K5 S1 S3 S4


def test_a_shift_not_started_has_no_hand_over_yet(view):
    result = view(now=BEFORE)
    assert result.state == "not_started"
    assert result.backlog_out is None
    assert not result.comparison.partial
    assert result.comparison.yesterday == WindowCounts(2, 1, 1)


@pytest.mark.parametrize(
    ("filters", "received", "backlog_in", "backlog_out"),
    [
        (Filters(channels=("sms",)), 1, 0, 0),
        (Filters(channels=("web",)), 1, 0, 1),
        (Filters(lines=("ubnd",)), 1, 0, 1),
        (Filters(categories=("dien",)), 2, 2, 1),  # make_ticket's default field: dien
        (Filters(categories=("unclassified",)), 1, 1, 2),
        (Filters(urgencies=("4",)), 1, 1, 2),
        (Filters(urgencies=("unclassified",)), 1, 1, 2),
        (Filters(agencies=("so_gtvt",)), 1, 1, 2),
        (Filters(agencies=("unassigned",)), 3, 3, 3),
    ],
)
def test_every_filter(view, filters, received, backlog_in, backlog_out):
    result = view(filters=filters)
    assert result.filters == filters
    assert result.snapshot.received == received
    assert result.backlog_in.open == backlog_in
    assert result.backlog_out.open == backlog_out
    assert result.operators_total.received == received


def test_other_shifts_of_the_day(view):
    morning = view(shift=1)
    assert morning.snapshot.received == 4  # K1 K2 K3 and K5 at 13:59:59
    night = view(shift=3, now=local("2026-12-02 07:00"))
    assert night.snapshot.received == 1  # A1 at 22:00 belongs to Ca 3


def test_no_personal_data(view):
    assert not any(value in repr(view()) for value in PERSONAL_MARKERS)


# --- pure parts -----------------------------------------------------------------------------


def test_shift_state_is_half_open(calendar):
    window = calendar.window(DEC1, 2)
    assert shift_state(window, local("2026-12-01 13:59:59")) == "not_started"
    assert shift_state(window, local("2026-12-01 14:00")) == "in_progress"
    assert shift_state(window, local("2026-12-01 22:00")) == "finished"


def test_comparison_windows(calendar):
    window = calendar.window(DEC1, 3)
    elapsed, windows = comparison_windows(calendar, window, local("2026-12-02 01:30"))
    assert elapsed == timedelta(hours=3, minutes=30)
    assert windows[0] == (local("2026-12-01 22:00"), local("2026-12-02 01:30"))
    assert windows[1] == (local("2026-11-30 22:00"), local("2026-12-01 01:30"))
    assert len(windows) == 8


def test_build_backlog_and_operators():
    backlog = build_backlog(
        local("2026-12-01 14:00"), [BacklogCell(4, 2, 1), BacklogCell(None, 1, 0)]
    )
    assert (backlog.open, backlog.overdue, backlog.level4) == (3, 1, 2)
    tickets = [
        ShiftTicket("a", True, local("2026-12-01 14:00"), local("2026-12-01 14:07"), None),
        ShiftTicket("a", True, local("2026-12-01 14:00"), local("2026-12-01 14:10"), None),
        ShiftTicket("b", False, local("2026-12-01 14:00"), None, None),
        ShiftTicket("b", False, local("2026-12-01 14:00"), None, None),
        ShiftTicket("b", False, local("2026-12-01 14:00"), None, None),
    ]
    rows, total = build_operators(tickets, local("2026-12-01 22:00"))
    assert [row.operator for row in rows] == ["b", "a"]
    assert rows[1].median_forward_minutes == 8.5
    assert (total.received, total.forwarded) == (5, 2)


def test_build_comparison_without_history():
    result = build_comparison(timedelta(hours=8), timedelta(hours=8), [WindowCounts(3, 2, 1)])
    assert result.yesterday == WindowCounts() and result.average_received == 0.0


def test_count_in_windows_refuses_overlaps(engine):
    with engine.connect() as conn, pytest.raises(ValueError, match="overlap"):
        count_in_windows(
            conn,
            [(local("2026-12-01 06:00"), local("2026-12-01 14:00")),
             (local("2026-12-01 10:00"), local("2026-12-01 18:00"))],
            Filters(),
        )  # fmt: skip
