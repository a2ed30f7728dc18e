"""The leaders' overview pinned on hand-computed data, on SQLite and PostgreSQL.

Range: operating days 30 Nov and 1 Dec 2026 (30 Nov 06:00 to 2 Dec 06:00 local);
previous range: 28 and 29 Nov. ``now`` is 2 Dec 07:00.
"""

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.overview import (
    Drill,
    build_overview,
    compute_overview,
    day_boundaries,
    default_range,
    drill_filters,
    list_drill,
    previous_range,
    read_history,
)
from data_access.engine import make_engine
from data_access.overview import PUBLIC_COLUMNS, bucket_index, iter_received_tickets
from data_access.queries import Filters, ReferenceCodes
from data_access.schema import PERSONAL_COLUMNS, ticket_events, tickets
from tests.support.db import PERSONAL_MARKERS, insert_tickets, local, make_ticket

NOW = local("2026-12-02 07:00")
FIRST, LAST = date(2026, 11, 30), date(2026, 12, 1)


def _tickets() -> list[dict]:
    t = make_ticket
    return [
        # in the range
        t(code="R1", received_at=local("2026-11-30 06:00"), category="dien", urgency=2,
          agency="evn_hcmc", status="closed", forwarded_at=local("2026-11-30 06:10"),
          due_at=local("2026-11-30 10:10"), resolved_at=local("2026-11-30 09:00"),
          closed_at=local("2026-11-30 10:00"), satisfaction=4),
        t(code="R2", received_at=local("2026-11-30 23:00"), category="dien", urgency=3,
          agency="evn_hcmc", status="resolved", forwarded_at=local("2026-11-30 23:30"),
          due_at=local("2026-12-01 03:30"), resolved_at=local("2026-12-01 05:00"),
          satisfaction=2),
        t(code="R3", received_at=local("2026-12-01 05:59:59"), category="hanh_chinh", urgency=1,
          status="resolved", resolved_at=local("2026-12-01 06:05")),
        t(code="R4", received_at=local("2026-12-01 08:00"), category="giao_thong", urgency=4,
          agency="so_gtvt", status="in_progress", forwarded_at=local("2026-12-01 08:05"),
          due_at=local("2026-12-01 10:05")),
        t(code="R5", received_at=local("2026-12-01 09:00"), category="giao_thong", urgency=3,
          agency="so_gtvt", status="forwarded", forwarded_at=local("2026-12-01 09:10"),
          due_at=local("2026-12-03 09:00")),
        t(code="R6", received_at=local("2026-12-02 05:59:59"), category=None, urgency=None,
          status="received", channel="web"),
        t(code="R7", received_at=local("2026-12-01 12:00"), category="xe_buyt", urgency=2,
          agency="ql_gtcc", status="resolved", forwarded_at=local("2026-12-01 12:30"),
          due_at=local("2026-12-02 12:30"), resolved_at=local("2026-12-02 06:30")),
        t(code="R8", received_at=local("2026-12-01 14:00"), category="moi_truong", urgency=2,
          channel="sms", agency="so_la", status="closed", forwarded_at=local("2026-12-01 14:20"),
          due_at=local("2026-12-04 14:20"), resolved_at=local("2026-12-01 20:20"),
          closed_at=local("2026-12-01 21:00"), satisfaction=5),
        # the previous range
        t(code="P1", received_at=local("2026-11-29 10:00"), category="dien", urgency=2,
          agency="evn_hcmc", status="closed", forwarded_at=local("2026-11-29 10:05"),
          due_at=local("2026-11-29 14:05"), resolved_at=local("2026-11-29 11:05"),
          closed_at=local("2026-11-29 12:00"), satisfaction=3),
        t(code="P2", received_at=local("2026-11-28 06:00"), category="hanh_chinh", urgency=1,
          status="received"),
        # before both ranges, resolved inside the range
        t(code="P3", received_at=local("2026-11-28 05:59:59"), category="hanh_chinh", urgency=1,
          agency="vp_ubnd", status="resolved", forwarded_at=local("2026-11-28 06:30"),
          due_at=local("2026-11-29 06:30"), resolved_at=local("2026-11-30 07:00")),
        # open, long overdue, level 3
        t(code="Q1", received_at=local("2026-11-20 10:00"), category="dien", urgency=3,
          agency="evn_hcmc", status="in_progress", forwarded_at=local("2026-11-20 10:30"),
          due_at=local("2026-11-25 10:00")),
        # after the range
        t(code="Q2", received_at=local("2026-12-02 06:00"), status="received"),
    ]  # fmt: skip


@pytest.fixture
def reader(engine, database_url):
    insert_tickets(engine, _tickets())
    reader = make_engine(database_url, readonly=True)
    yield reader
    reader.dispose()


@pytest.fixture
def overview(reader, calendar):
    return compute_overview(reader, calendar, FIRST, LAST, NOW)


def _agency(overview, code):
    return next(row for row in overview.agencies if row.agency == code)


def test_range_totals(overview):
    current = overview.current
    assert (current.first_day, current.last_day, current.days) == (FIRST, LAST, 2)
    assert current.received == 8
    assert current.forwarded == 6
    assert current.resolved == 5  # R1 R2 R3 R8 and P3 (received before the range)
    assert (current.with_due, current.on_time, current.on_time_rate) == (4, 2, 0.5)
    assert (current.rated, current.average_satisfaction) == (3, 3.67)
    # forwarded → resolved: R1 170, R2 330, R8 360, P3 2910 minutes
    assert current.median_handling_minutes == pytest.approx(345)
    assert current.forwarded_rate == 0.75


def test_previous_range_of_the_same_length(overview):
    previous = overview.previous
    assert (previous.first_day, previous.last_day) == (date(2026, 11, 28), date(2026, 11, 29))
    assert (previous.received, previous.forwarded, previous.resolved) == (2, 1, 1)
    assert (previous.on_time_rate, previous.average_satisfaction) == (1.0, 3.0)
    assert previous.median_handling_minutes is None  # computed for the requested range only


def test_now_figures(overview):
    assert overview.open_now == 6  # R4 R5 R6 P2 Q1 Q2
    assert overview.overdue_now == 2  # R4 (level 4) and Q1 (level 3)
    assert overview.overdue_serious_now == 2


def test_daily_trend(overview):
    assert [(p.day, p.received, p.forwarded, p.resolved) for p in overview.daily] == [
        (date(2026, 11, 30), 3, 2, 3),  # resolved: R1, R2 (05:00 on 1 Dec), P3
        (date(2026, 12, 1), 5, 4, 2),  # resolved: R3, R8
    ]


def test_heatmap_field_by_level(overview):
    heat = overview.heatmap
    assert overview.categories[0] == "hanh_chinh"
    assert overview.categories[-1] == "unclassified"
    assert heat["dien"] == {"1": 0, "2": 1, "3": 1, "4": 0, "unclassified": 0}
    assert heat["giao_thong"] == {"1": 0, "2": 0, "3": 1, "4": 1, "unclassified": 0}
    assert heat["unclassified"]["unclassified"] == 1
    assert heat["cay_xanh"] == {"1": 0, "2": 0, "3": 0, "4": 0, "unclassified": 0}
    assert sum(sum(levels.values()) for levels in heat.values()) == 8


def test_agency_accountability_table(overview):
    codes = [row.agency for row in overview.agencies]
    assert codes[:2] == ["vp_ubnd", "vp_thanh_uy"]  # reference order first
    assert codes[-2:] == ["so_la", "unassigned"]  # then unknown codes, then none
    evn = _agency(overview, "evn_hcmc")
    assert (evn.forwarded, evn.resolved, evn.on_time_rate) == (2, 2, 0.5)
    assert (evn.average_satisfaction, evn.median_handling_minutes) == (3.0, 250)
    assert (evn.open_now, evn.overdue_now, evn.overdue_serious) == (1, 1, 1)
    assert evn.overdue_by_level["3"] == 1
    gtvt = _agency(overview, "so_gtvt")
    assert (gtvt.forwarded, gtvt.resolved, gtvt.on_time_rate) == (2, 0, None)
    assert (gtvt.open_now, gtvt.overdue_now, gtvt.overdue_by_level["4"]) == (2, 1, 1)
    assert gtvt.median_handling_minutes is None
    buses = _agency(overview, "ql_gtcc")
    assert (buses.forwarded, buses.resolved, buses.overdue_now) == (1, 0, 0)
    ubnd = _agency(overview, "vp_ubnd")
    assert (ubnd.forwarded, ubnd.resolved, ubnd.on_time_rate) == (0, 1, 0.0)
    assert ubnd.median_handling_minutes == pytest.approx(2910)
    unknown = _agency(overview, "so_la")
    assert (unknown.forwarded, unknown.resolved, unknown.on_time_rate) == (1, 1, 1.0)
    assert (unknown.average_satisfaction, unknown.median_handling_minutes) == (5.0, 360)
    none = _agency(overview, "unassigned")
    assert (none.resolved, none.open_now, none.overdue_now) == (1, 3, 0)
    idle = _agency(overview, "so_y_te")
    assert idle.is_empty and idle.overdue_serious == 0
    flagged = {row.agency for row in overview.agencies if row.overdue_serious}
    assert flagged == {"evn_hcmc", "so_gtvt"}


@pytest.mark.parametrize(
    ("filters", "received", "forwarded", "resolved", "overdue"),
    [
        (Filters(channels=("sms",)), 1, 1, 1, 0),
        (Filters(channels=("web",)), 1, 0, 0, 0),
        (Filters(lines=("ubnd",)), 0, 0, 0, 0),
        (Filters(lines=("1022",)), 8, 6, 5, 2),
        (Filters(categories=("dien",)), 2, 2, 2, 1),
        (Filters(categories=("unclassified",)), 1, 0, 0, 0),
        (Filters(urgencies=("3", "4")), 3, 3, 1, 2),
        (Filters(urgencies=("unclassified",)), 1, 0, 0, 0),
        (Filters(agencies=("so_gtvt",)), 2, 2, 0, 1),
        (Filters(agencies=("unassigned",)), 2, 0, 1, 0),
        (Filters(categories=("dien",), urgencies=("2",)), 1, 1, 1, 0),
    ],
)
def test_every_filter(reader, calendar, filters, received, forwarded, resolved, overdue):
    result = compute_overview(reader, calendar, FIRST, LAST, NOW, filters)
    assert result.filters == filters
    assert (result.current.received, result.current.forwarded) == (received, forwarded)
    assert (result.current.resolved, result.overdue_now) == (resolved, overdue)
    assert sum(point.received for point in result.daily) == received


def test_empty_database_gives_zeros_not_gaps(engine, database_url, calendar):
    reader = make_engine(database_url, readonly=True)
    try:
        result = compute_overview(reader, calendar, FIRST, LAST, NOW)
    finally:
        reader.dispose()
    assert (result.current.received, result.current.on_time_rate) == (0, None)
    assert result.current.median_handling_minutes is None
    assert len(result.agencies) == 13 and all(row.is_empty for row in result.agencies)
    assert [p.received for p in result.daily] == [0, 0]


def test_bad_ranges_are_refused(reader, calendar):
    with pytest.raises(ValueError, match="ends before"):
        compute_overview(reader, calendar, LAST, FIRST, NOW)
    with pytest.raises(ValueError, match="at most"):
        compute_overview(reader, calendar, date(2025, 1, 1), date(2026, 12, 1), NOW)


# --- drill-down -----------------------------------------------------------------------------


def _codes(page):
    return [row.code for row in page.rows]


@pytest.mark.parametrize(
    ("drill", "codes"),
    [
        (Drill("received", FIRST, LAST), ["R6", "R8", "R7", "R5", "R4", "R3", "R2", "R1"]),
        (Drill("received", LAST, LAST), ["R6", "R8", "R7", "R5", "R4"]),
        (Drill("forwarded", FIRST, FIRST), ["R2", "R1"]),
        (Drill("resolved", FIRST, LAST, agency="evn_hcmc"), ["R2", "R1"]),
        (Drill("resolved", FIRST, LAST, agency="unassigned"), ["R3"]),
        (Drill("resolved", FIRST, FIRST), ["R2", "R1", "P3"]),
        (Drill("forwarded", FIRST, LAST, agency="so_gtvt"), ["R5", "R4"]),
        (Drill("overdue_now", FIRST, LAST), ["Q1", "R4"]),
        (Drill("overdue_now", FIRST, LAST, agency="so_gtvt", urgency="4"), ["R4"]),
        (Drill("overdue_now", FIRST, LAST, urgencies=("3", "4")), ["Q1", "R4"]),
        (Drill("overdue_now", FIRST, LAST, agency="evn_hcmc", urgencies=("3", "4")), ["Q1"]),
        (Drill("open_now", FIRST, LAST, agency="unassigned"), ["P2", "R6", "Q2"]),
        (Drill("received", FIRST, LAST, category="giao_thong", urgency="4"), ["R4"]),
        (Drill("received", FIRST, LAST, category="unclassified", urgency="unclassified"), ["R6"]),
    ],
)
def test_drill_down_lists_exactly_the_counted_tickets(reader, calendar, drill, codes):
    page = list_drill(reader, calendar, drill, NOW, page_size=50)
    assert _codes(page) == codes
    assert page.total == len(codes)


def test_drill_totals_match_the_numbers_shown(reader, calendar, overview):
    def total(drill):
        return list_drill(reader, calendar, drill, NOW).total

    assert total(Drill("received", FIRST, LAST)) == overview.current.received
    assert total(Drill("resolved", FIRST, LAST)) == overview.current.resolved
    for row in overview.agencies:
        assert total(Drill("forwarded", FIRST, LAST, agency=row.agency)) == row.forwarded
        assert total(Drill("resolved", FIRST, LAST, agency=row.agency)) == row.resolved
        assert total(Drill("overdue_now", FIRST, LAST, agency=row.agency)) == row.overdue_now
    for point in overview.daily:
        assert total(Drill("received", point.day, point.day)) == point.received
        assert total(Drill("resolved", point.day, point.day)) == point.resolved
    for category, levels in overview.heatmap.items():
        for level, count in levels.items():
            drill = Drill("received", FIRST, LAST, category=category, urgency=level)
            assert total(drill) == count


def test_drill_is_paginated(reader, calendar):
    drill = Drill("received", FIRST, LAST)
    pages = [list_drill(reader, calendar, drill, NOW, page=n, page_size=3) for n in (1, 2, 3)]
    assert [p.pages for p in pages] == [3, 3, 3]
    assert [_codes(p) for p in pages] == [["R6", "R8", "R7"], ["R5", "R4", "R3"], ["R2", "R1"]]
    beyond = list_drill(reader, calendar, drill, NOW, page=9, page_size=3)
    assert (beyond.rows, beyond.total) == ((), 8)


def test_drill_keeps_the_page_filters(reader, calendar):
    filters = Filters(channels=("sms",))
    page = list_drill(reader, calendar, Drill("received", FIRST, LAST), NOW, filters)
    assert _codes(page) == ["R8"]
    outside = Drill("received", FIRST, LAST, agency="evn_hcmc")
    narrowed = list_drill(reader, calendar, outside, NOW, Filters(agencies=("so_gtvt",)))
    assert (narrowed.rows, narrowed.total) == ((), 0)


def test_drill_filters_narrow_or_exclude():
    filters = Filters(agencies=("a", "b"), urgencies=("3",))
    assert drill_filters(filters, Drill("received", FIRST, LAST, agency="b")) == replace(
        filters, agencies=("b",)
    )
    assert drill_filters(filters, Drill("received", FIRST, LAST, agency="c")) is None
    assert drill_filters(filters, Drill("received", FIRST, LAST, urgency="4")) is None
    assert drill_filters(Filters(), Drill("received", FIRST, LAST)) == Filters()
    serious = Drill("overdue_now", FIRST, LAST, urgencies=("3", "4"))
    assert drill_filters(filters, serious) == replace(filters, urgencies=("3",))
    assert drill_filters(Filters(urgencies=("1",)), serious) is None


def test_drill_refuses_unknown_measures(reader, calendar):
    with pytest.raises(ValueError, match="measure"):
        list_drill(reader, calendar, Drill("citizen_name", FIRST, LAST), NOW)


def test_ticket_history_from_events(engine, reader):
    with engine.begin() as conn:
        ticket_id = conn.execute(select(tickets.c.id).where(tickets.c.code == "R1")).scalar_one()
        conn.execute(
            ticket_events.insert(),
            [
                {"ticket_id": ticket_id, "at": local("2026-11-30 06:10"), "status": "forwarded",
                 "actor": "op01", "note": "Chuyển EVN"},
                {"ticket_id": ticket_id, "at": local("2026-11-30 06:00"), "status": "received",
                 "actor": "op01", "note": None},
                {"ticket_id": ticket_id, "at": local("2026-11-30 09:00"), "status": "resolved",
                 "actor": "evn_hcmc", "note": "<script>alert(1)</script>"},
            ],
        )  # fmt: skip
    history = read_history(reader, "R1")
    assert history is not None
    assert history.ticket.code == "R1" and history.ticket.agency == "evn_hcmc"
    assert [e.status for e in history.events] == ["received", "forwarded", "resolved"]
    assert history.events[0].at == local("2026-11-30 06:00")
    assert read_history(reader, "NO-SUCH") is None
    assert not any(value in repr(history) for value in PERSONAL_MARKERS)
    # Notes are free text from intake (they may hold a name or a phone): never read.
    assert "Chuyển EVN" not in repr(history) and "<script>" not in repr(history)


def test_lists_never_carry_personal_data(reader, calendar):
    page = list_drill(reader, calendar, Drill("received", FIRST, LAST), NOW, page_size=50)
    assert page.total == 8
    assert not any(value in repr(page) for value in PERSONAL_MARKERS)
    names = {column.name for column in PUBLIC_COLUMNS}
    assert not names & set(PERSONAL_COLUMNS)


def test_list_queries_select_no_personal_column(calendar):
    window = calendar.range_window(FIRST, LAST)
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        query = select(*PUBLIC_COLUMNS).where(tickets.c.received_at >= window.start)
        sql = str(query.compile(dialect=dialect))
        assert not any(column in sql for column in PERSONAL_COLUMNS)


def test_export_iterator_pages_through_everything_in_order(reader, calendar):
    window = calendar.range_window(FIRST, LAST)
    with reader.connect() as conn:
        rows = list(iter_received_tickets(conn, window.start, window.end, Filters(), batch=3))
    assert [row.code for row in rows] == ["R1", "R2", "R3", "R4", "R5", "R7", "R8", "R6"]


def test_export_iterator_breaks_ties_by_id(engine, database_url, calendar):
    same = local("2026-11-30 10:00")
    insert_tickets(engine, [make_ticket(code=f"S{i:02d}", received_at=same) for i in range(7)])
    reader = make_engine(database_url, readonly=True)
    window = calendar.range_window(FIRST, LAST)
    try:
        with reader.connect() as conn:
            rows = list(iter_received_tickets(conn, window.start, window.end, Filters(), batch=2))
    finally:
        reader.dispose()
    assert [row.code for row in rows] == [f"S{i:02d}" for i in range(7)]


# --- pure parts -----------------------------------------------------------------------------


def test_previous_and_default_ranges(calendar):
    assert previous_range(FIRST, LAST) == (date(2026, 11, 28), date(2026, 11, 29))
    assert previous_range(LAST, LAST) == (FIRST, FIRST)
    assert default_range(calendar, NOW) == (date(2026, 11, 3), date(2026, 12, 2))
    assert default_range(calendar, local("2026-12-02 05:59")) == (
        date(2026, 11, 2),
        date(2026, 12, 1),
    )


def test_day_boundaries_are_local_day_starts(calendar):
    bounds = day_boundaries(calendar, FIRST, LAST)
    assert bounds == [
        local("2026-11-30 06:00"),
        local("2026-12-01 06:00"),
        local("2026-12-02 06:00"),
    ]


def test_bucket_index_is_a_balanced_tree(calendar):
    bounds = day_boundaries(calendar, date(2026, 1, 1), date(2026, 6, 29))  # 180 days
    sql = str(bucket_index(tickets.c.received_at, bounds).compile(dialect=sqlite.dialect()))
    assert sql.count("CASE") == 179
    assert sql.count("CASE WHEN CASE") == 0
    assert sql.count("CASE WHEN") == 179


def test_build_overview_with_no_rows(calendar):
    result = build_overview(
        calendar=calendar,
        first_day=FIRST,
        last_day=LAST,
        now=NOW,
        filters=Filters(),
        reference=ReferenceCodes(categories=("dien",), agencies=("evn_hcmc",)),
        received=(),
        resolved=(),
        medians=None,
        open_cells=(),
    )
    assert [row.agency for row in result.agencies] == ["evn_hcmc"]
    assert list(result.heatmap) == ["dien", "unclassified"]
    assert result.previous.received == 0 and result.current.median_handling_minutes is None
