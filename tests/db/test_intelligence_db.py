"""Repeat linking and surge detection on SQLite and PostgreSQL (issue 13)."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

from dashboard.intelligence import rereport_cache
from dashboard.intelligence.repeats import (
    compute_rereport_rates,
    find_level3_candidates,
    find_repeats,
    level3_candidates,
    linked_reports_of,
    rereport_rates,
)
from dashboard.intelligence.rereport_cache import RereportCache
from dashboard.intelligence.surges import SurgeRule, find_surges
from data_access.intelligence import count_rereports, list_next_reports_after_resolution
from tests.support.db import ZONE, insert_tickets, local, make_ticket

WINDOW = timedelta(days=14)
RULE = SurgeRule()
ZONE_INFO = ZoneInfo(ZONE)


def _report(code: str, at: str, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "category": "thoat_nuoc",
        "area": "phuong_thu_duc",
        "received_at": local(at),
    }
    values.update(overrides)
    return make_ticket(code=code, **values)


def _resolved(code: str, at: str, resolved: str, **overrides: object) -> dict[str, object]:
    """A report of ``chong_ngap`` resolved at ``resolved`` (local times)."""
    values: dict[str, object] = {"agency": "chong_ngap", "status": "resolved"}
    values.update(overrides)
    return _report(code, at, resolved_at=local(resolved), **values)


# --- repeats ---------------------------------------------------------------------------------
def test_open_earlier_report_links_whatever_its_age(engine):
    insert_tickets(
        engine,
        [
            _report("E-OPEN", "2026-10-01 09:00", status="forwarded"),
            _report("L-1", "2026-12-01 09:00"),
        ],
    )
    links = find_repeats(engine, local("2026-12-01 06:00"), local("2026-12-01 14:00"), WINDOW)
    assert [(link.code, link.linked) for link in links] == [("L-1", ("E-OPEN",))]


def test_closed_earlier_report_links_up_to_the_window_edge_and_not_beyond(engine):
    edge = local("2026-12-01 09:00") - WINDOW
    insert_tickets(
        engine,
        [
            _report("E-EDGE", "2026-11-10 08:00", status="resolved", resolved_at=edge),
            _report(
                "E-PAST",
                "2026-11-10 08:00",
                status="closed",
                resolved_at=edge - timedelta(seconds=1),
                closed_at=edge,
            ),
            _report("L-1", "2026-12-01 09:00"),
        ],
    )
    links = find_repeats(engine, local("2026-12-01 06:00"), local("2026-12-01 14:00"), WINDOW)
    # Ended exactly `window` before: linked; one second earlier: not.
    assert [(link.code, link.linked) for link in links] == [("L-1", ("E-EDGE",))]


def test_missing_ward_or_null_field_never_links(engine):
    insert_tickets(
        engine,
        [
            _report("E-NOAREA", "2026-12-01 07:00", area=None),
            make_ticket(code="E-NOCAT", received_at=local("2026-12-01 07:10"), category=None),
            _report("L-NOAREA", "2026-12-01 09:00", area=None),
            make_ticket(code="L-NOCAT", received_at=local("2026-12-01 09:10"), category=None),
            _report("OTHER-WARD", "2026-12-01 09:20", area="phuong_ben_thanh"),
            _report("OTHER-FIELD", "2026-12-01 09:30", category="dien"),
        ],
    )
    links = find_repeats(engine, local("2026-12-01 06:00"), local("2026-12-01 14:00"), WINDOW)
    assert links == ()


def test_candidates_are_open_below_level_3_and_drilldown_goes_both_ways(engine):
    insert_tickets(
        engine,
        [
            _report("A", "2026-12-01 07:00"),
            _report("B", "2026-12-01 08:00", urgency=3),
            _report(
                "C", "2026-12-01 09:00", status="resolved", resolved_at=local("2026-12-01 10:00")
            ),
            _report("D", "2026-12-01 11:00", urgency=None),
        ],
    )
    links = find_repeats(engine, local("2026-12-01 06:00"), local("2026-12-01 14:00"), WINDOW)
    assert {link.code: link.linked for link in links} == {
        "B": ("A",),
        "C": ("A", "B"),
        "D": ("A", "B", "C"),
    }
    assert [link.code for link in level3_candidates(links)] == ["D"]
    assert linked_reports_of(links, "B") == ("A", "C", "D")


def test_candidates_read_on_the_index_equal_the_linked_shift(engine):
    rng = random.Random(13)
    start = local("2026-12-01 06:00")
    rows = []
    for i in range(400):
        received = start - timedelta(days=20) + timedelta(minutes=rng.randrange(0, 21 * 24 * 60))
        received += timedelta(seconds=rng.choice([0, 0, 30]))
        status = rng.choice(["received", "forwarded", "in_progress", "resolved", "closed"])
        ended = received + timedelta(hours=rng.choice([1, 30, 200, 400, 700]))
        resolved = ended if status == "resolved" or rng.random() < 0.5 else None
        closed = ended if status == "closed" else None
        if status in ("resolved", "closed") and resolved is None and closed is None:
            closed = ended
        rows.append(
            make_ticket(
                code=f"R-{i:03d}",
                received_at=received,
                category=rng.choice(["thoat_nuoc", "dien", None]),
                area=rng.choice(["phuong_thu_duc", "phuong_ben_thanh", None]),
                urgency=rng.choice([None, 1, 2, 3, 4]),
                status=status,
                resolved_at=resolved if status in ("resolved", "closed") else None,
                closed_at=closed,
            )
        )
    # Many at one instant: the latest linked codes are cut among ties.
    rows += [_report(f"TIE-{i}", "2026-12-01 07:00") for i in range(12)]
    rows += [_report("TIE-LATER", "2026-12-01 08:00", urgency=None)]
    insert_tickets(engine, rows)
    end = local("2026-12-01 14:00")
    expected = level3_candidates(find_repeats(engine, start, end, WINDOW))
    assert expected
    assert find_level3_candidates(engine, start, end, WINDOW) == expected


def test_rereport_rate_counts_later_reports_within_the_window_after_closure(engine):
    insert_tickets(
        engine,
        [
            # Ended 2026-11-20; re-reported 13 days later.
            _resolved("X", "2026-11-19 09:00", "2026-11-20 09:00"),
            _report("X-AGAIN", "2026-12-03 09:00"),
            # Ended 2026-11-21 in another ward; the next report there comes 15 days later.
            _report(
                "Y",
                "2026-11-20 09:00",
                agency="chong_ngap",
                area="phuong_ben_thanh",
                status="resolved",
                resolved_at=local("2026-11-21 09:00"),
            ),
            _report("Y-LATE", "2026-12-06 09:01", area="phuong_ben_thanh"),
        ],
    )
    rates = compute_rereport_rates(
        engine, local("2026-11-15 06:00"), local("2026-11-25 06:00"), WINDOW
    )
    rate = rates["chong_ngap"]
    assert (rate.ended, rate.re_reported, rate.rate) == (2, 1, 0.5)


def test_rereports_counted_in_the_database_match_the_rule_to_the_microsecond(engine):
    """``count_rereports`` (SQL) gives what the pure rule gives on the same resolutions."""
    rng = random.Random(1022)
    base = local("2026-11-10 06:00")
    rows = []
    for i in range(240):
        received = base + timedelta(seconds=rng.randrange(0, 20 * 86400), microseconds=i)
        ended = received + timedelta(hours=rng.randrange(1, 72))
        rows.append(
            _report(
                f"R-{i}",
                "2026-11-10 06:00",
                received_at=received,
                area=rng.choice(["phuong_thu_duc", "phuong_ben_thanh", "phuong_an_khanh"]),
                agency=rng.choice(["chong_ngap", "dien_luc", None]),
                status="resolved",
                resolved_at=ended,
            )
        )
    # The edges: an arrival exactly the window after a resolution counts; 1 µs later not.
    done = local("2026-11-12 10:00:00") + timedelta(microseconds=999_999)
    edge = {"category": "cay_xanh", "area": "phuong_an_khanh"}
    rows += [
        _report(
            "EDGE",
            "2026-11-11 09:00",
            agency="cong_vien",
            status="resolved",
            resolved_at=done,
            **edge,
        ),
        _report("EDGE-AGAIN", "2026-11-11 09:00", received_at=done + WINDOW, **edge),
        _report(
            "PAST",
            "2026-11-11 09:00",
            agency="cong_vien",
            status="resolved",
            resolved_at=done + timedelta(days=1),
            category="cay_xanh",
            area="phuong_thu_duc",
        ),
        _report(
            "PAST-AGAIN",
            "2026-11-11 09:00",
            category="cay_xanh",
            area="phuong_thu_duc",
            received_at=done + timedelta(days=1) + WINDOW + timedelta(microseconds=1),
        ),
    ]
    insert_tickets(engine, rows)
    start, end = local("2026-11-11 06:00"), local("2026-11-25 06:00")
    with engine.connect() as conn:
        resolutions = list_next_reports_after_resolution(conn, start, end, end + WINDOW)
        counted = count_rereports(conn, start, end, WINDOW)
    expected = rereport_rates(resolutions, WINDOW)
    assert {a: (n, r) for a, n, r in counted} == {
        a: (rate.ended, rate.re_reported) for a, rate in expected.items()
    }
    assert dict((a, (n, r)) for a, n, r in counted)["cong_vien"] == (2, 1)
    assert sum(n for _, n, _ in counted) > 100  # the random part took part


def test_the_rereport_cache_fills_the_column_and_keeps_the_last_result(engine):
    insert_tickets(
        engine,
        [
            _resolved("X", "2026-11-19 09:00", "2026-11-20 09:00"),
            _report("X-AGAIN", "2026-11-22 09:00"),
        ],
    )
    start, end = local("2026-11-15 06:00"), local("2026-11-25 06:00")
    cache = RereportCache(engine, 14, wait=10)
    assert cache.rates(start, end) == {"chong_ngap": 1.0}
    # Fresh: the same answer without a query (the tickets changed, the result did not).
    insert_tickets(
        engine,
        [
            _report(
                "Y",
                "2026-11-19 10:00",
                agency="chong_ngap",
                area="phuong_an_khanh",  # never reported again there
                status="resolved",
                resolved_at=local("2026-11-21 09:00"),
            )
        ],
    )
    assert cache.rates(start, end) == {"chong_ngap": 1.0}
    # Stale: computed again.
    cache.ttl = 0
    assert cache.rates(start, end) == {"chong_ngap": 0.5}
    # A computation that outlasts the wait: the last result now, the new one afterwards.
    gate = threading.Event()
    real = rereport_cache.compute_rates

    def slow(*args):
        gate.wait(10)
        return real(*args)

    cache.wait = 0.05
    rereport_cache.compute_rates = slow
    try:
        assert cache.rates(start, end) == {"chong_ngap": 0.5}
        assert cache.rates(local("2026-11-01 06:00"), end) == {}  # a new range: blank
        gate.set()
        cache.wait = 10
        cache.ttl = 60
        assert cache.rates(local("2026-11-01 06:00"), end) == {"chong_ngap": 0.5}
    finally:
        rereport_cache.compute_rates = real


# --- surges ----------------------------------------------------------------------------------
def _quiet_baseline(at: str, per_slot: int, category: str = "thoat_nuoc") -> list[dict]:
    rows = []
    for weeks in range(1, 5):
        for i in range(per_slot):
            rows.append(
                make_ticket(
                    received_at=local(at) - timedelta(weeks=weeks, minutes=3 + i),
                    category=category,
                    area="phuong_thu_duc",
                )
            )
    return rows


def test_burst_over_quiet_baseline_fires_once_and_stops_when_it_passes(engine):
    rows = _quiet_baseline("2026-12-01 16:00", per_slot=1)
    start = local("2026-12-01 15:40")
    rows += [
        make_ticket(
            received_at=start + timedelta(minutes=i), category="thoat_nuoc", area="phuong_thu_duc"
        )
        for i in range(14)
    ]
    # Scattered city-wide rain reports too: the ward is where it is concentrated.
    rows += [
        make_ticket(received_at=start + timedelta(minutes=i), category="thoat_nuoc", area=None)
        for i in range(3)
    ]
    insert_tickets(engine, rows)
    during = [
        find_surges(engine, local(t), ZONE_INFO, RULE)
        for t in ("2026-12-01 15:55", "2026-12-01 16:00")
    ]
    for incidents in during:
        assert len(incidents) == 1
        (incident,) = incidents
        assert (incident.category, incident.area) == ("thoat_nuoc", "phuong_thu_duc")
        assert incident.since == start
    assert during[1][0].count == 14 and during[1][0].baseline == 1.0
    assert during[1][0].multiple == 14
    assert find_surges(engine, local("2026-12-01 16:45"), ZONE_INFO, RULE) == ()


def test_normal_busy_morning_does_not_fire(engine):
    at = "2026-12-01 09:00"
    # Every week the same: 20 flooding reports in this half hour.
    rows = _quiet_baseline(at, per_slot=20)
    rows += [
        make_ticket(
            received_at=local(at) - timedelta(minutes=1 + i),
            category="thoat_nuoc",
            area="phuong_thu_duc",
        )
        for i in range(25)
    ]
    insert_tickets(engine, rows)
    assert find_surges(engine, local(at), ZONE_INFO, RULE) == ()


def test_below_the_minimum_count_does_not_fire_even_from_nothing(engine):
    at = local("2026-12-01 09:00")
    insert_tickets(
        engine,
        [
            make_ticket(received_at=at - timedelta(minutes=i), category="cay_xanh", area=None)
            for i in range(7)
        ],
    )
    assert find_surges(engine, at, ZONE_INFO, RULE) == ()
    insert_tickets(engine, [make_ticket(received_at=at, category="cay_xanh", area=None)])
    (incident,) = find_surges(engine, at, ZONE_INFO, RULE)
    assert (incident.category, incident.area, incident.count) == ("cay_xanh", None, 8)
