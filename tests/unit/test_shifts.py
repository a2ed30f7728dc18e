"""The shift calendar: operating days, Ca 3 across midnight, half-open windows."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.shifts import ShiftCalendar, parse_shifts
from tests.support.db import local


@pytest.mark.parametrize(
    ("wall_time", "day", "shift"),
    [
        ("2026-12-01 05:59:59.999", date(2026, 11, 30), 3),
        ("2026-12-01 06:00:00", date(2026, 12, 1), 1),
        ("2026-12-01 13:59:59", date(2026, 12, 1), 1),
        ("2026-12-01 14:00:00", date(2026, 12, 1), 2),
        ("2026-12-01 21:59:59", date(2026, 12, 1), 2),
        ("2026-12-01 22:00:00", date(2026, 12, 1), 3),
        ("2026-12-01 23:59:59", date(2026, 12, 1), 3),
        ("2026-12-02 00:00:00", date(2026, 12, 1), 3),
        ("2026-12-02 02:00:00", date(2026, 12, 1), 3),
        ("2026-12-02 05:59:59.999999", date(2026, 12, 1), 3),
        ("2026-12-02 06:00:00", date(2026, 12, 2), 1),
    ],
)
def test_instant_belongs_to_its_operating_day_and_shift(calendar, wall_time, day, shift):
    assert calendar.locate(local(wall_time)) == (day, shift)


def test_windows_are_local_and_half_open(calendar):
    ca3 = calendar.window(date(2026, 12, 1), 3)
    assert ca3.start == local("2026-12-01 22:00")
    assert ca3.end == local("2026-12-02 06:00")
    assert ca3.contains(local("2026-12-02 05:59:59.999999"))
    assert not ca3.contains(local("2026-12-02 06:00"))
    day = calendar.window(date(2026, 12, 1))
    assert (day.start, day.end) == (local("2026-12-01 06:00"), local("2026-12-02 06:00"))
    ca1 = calendar.window(date(2026, 12, 1), 1)
    assert ca1.end == calendar.window(date(2026, 12, 1), 2).start
    assert not ca1.contains(local("2026-12-01 14:00"))


def test_range_window_spans_whole_operating_days(calendar):
    window = calendar.range_window(date(2026, 11, 1), date(2026, 11, 30))
    assert window.start == local("2026-11-01 06:00")
    assert window.end == local("2026-12-01 06:00")


def test_configurable_shifts_and_zone():
    calendar = ShiftCalendar.from_spec("Europe/Paris", "07:30-15:30,15:30-23:30,23:30-07:30")
    # Paris springs forward at 02:00 on 2026-03-29: operating day 28 March lasts 23 hours.
    window = calendar.window(date(2026, 3, 28))
    assert window.end - window.start == timedelta(hours=23)
    assert calendar.locate(datetime(2026, 3, 30, 5, 0, tzinfo=UTC)) == (date(2026, 3, 29), 3)


@pytest.mark.parametrize(
    "spec",
    ["06:00-14:00,15:00-22:00,22:00-06:00", "06:00-14:00", "25:00-06:00", "abc", "", "06:00"],
)
def test_bad_shift_specs_are_refused(spec):
    with pytest.raises(ValueError, match=r"shift|time|cover|HH:MM|between"):
        parse_shifts(spec)


def test_single_shift_covering_the_day():
    calendar = ShiftCalendar.from_spec("Asia/Ho_Chi_Minh", "06:00-06:00")
    assert calendar.locate(local("2026-12-02 05:00")) == (date(2026, 12, 1), 1)


instants = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
)


def _containing(calendar: ShiftCalendar, instant: datetime, day: date) -> list[tuple[date, int]]:
    """Every (operating day, shift) around ``day`` whose window holds ``instant``."""
    return [
        (candidate, shift.number)
        for candidate in (day - timedelta(days=1), day, day + timedelta(days=1))
        for shift in calendar.shifts
        if calendar.window(candidate, shift.number).contains(instant)
    ]


DEFAULT = ShiftCalendar.from_spec("Asia/Ho_Chi_Minh", "06:00-14:00,14:00-22:00,22:00-06:00")
ODD_WITH_DST = ShiftCalendar.from_spec("America/New_York", "07:15-15:00,15:00-23:45,23:45-07:15")


@given(instant=instants)
def test_every_instant_is_in_exactly_one_shift_of_one_operating_day(instant):
    day, shift = DEFAULT.locate(instant)
    assert _containing(DEFAULT, instant, day) == [(day, shift)]
    assert DEFAULT.window(day).contains(instant)


@given(instant=instants)
def test_every_instant_is_in_one_shift_with_dst_and_odd_shifts(instant):
    day, shift = ODD_WITH_DST.locate(instant)
    assert _containing(ODD_WITH_DST, instant, day) == [(day, shift)]
