"""The snapshot of SPEC section 4: one function of (window, now, filters)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dashboard.formatting import ratio
from dashboard.intelligence.surges import count_surge_slots_at
from dashboard.intelligence.values import Incident, SurgeRule
from dashboard.shifts import ShiftCalendar, Window
from dashboard.switchboard.figures import SwitchboardFigures, make_switchboard_figures
from data_access.codes import (
    CHANNELS,
    LINES,
    OPEN_STATUSES,
    STATUSES,
    UNASSIGNED,
    UNCLASSIFIED,
    URGENCY_KEYS,
)
from data_access.queries import (
    DatabaseCounts,
    OpenGroup,
    OverdueTicket,
    ReceivedGroup,
    read_snapshot_counts,
)
from data_access.switchboard import read_switchboard_counts
from data_access.values import DEFAULT_CALL_TARGETS, CallTargets, Filters

# Frozen, so one shared empty value is safe as a default.
NO_CALLS = SwitchboardFigures()


class SnapshotLimits(TypedDict, total=False):
    """The thresholds of a snapshot, passed on to ``compute_snapshot`` (its defaults hold)."""

    intake_limit_minutes: int
    overdue_limit: int
    call_targets: CallTargets


@dataclass(frozen=True)
class OverdueItem:
    """One line of the overdue list (no personal data)."""

    code: str
    category: str
    urgency: str
    agency: str
    due_at: datetime
    overdue_minutes: int


@dataclass(frozen=True)
class Snapshot:
    """The numbers of one window at one instant. Mappings are not to be mutated."""

    window: Window
    timezone: str
    generated_at: datetime
    now: datetime
    filters: Filters
    received: int
    forwarded: int
    resolved_in_window: int
    on_time_rate: float | None
    by_channel: dict[str, int]
    by_line: dict[str, int]
    by_category: dict[str, int]
    by_urgency: dict[str, int]
    by_status: dict[str, int]
    by_shift: dict[str, int]
    hourly: tuple[tuple[datetime, int], ...]
    open: int
    open_by_status: dict[str, int]
    overdue: int
    overdue_by_agency: dict[str, int]
    awaiting_forward: int
    level4_open: int
    overdue_list: tuple[OverdueItem, ...]
    # The switchboard (issue 12): the queue now and the calls of the window.
    switchboard: SwitchboardFigures = NO_CALLS
    # Surges at `now` (issue 13): computed with the live windows, empty for past windows.
    incidents: tuple[Incident, ...] = ()

    def to_json(self, *, stale: bool = False) -> dict[str, Any]:
        """The JSON document of ``GET /api/snapshot`` (SPEC section 4)."""
        zone = ZoneInfo(self.timezone)

        def iso(value: datetime) -> str:
            return value.astimezone(zone).isoformat()

        return {
            "window": {
                "day": self.window.day.isoformat(),
                "shift": str(self.window.shift) if self.window.shift else "all",
                "start": iso(self.window.start),
                "end": iso(self.window.end),
                "timezone": self.timezone,
            },
            "generated_at": iso(self.generated_at),
            "stale": stale,
            "received": self.received,
            "forwarded": self.forwarded,
            "resolved_in_window": self.resolved_in_window,
            "on_time_rate": self.on_time_rate,
            "by_channel": dict(self.by_channel),
            "by_line": dict(self.by_line),
            "by_category": dict(self.by_category),
            "by_urgency": dict(self.by_urgency),
            "by_status": dict(self.by_status),
            "by_shift": dict(self.by_shift),
            "hourly": [{"hour": iso(hour), "received": count} for hour, count in self.hourly],
            "now": {
                "at": iso(self.now),
                "open": self.open,
                "open_by_status": dict(self.open_by_status),
                "overdue": self.overdue,
                "overdue_by_agency": dict(self.overdue_by_agency),
                "awaiting_forward": self.awaiting_forward,
                "level4_open": self.level4_open,
            },
            "overdue_list": [
                {
                    "code": item.code,
                    "category": item.category,
                    "urgency": item.urgency,
                    "agency": item.agency,
                    "due_at": iso(item.due_at),
                    "overdue_minutes": item.overdue_minutes,
                }
                for item in self.overdue_list
            ],
            "switchboard": self.switchboard.to_json(iso),
        }


def overdue_minutes(now: datetime, due_at: datetime) -> int:
    """Whole minutes a ticket due at ``due_at`` is overdue at ``now``."""
    return int((now - due_at) // timedelta(minutes=1))


def _zeroed(keys: tuple[str, ...], counter: Counter[str]) -> dict[str, int]:
    """Every known key with its count (0 when none), then unknown keys found in the data."""
    result = {key: int(counter.get(key, 0)) for key in keys}
    for key in sorted(counter):
        if key not in result:
            result[key] = int(counter[key])
    return result


def _code(value: str | None, null_code: str) -> str:
    return null_code if value is None else str(value)


def _urgency(value: int | None) -> str:
    return UNCLASSIFIED if value is None else str(int(value))


def bucket_boundaries(calendar: ShiftCalendar, window: Window) -> list[datetime]:
    """Boundaries covering the window's whole operating day: each hour and each shift start."""
    day = calendar.window(window.day)
    points = set(calendar.hour_starts(day))
    points.update(calendar.window(window.day, shift.number).start for shift in calendar.shifts)
    points.add(day.end)
    return sorted(points)


def fold_buckets(
    calendar: ShiftCalendar, window: Window, boundaries: Sequence[datetime], counts: Sequence[int]
) -> tuple[Counter[str], dict[datetime, int]]:
    """Bucket counts folded into shifts and into the window's hours (pure).

    Returns received by shift number (as text) and by hour start (every hour of the
    window, 0 when none); a bucket counts towards the last hour start not after it.
    """
    by_shift: Counter[str] = Counter()
    hourly: dict[datetime, int] = {hour: 0 for hour in calendar.hour_starts(window)}
    hour_keys = sorted(hourly)
    for index, count in enumerate(counts):
        bucket_start = boundaries[index]
        _, shift_number = calendar.locate(bucket_start)
        by_shift[str(shift_number)] += count
        if window.contains(bucket_start):
            hour = max(h for h in hour_keys if h <= bucket_start)
            hourly[hour] += count
    return by_shift, hourly


@dataclass(frozen=True)
class _ReceivedFold:
    """The window's received groups added up: the totals, and the received by dimension."""

    received: int
    forwarded: int
    by_channel: Counter[str]
    by_line: Counter[str]
    by_category: Counter[str]
    by_urgency: Counter[str]
    by_status: Counter[str]


def _fold_received(groups: Sequence[ReceivedGroup]) -> _ReceivedFold:
    """Add up the groups of tickets received in the window."""
    channel: Counter[str] = Counter()
    line: Counter[str] = Counter()
    category: Counter[str] = Counter()
    urgency: Counter[str] = Counter()
    status: Counter[str] = Counter()
    received = forwarded = 0
    for group in groups:
        received += group.received
        forwarded += group.forwarded
        channel[group.channel] += group.received
        line[group.line] += group.received
        category[_code(group.category, UNCLASSIFIED)] += group.received
        urgency[_urgency(group.urgency)] += group.received
        status[group.status] += group.received
    return _ReceivedFold(received, forwarded, channel, line, category, urgency, status)


@dataclass(frozen=True)
class _OpenFold:
    """The open groups added up: the backlog at ``now``."""

    open: int
    overdue: int
    awaiting_forward: int
    level4: int
    by_status: Counter[str]
    overdue_by_agency: Counter[str]


def _fold_open(open_groups: Sequence[OpenGroup]) -> _OpenFold:
    """Add up the groups of tickets open at ``now``."""
    open_by_status: Counter[str] = Counter()
    overdue_by_agency: Counter[str] = Counter()
    open_total = overdue = awaiting = level4 = 0
    for open_group in open_groups:
        open_total += open_group.open
        overdue += open_group.overdue
        awaiting += open_group.awaiting_forward
        open_by_status[open_group.status] += open_group.open
        if open_group.overdue:
            overdue_by_agency[_code(open_group.agency, UNASSIGNED)] += open_group.overdue
        if open_group.urgency == 4:
            level4 += open_group.open
    return _OpenFold(open_total, overdue, awaiting, level4, open_by_status, overdue_by_agency)


def _overdue_items(now: datetime, overdue: Sequence[OverdueTicket]) -> tuple[OverdueItem, ...]:
    """The overdue list, with how long each ticket has been overdue at ``now``."""
    return tuple(
        OverdueItem(
            code=item.code,
            category=_code(item.category, UNCLASSIFIED),
            urgency=_urgency(item.urgency),
            agency=_code(item.agency, UNASSIGNED),
            due_at=item.due_at,
            overdue_minutes=overdue_minutes(now, item.due_at),
        )
        for item in overdue
    )


def build_snapshot(
    counts: DatabaseCounts,
    *,
    calendar: ShiftCalendar,
    window: Window,
    boundaries: list[datetime],
    now: datetime,
    generated_at: datetime,
    filters: Filters,
    switchboard: SwitchboardFigures | None = None,
) -> Snapshot:
    """Fold the database counts into a snapshot (pure; tested directly)."""
    reference = counts.reference
    received = _fold_received(counts.groups)
    by_shift, hourly = fold_buckets(calendar, window, boundaries, counts.buckets)
    hour_keys = sorted(hourly)
    backlog = _fold_open(counts.open_groups)
    resolved = counts.resolved
    shift_keys = tuple(str(shift.number) for shift in calendar.shifts)
    return Snapshot(
        window=window,
        timezone=calendar.zone.key,
        generated_at=generated_at,
        now=now,
        filters=filters,
        received=received.received,
        forwarded=received.forwarded,
        resolved_in_window=resolved.resolved,
        on_time_rate=ratio(resolved.on_time, resolved.with_due),
        by_channel=_zeroed(CHANNELS, received.by_channel),
        by_line=_zeroed(LINES, received.by_line),
        by_category=_zeroed((*reference.categories, UNCLASSIFIED), received.by_category),
        by_urgency=_zeroed(URGENCY_KEYS, received.by_urgency),
        by_status=_zeroed(STATUSES, received.by_status),
        by_shift=_zeroed(shift_keys, by_shift),
        hourly=tuple((hour, hourly[hour]) for hour in hour_keys),
        open=backlog.open,
        open_by_status=_zeroed(OPEN_STATUSES, backlog.by_status),
        overdue=backlog.overdue,
        overdue_by_agency=_zeroed((*reference.agencies, UNASSIGNED), backlog.overdue_by_agency),
        awaiting_forward=backlog.awaiting_forward,
        level4_open=backlog.level4,
        overdue_list=_overdue_items(now, counts.overdue),
        switchboard=switchboard or NO_CALLS,
    )


def compute_snapshot(
    engine: Engine,
    calendar: ShiftCalendar,
    window: Window,
    now: datetime,
    filters: Filters | None = None,
    *,
    intake_limit_minutes: int = 15,
    overdue_limit: int = 10,
    generated_at: datetime | None = None,
    call_targets: CallTargets = DEFAULT_CALL_TARGETS,
    surge: SurgeRule | None = None,
) -> Snapshot:
    """Compute the snapshot of ``window`` at ``now`` from the database, in one transaction."""
    filters = filters or Filters()
    boundaries = bucket_boundaries(calendar, window)
    with engine.connect() as conn:
        counts = read_snapshot_counts(
            conn,
            start=window.start,
            end=window.end,
            boundaries=boundaries,
            now=now,
            intake_cutoff=now - timedelta(minutes=intake_limit_minutes),
            overdue_limit=overdue_limit,
            filters=filters,
        )
        calls = read_switchboard_counts(
            conn, start=window.start, end=window.end, now=now, targets=call_targets
        )
        incidents = (
            count_surge_slots_at(conn, now, calendar.zone, surge)
            if surge is not None and window.contains(now)
            else ()
        )
    snapshot = build_snapshot(
        counts,
        calendar=calendar,
        window=window,
        boundaries=boundaries,
        now=now,
        generated_at=generated_at or now,
        filters=filters,
        switchboard=make_switchboard_figures(calls, now, call_targets),
    )
    return replace(snapshot, incidents=incidents) if incidents else snapshot
