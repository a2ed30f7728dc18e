"""Repeat reports (SPEC section 11, the seed's level 3), computed from the tickets alone.

A later report L is linked to an earlier report E when both have the same field and the
same ward (neither NULL), E was received before L, and at L's arrival E was still open or
had ended (resolved, else closed) at most ``window`` before: ``ended_at is None or
ended_at >= L.received_at - window``. No state is kept: the links follow from the tickets.

The re-report rate of an agency over a range of days: of its reports that ended (were
resolved) in the range with a known field and ward, the share that got a later report of
the same field and ward within ``window`` after they ended (``ended_at < L.received_at <=
ended_at + window``): a quality figure after closure.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import Engine

from dashboard.formatting import ratio
from dashboard.intelligence.values import RepeatLink
from dashboard.shifts import Window
from data_access.intelligence import (
    ReportRow,
    Span,
    count_reports_in_spans,
    count_rereports,
    list_backlog_reports,
    list_codes_in_spans,
    list_open_reports_below_level,
    list_reports_live_since,
    list_reports_received,
    read_report,
    without_jit,
)

log = logging.getLogger(__name__)

OPEN_STATUSES = ("received", "classified", "forwarded", "in_progress")
MAX_LINKED_CODES = 8


def links_to(later: ReportRow, earlier: ReportRow, window: timedelta) -> bool:
    """Whether ``later`` repeats ``earlier`` (the rule of the module docstring)."""
    if later.code == earlier.code:
        return False
    if (later.category, later.area) != (earlier.category, earlier.area):
        return False
    if not earlier.received_at < later.received_at:
        return False
    return earlier.ended_at is None or earlier.ended_at >= later.received_at - window


def repeat_link(row: ReportRow, linked: tuple[str, ...], count: int) -> RepeatLink:
    """The link of the report ``row`` to ``count`` earlier ones (``linked``: the latest)."""
    return RepeatLink(
        row.code,
        row.category,
        row.area,
        row.received_at,
        row.urgency,
        row.status,
        linked,
        count,
    )


def link_reports(
    later: Iterable[ReportRow], earlier: Iterable[ReportRow], window: timedelta
) -> tuple[RepeatLink, ...]:
    """Each later report with at least one earlier report it repeats (pure).

    Per field and ward, the earlier reports sorted by arrival: every one received within
    ``window`` before a later report links to it (it ended, if at all, after it arrived);
    of the older ones, those still open or ended within the window (few: the backlog).
    """
    recent: dict[tuple[str, str], list[ReportRow]] = defaultdict(list)
    for row in earlier:
        recent[(row.category, row.area)].append(row)
    for rows in recent.values():
        rows.sort(key=lambda e: (e.received_at, e.code))
    times = {pair: [e.received_at for e in rows] for pair, rows in recent.items()}
    result = []
    for row in later:
        pair = (row.category, row.area)
        found = recent.get(pair)
        if not found:
            continue
        rows = found
        arrived = times[pair]
        edge = row.received_at - window
        low = bisect_left(arrived, edge)
        high = bisect_left(arrived, row.received_at)
        older = [e for e in rows[:low] if links_to(row, e, window)]
        # Received within the window before it: linked whatever their state (no scan).
        count = len(older) + (high - low)
        if not count:
            continue
        shown = (older + rows[max(low, high - MAX_LINKED_CODES) : high])[-MAX_LINKED_CODES:]
        result.append(repeat_link(row, tuple(e.code for e in shown), count))
    return tuple(result)


def find_repeats(
    engine: Engine, start: datetime, end: datetime, window: timedelta
) -> tuple[RepeatLink, ...]:
    """The reports received in ``[start, end)`` that repeat an earlier one."""
    with engine.connect() as conn:
        later = list_reports_received(conn, start, end)
        if not later:
            return ()
        earlier = list_reports_live_since(conn, start - window, end)
    return link_reports(later, earlier, window)


def level3_candidates(links: Iterable[RepeatLink]) -> tuple[RepeatLink, ...]:
    """Open repeats not yet at level 3 or 4: the supervisor's candidates for level 3."""
    return tuple(
        link
        for link in links
        if link.status in OPEN_STATUSES and (link.urgency is None or link.urgency < 3)
    )


def find_level3_candidates(
    engine: Engine, start: datetime, end: datetime, window: timedelta
) -> tuple[RepeatLink, ...]:
    """``level3_candidates(find_repeats(...))`` without reading the whole window.

    Only the range's open reports below level 3 are looked at. The reports of their field
    and ward received within ``window`` before each link whatever their state: they are
    counted on the index ``(category, area, received_at)`` (per field and ward, the
    first report's whole window, then for each next one only what its window gained and
    lost), and only the latest few are read. The older ones still open or ended within
    the window (the backlog, slow resolutions) are read once for the whole range.
    """
    with engine.connect() as conn:
        without_jit(conn)
        later = list_open_reports_below_level(conn, start, end, OPEN_STATUSES, 3)
        if not later:
            return ()
        by_pair: dict[tuple[str, str], list[ReportRow]] = defaultdict(list)
        for row in later:
            by_pair[(row.category, row.area)].append(row)
        spans: list[Span] = []
        for (category, area), rows in by_pair.items():
            first = rows[0]
            spans.append((category, area, first.received_at - window, first.received_at))
            for before, row in pairwise(rows):
                spans.append(
                    (category, area, before.received_at - window, row.received_at - window)
                )
                spans.append((category, area, before.received_at, row.received_at))
        counted = iter(count_reports_in_spans(conn, spans, MAX_LINKED_CODES))
        recent: dict[str, int] = {}
        reads: list[Span] = []
        for (category, area), rows in by_pair.items():
            count, kept = next(counted)
            recent[rows[0].code] = count
            since = rows[0].received_at - window if kept is None else kept
            reads.append((category, area, since, rows[-1].received_at))
            for before, row in pairwise(rows):
                lost, gained = next(counted)[0], next(counted)[0]
                recent[row.code] = recent[before.code] - lost + gained
        codes: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
        for category, area, received_at, code in list_codes_in_spans(conn, reads):
            codes[(category, area)].append((received_at, code))
        older: dict[tuple[str, str], list[tuple[datetime, datetime | None, str]]] = {
            pair: [] for pair in by_pair
        }
        for category, area, received_at, ended_at, code in list_backlog_reports(
            conn, start - window, end - window
        ):
            found = older.get((category, area))
            if found is not None:
                found.append((received_at, ended_at, code))
    result = []
    for row in later:
        pair = (row.category, row.area)
        edge = row.received_at - window
        # Received before the window: linked while open or if ended within it (links_to).
        backlog = sorted(
            (received_at, code)
            for received_at, ended_at, code in older[pair]
            if received_at < edge and (ended_at is None or ended_at >= edge)
        )
        count = len(backlog) + recent[row.code]
        if not count:
            continue
        latest = sorted(item for item in codes[pair] if edge <= item[0] < row.received_at)
        shown = (backlog + latest)[-MAX_LINKED_CODES:]
        result.append(repeat_link(row, tuple(code for _, code in shown), count))
    return level3_candidates(result)


def linked_reports_of(links: Iterable[RepeatLink], code: str) -> tuple[str, ...]:
    """The codes linked to one report (as the earlier or the later one), for the drill-down."""
    found: list[str] = []
    for link in links:
        if link.code == code:
            found.extend(link.linked)
        elif code in link.linked:
            found.append(link.code)
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class ReReportRate:
    """An agency's re-report figure over a range: ended reports and those reported again."""

    agency: str | None
    ended: int
    re_reported: int

    @property
    def rate(self) -> float | None:
        """The share re-reported (None when nothing ended)."""
        return ratio(self.re_reported, self.ended)


def rereport_rates(
    resolutions: Iterable[tuple[str | None, datetime, datetime | None]], window: timedelta
) -> dict[str | None, ReReportRate]:
    """Per agency: how many resolved reports got the next report within ``window`` (pure).

    ``resolutions`` are ``(agency, resolved_at, next report of the same field and ward)``.
    """
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for agency, resolved_at, next_at in resolutions:
        entry = counts[agency]
        entry[0] += 1
        if next_at is not None and resolved_at < next_at <= resolved_at + window:
            entry[1] += 1
    return {agency: ReReportRate(agency, n, r) for agency, (n, r) in counts.items()}


def compute_rereport_rates(
    engine: Engine,
    start: datetime,
    end: datetime,
    window: timedelta,
    *,
    timeout_ms: int | None = None,
) -> dict[str | None, ReReportRate]:
    """Re-report figures of the reports resolved in ``[start, end)``, per agency.

    ``timeout_ms`` replaces the statement timeout on PostgreSQL (a background computation).
    """
    with engine.connect() as conn:
        without_jit(conn)
        if timeout_ms is not None and conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        counts = count_rereports(conn, start, end, window)
    return {agency: ReReportRate(agency, n, r) for agency, n, r in counts}


def rates_by_agency_code(
    engine: Engine,
    start: datetime,
    end: datetime,
    window: timedelta,
    *,
    timeout_ms: int | None = None,
) -> dict[str, float | None]:
    """The re-report rate per agency code (``unassigned`` for none), as the overview shows it."""
    rates = compute_rereport_rates(engine, start, end, window, timeout_ms=timeout_ms)
    return {agency or "unassigned": rate.rate for agency, rate in rates.items()}


def agency_rereport_rates(
    engine: Engine, start: datetime, end: datetime, window_days: int
) -> dict[str, float | None]:
    """The overview's re-report rates computed in the request (``{}`` when they fail)."""
    try:
        return rates_by_agency_code(engine, start, end, timedelta(days=window_days))
    except Exception as exc:  # noqa: BLE001 - the overview stays whole (the column blank)
        log.error("re-report rates failed: %s", exc.__class__.__name__)
        return {}


def linked_reports(engine: Engine, code: str, window_days: int, now: datetime) -> tuple[str, ...]:
    """A ticket's linked reports, earlier and later, oldest first (the drill-down)."""
    span = timedelta(days=window_days)
    with engine.connect() as conn:
        report = read_report(conn, code)
        if report is None:
            return ()
        just_after = report.received_at + timedelta(microseconds=1)
        # Only its own field and ward (the index ranges stay; the rows read are few).
        pair = (report.category, report.area)
        earlier = list_reports_live_since(conn, report.received_at - span, just_after, pair)
        until = (report.ended_at or now) + span + timedelta(microseconds=1)
        later = list_reports_received(conn, report.received_at, max(until, just_after), pair)
    found = [e for e in earlier if links_to(report, e, span)]
    found += [r for r in later if links_to(r, report, span)]
    found.sort(key=lambda r: (r.received_at, r.code))
    return tuple(dict.fromkeys(r.code for r in found))


def shift_repeats(engine: Engine, window: Window, window_days: int | None) -> dict[str, Any]:
    """The shift view's repeat fields: level 3 candidates received in the shift's window."""
    if window_days is None:
        return {}
    span = timedelta(days=window_days)
    try:
        candidates = find_level3_candidates(engine, window.start, window.end, span)
    except Exception as exc:  # noqa: BLE001 - the shift view stays whole without them
        log.error("repeat candidates failed: %s", exc.__class__.__name__)
        return {"repeat_window_days": window_days}
    return {"repeat_candidates": candidates, "repeat_window_days": window_days}
