"""What the wall compares an operating day with: yesterday's shifts and the hourly average.

Computed by the scheduled refresh, never by a screen. Past days barely change
(only late writes), so each past day's profile is cached and read again at
most once per ``ttl``: the steady state costs no query at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from dashboard.shifts import ShiftCalendar
from dashboard.snapshot import bucket_boundaries, fold_buckets
from data_access.history import count_received_by_day_buckets

AVERAGE_DAYS = 7


@dataclass(frozen=True)
class DayProfile:
    """Tickets received by one operating day, per shift and per local hour."""

    day: date
    by_shift: dict[str, int]
    by_hour: dict[str, int]  # local "HH:MM" of each hour start -> received

    @property
    def total(self) -> int:
        """Tickets received that day."""
        return sum(self.by_shift.values())


@dataclass(frozen=True)
class Comparison:
    """The day before ``day`` and the average of the ``days_averaged`` days before it."""

    day: date
    previous: DayProfile
    hourly_average: dict[str, float]
    days_averaged: int
    computed_at: datetime

    @property
    def daily_average(self) -> float:
        """Average tickets a day over the averaged days."""
        return sum(self.hourly_average.values())


def hour_label(calendar: ShiftCalendar, instant: datetime) -> str:
    """The local wall-clock label of an hour start: ``06:00``."""
    return instant.astimezone(calendar.zone).strftime("%H:%M")


def fold_day_profile(
    calendar: ShiftCalendar, day: date, boundaries: Sequence[datetime], counts: Sequence[int]
) -> DayProfile:
    """Fold the bucket counts of one day into shifts and hours (pure)."""
    shifts, hourly = fold_buckets(calendar, calendar.window(day), boundaries, counts)
    by_shift = {str(shift.number): 0 for shift in calendar.shifts} | dict(shifts)
    by_hour: dict[str, int] = {}
    for hour in sorted(hourly):
        label = hour_label(calendar, hour)
        by_hour[label] = by_hour.get(label, 0) + hourly[hour]
    return DayProfile(day, by_shift, by_hour)


def build_comparison(
    day: date, profiles: Sequence[DayProfile], computed_at: datetime
) -> Comparison:
    """The comparison of ``day`` from its past days' profiles, the day before first (pure)."""
    if not profiles:
        raise ValueError("at least the day before is needed")
    totals: dict[str, int] = {}
    for profile in profiles:
        for label, count in profile.by_hour.items():
            totals[label] = totals.get(label, 0) + count
    average = {label: total / len(profiles) for label, total in totals.items()}
    return Comparison(day, profiles[0], average, len(profiles), computed_at)


class ComparisonCache:
    """Profiles of past operating days, each read again at most once per ``ttl``."""

    def __init__(
        self, calendar: ShiftCalendar, *, days: int = AVERAGE_DAYS, ttl: timedelta | None = None
    ) -> None:
        self.calendar = calendar
        self.days = days
        self.ttl = ttl if ttl is not None else timedelta(seconds=60)
        self._profiles: dict[date, tuple[datetime, DayProfile]] = {}
        self._lock = threading.Lock()
        self.reads = 0  # days read from the database, for tests

    def past_days(self, day: date) -> list[date]:
        """The days compared with ``day``: the day before first."""
        return [day - timedelta(days=offset) for offset in range(1, self.days + 1)]

    def comparisons(
        self, engine: Engine, days: Iterable[date], now: datetime
    ) -> dict[date, Comparison]:
        """The comparison of each day, reading only the past days not read within ``ttl``."""
        days = sorted(set(days))
        with self._lock:
            wanted = {past for day in days for past in self.past_days(day)}
            due = sorted(
                past
                for past in wanted
                if past not in self._profiles or now - self._profiles[past][0] >= self.ttl
            )
            if due:
                boundaries = [
                    bucket_boundaries(self.calendar, self.calendar.window(d)) for d in due
                ]
                with engine.connect() as conn:
                    counts = count_received_by_day_buckets(conn, boundaries)
                for past, bounds, day_counts in zip(due, boundaries, counts, strict=True):
                    profile = fold_day_profile(self.calendar, past, bounds, day_counts)
                    self._profiles[past] = (now, profile)
                self.reads += len(due)
            for past in list(self._profiles):
                if past not in wanted:
                    del self._profiles[past]
            return {
                day: build_comparison(
                    day, [self._profiles[past][1] for past in self.past_days(day)], now
                )
                for day in days
            }
