"""The supervisor's view of one shift: its counts, backlogs, operators and comparisons.

``compute_shift_view`` is the snapshot of the shift's window (the same numbers
as the wall and the API) plus what a hand-over needs: the backlog taken over at
the shift's start and handed on at its end (or now, while it runs), each
operator's work, and the same shift yesterday and over the previous 7 days.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Unpack

from sqlalchemy import Engine

from dashboard.intelligence.repeats import shift_repeats
from dashboard.intelligence.values import RepeatLink
from dashboard.shifts import ShiftCalendar, Window
from dashboard.snapshot import Snapshot, SnapshotLimits, compute_snapshot
from data_access.codes import UNASSIGNED, UNCLASSIFIED, URGENCY_KEYS
from data_access.shift_view import (
    BacklogCell,
    ShiftTicket,
    WindowCounts,
    count_backlog_at,
    count_in_windows,
    list_shift_tickets,
)
from data_access.values import Filters

AVERAGE_DAYS = 7


@dataclass(frozen=True)
class Backlog:
    """Tickets open at an instant, by urgency, and how many were overdue then."""

    at: datetime
    open: int
    overdue: int
    by_urgency: dict[str, int]
    overdue_by_urgency: dict[str, int]

    @property
    def level4(self) -> int:
        """Open level-4 tickets (a meeting with a leader to arrange)."""
        return self.by_urgency.get("4", 0)


def build_backlog(at: datetime, cells: Sequence[BacklogCell]) -> Backlog:
    """Fold backlog cells (pure)."""
    by_urgency = dict.fromkeys(URGENCY_KEYS, 0)
    overdue = dict.fromkeys(URGENCY_KEYS, 0)
    for cell in cells:
        key = UNCLASSIFIED if cell.urgency is None else str(cell.urgency)
        by_urgency[key] = by_urgency.get(key, 0) + cell.open
        overdue[key] = overdue.get(key, 0) + cell.overdue
    return Backlog(at, sum(by_urgency.values()), sum(overdue.values()), by_urgency, overdue)


@dataclass(frozen=True)
class OperatorWork:
    """What one operator did with the tickets they took in the shift.

    ``classified``: those with field and level set; ``forwarded`` and
    ``resolved``: forwarded / resolved before the shift's end; the median is of
    the minutes from receipt to forward of the forwarded ones.
    """

    operator: str
    received: int
    classified: int
    forwarded: int
    resolved: int
    median_forward_minutes: float | None


def build_operators(
    tickets: Sequence[ShiftTicket], end: datetime
) -> tuple[tuple[OperatorWork, ...], OperatorWork]:
    """Each operator's work, busiest first, and the whole shift's (pure)."""

    def fold(code: str, items: Sequence[ShiftTicket]) -> OperatorWork:
        forwarded = [
            (item, item.forwarded_at)
            for item in items
            if item.forwarded_at is not None and item.forwarded_at < end
        ]
        minutes = [(at - item.received_at).total_seconds() / 60 for item, at in forwarded]
        return OperatorWork(
            operator=code,
            received=len(items),
            classified=sum(1 for item in items if item.classified),
            forwarded=len(forwarded),
            resolved=sum(
                1 for item in items if item.resolved_at is not None and item.resolved_at < end
            ),
            median_forward_minutes=round(statistics.median(minutes), 1) if minutes else None,
        )

    groups: dict[str, list[ShiftTicket]] = {}
    for item in tickets:
        groups.setdefault(item.operator or UNASSIGNED, []).append(item)
    rows = [fold(code, items) for code, items in groups.items()]
    rows.sort(key=lambda row: (row.operator == UNASSIGNED, -row.received, row.operator))
    return tuple(rows), fold("total", list(tickets))


@dataclass(frozen=True)
class ShiftComparison:
    """This shift against the same shift yesterday and the average of the previous 7 days.

    While the shift runs, every shift is counted up to the same elapsed time
    (``partial``), so that a half-finished shift is not set against whole ones.
    """

    elapsed: timedelta
    partial: bool
    current: WindowCounts
    yesterday: WindowCounts
    average_received: float
    average_forwarded: float
    average_resolved: float
    days: int


@dataclass(frozen=True)
class ShiftView:
    """Everything the shift view and its hand-over report show.

    Its window, time zone, instant and filters are its snapshot's (``snapshot.window`` ...).
    """

    state: str  # "not_started" | "in_progress" | "finished"
    snapshot: Snapshot
    backlog_in: Backlog
    backlog_out: Backlog | None
    operators: tuple[OperatorWork, ...]
    operators_total: OperatorWork
    comparison: ShiftComparison
    # Level 3 candidates: open repeats received in the shift (issue 13).
    repeat_candidates: tuple[RepeatLink, ...] = ()
    repeat_window_days: int = 14

    @property
    def filters(self) -> Filters:
        """The filters the view is narrowed by."""
        return self.snapshot.filters

    @property
    def day(self) -> date:
        """The operating day of the shift."""
        return self.snapshot.window.day

    @property
    def shift(self) -> int:
        """The shift's number."""
        assert self.snapshot.window.shift is not None
        return self.snapshot.window.shift


def shift_state(window: Window, now: datetime) -> str:
    """Whether the shift has not started, is running or is over at ``now``."""
    if now < window.start:
        return "not_started"
    if now < window.end:
        return "in_progress"
    return "finished"


def comparison_windows(
    calendar: ShiftCalendar, window: Window, now: datetime, days: int = AVERAGE_DAYS
) -> tuple[timedelta, list[tuple[datetime, datetime]]]:
    """The elapsed time compared, and the windows: this shift, then 1..days days before."""
    assert window.shift is not None
    full = window.end - window.start
    # Before the shift starts there is nothing to compare yet: show the whole past shifts.
    elapsed = full if now < window.start else min(now - window.start, full)
    windows = []
    for offset in range(days + 1):
        past = calendar.window(window.day - timedelta(days=offset), window.shift)
        # A shift across a clock change is an hour longer or shorter: cap at its own length.
        windows.append((past.start, min(past.start + elapsed, past.end)))
    return elapsed, windows


def build_comparison(
    elapsed: timedelta, full: timedelta, counts: Sequence[WindowCounts]
) -> ShiftComparison:
    """Fold the counts of this shift and its past ones (pure)."""
    past = counts[1:]
    days = len(past)

    def average(values: list[int]) -> float:
        return round(sum(values) / days, 1) if days else 0.0

    return ShiftComparison(
        elapsed=elapsed,
        partial=elapsed < full,
        current=counts[0],
        yesterday=past[0] if past else WindowCounts(),
        average_received=average([c.received for c in past]),
        average_forwarded=average([c.forwarded for c in past]),
        average_resolved=average([c.resolved for c in past]),
        days=days,
    )


def compute_shift_view(
    engine: Engine,
    calendar: ShiftCalendar,
    day: date,
    shift: int,
    now: datetime,
    filters: Filters | None = None,
    *,
    repeat_window_days: int | None = None,
    **limits: Unpack[SnapshotLimits],
) -> ShiftView:
    """The shift view of (operating day, shift) at ``now``."""
    filters = filters or Filters()
    window = calendar.window(day, shift)
    state = shift_state(window, now)
    snapshot = compute_snapshot(engine, calendar, window, now, filters, **limits)
    elapsed, windows = comparison_windows(calendar, window, now)
    out_at = min(now, window.end)
    with engine.connect() as conn:
        backlog_in = build_backlog(window.start, count_backlog_at(conn, window.start, filters))
        backlog_out = (
            None
            if state == "not_started"
            else build_backlog(out_at, count_backlog_at(conn, out_at, filters))
        )
        shift_tickets = list_shift_tickets(conn, window.start, window.end, filters)
        counts = count_in_windows(conn, windows, filters)
    operators, total = build_operators(shift_tickets, out_at)
    return ShiftView(
        state=state,
        snapshot=snapshot,
        backlog_in=backlog_in,
        backlog_out=backlog_out,
        operators=operators,
        operators_total=total,
        comparison=build_comparison(elapsed, window.end - window.start, counts),
        **shift_repeats(engine, window, repeat_window_days),  # issue 13
    )
