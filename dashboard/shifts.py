"""The shift calendar: operating days, shifts and their half-open UTC windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)


@dataclass(frozen=True)
class ShiftDef:
    """One shift: its number (1-based) and local start and end times."""

    number: int
    start: time
    end: time


def _parse_clock(text: str) -> time:
    match = text.strip().split(":")
    if len(match) != 2 or not all(part.isdigit() for part in match):
        raise ValueError(f"bad time {text!r}: use HH:MM")
    hour, minute = int(match[0]), int(match[1])
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"bad time {text!r}: out of range")
    return time(hour, minute)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def parse_shifts(spec: str) -> tuple[ShiftDef, ...]:
    """Parse ``06:00-14:00,14:00-22:00,22:00-06:00``: consecutive shifts covering 24 h."""
    parts = [part for part in spec.split(",") if part.strip()]
    if not 1 <= len(parts) <= 6:
        raise ValueError("between 1 and 6 shifts are needed")
    shifts = []
    for number, part in enumerate(parts, start=1):
        bounds = part.split("-")
        if len(bounds) != 2:
            raise ValueError(f"bad shift {part!r}: use HH:MM-HH:MM")
        shifts.append(ShiftDef(number, _parse_clock(bounds[0]), _parse_clock(bounds[1])))
    total = 0
    for index, shift in enumerate(shifts):
        following = shifts[(index + 1) % len(shifts)]
        if shift.end != following.start:
            raise ValueError(f"shift {shift.number} must end when shift {following.number} starts")
        length = (_minutes(shift.end) - _minutes(shift.start)) % (24 * 60)
        if length == 0 and len(shifts) > 1:
            raise ValueError(f"shift {shift.number} is empty")
        total += length or 24 * 60
    if total != 24 * 60:
        raise ValueError("the shifts must cover 24 hours exactly once")
    return tuple(shifts)


@dataclass(frozen=True)
class Window:
    """A half-open interval [start, end) in UTC, for an operating day and shift (None: day)."""

    day: date
    shift: int | None
    start: datetime
    end: datetime

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` lies in [start, end)."""
        return self.start <= instant < self.end


@dataclass(frozen=True)
class ShiftCalendar:
    """Operating days and shifts in a local time zone."""

    zone: ZoneInfo
    shifts: tuple[ShiftDef, ...]

    @classmethod
    def from_spec(cls, timezone: str, spec: str) -> ShiftCalendar:
        """Build a calendar from a zone name and a shifts setting."""
        return cls(ZoneInfo(timezone), parse_shifts(spec))

    @property
    def day_start(self) -> time:
        """Local time at which an operating day begins (the first shift's start)."""
        return self.shifts[0].start

    def _offset(self, value: time) -> timedelta:
        """How long after the operating day's start ``value`` falls, within 24 h."""
        minutes = (_minutes(value) - _minutes(self.day_start)) % (24 * 60)
        return timedelta(minutes=minutes)

    def _local_to_utc(self, day: date, offset: timedelta) -> datetime:
        # Wall-clock arithmetic: D 06:00 + offset, then resolved in the zone.
        naive = datetime.combine(day, self.day_start) + offset
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def shift_def(self, number: int) -> ShiftDef:
        """The shift with this number; ValueError when there is none."""
        if not 1 <= number <= len(self.shifts):
            raise ValueError(f"no shift {number}")
        return self.shifts[number - 1]

    def window(self, day: date, shift: int | None = None) -> Window:
        """The UTC window of an operating day, or of one of its shifts."""
        if shift is None:
            return Window(
                day, None, self._local_to_utc(day, timedelta()), self._local_to_utc(day, DAY)
            )
        definition = self.shift_def(shift)
        start = self._offset(definition.start)
        end = start + ((self._offset(definition.end) - start) % DAY or DAY)
        return Window(day, shift, self._local_to_utc(day, start), self._local_to_utc(day, end))

    def range_window(self, first: date, last: date) -> Window:
        """The window from operating day ``first`` through ``last`` inclusive."""
        return Window(first, None, self.window(first).start, self.window(last).end)

    def operating_day(self, instant: datetime) -> date:
        """The operating day an instant belongs to."""
        local = instant.astimezone(self.zone)
        day = local.date()
        if self.window(day).start > instant:
            day -= DAY
        elif self.window(day).end <= instant:
            day += DAY
        return day

    def locate(self, instant: datetime) -> tuple[date, int]:
        """The (operating day, shift number) an instant belongs to."""
        day = self.operating_day(instant)
        for shift in self.shifts:
            if self.window(day, shift.number).contains(instant):
                return day, shift.number
        raise AssertionError("shifts do not cover the operating day")  # pragma: no cover

    def current_window(self, now: datetime, whole_day: bool = False) -> Window:
        """The window of the shift (or whole operating day) that ``now`` is in."""
        day, shift = self.locate(now)
        return self.window(day, None if whole_day else shift)

    def hour_starts(self, window: Window) -> list[datetime]:
        """The start of each hour in a window (UTC), stepping in real hours."""
        starts = []
        cursor = window.start
        while cursor < window.end:
            starts.append(cursor)
            cursor += timedelta(hours=1)
        return starts


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
