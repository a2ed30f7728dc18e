"""The wall's comparison: yesterday's shifts and the 7-day hourly average, on both databases."""

from datetime import date, timedelta

import pytest

from dashboard.comparison import ComparisonCache, build_comparison, fold_day_profile
from dashboard.snapshot import bucket_boundaries
from tests.support.db import insert_tickets, local, make_ticket

DAY = date(2026, 12, 1)
NOW = local("2026-12-01 15:30")


def test_yesterday_by_shift_and_hourly_average(engine, calendar):
    insert_tickets(
        engine,
        [
            make_ticket(received_at=local("2026-11-30 06:00")),  # yesterday Ca 1, first instant
            make_ticket(received_at=local("2026-11-30 13:59:59")),  # Ca 1
            make_ticket(received_at=local("2026-11-30 14:00")),  # Ca 2
            make_ticket(received_at=local("2026-12-01 05:59:59")),  # yesterday's Ca 3
            make_ticket(received_at=local("2026-12-01 06:00")),  # today: not compared
            make_ticket(received_at=local("2026-11-24 06:30")),  # 7 days before
            make_ticket(received_at=local("2026-11-23 06:30")),  # 8 days before: out
        ],
    )
    cache = ComparisonCache(calendar)
    comparison = cache.comparisons(engine, [DAY], NOW)[DAY]
    assert comparison.previous.day == date(2026, 11, 30)
    assert comparison.previous.by_shift == {"1": 2, "2": 1, "3": 1}
    assert comparison.previous.total == 4
    assert comparison.days_averaged == 7
    assert comparison.hourly_average["06:00"] == pytest.approx(2 / 7)
    assert comparison.hourly_average["13:00"] == pytest.approx(1 / 7)
    assert comparison.hourly_average["05:00"] == pytest.approx(1 / 7)
    assert len(comparison.hourly_average) == 24
    assert comparison.daily_average == pytest.approx(5 / 7)


def test_past_days_are_read_once_per_ttl(engine, calendar):
    cache = ComparisonCache(calendar, ttl=timedelta(minutes=1))
    cache.comparisons(engine, [DAY], NOW)
    assert cache.reads == 7
    cache.comparisons(engine, [DAY], NOW + timedelta(seconds=30))
    assert cache.reads == 7  # nothing read again within the ttl
    insert_tickets(engine, [make_ticket(received_at=local("2026-11-30 09:00"))])
    later = cache.comparisons(engine, [DAY], NOW + timedelta(minutes=2))[DAY]
    assert cache.reads == 14
    assert later.previous.by_shift["1"] == 1
    # The next operating day needs one more past day only (today becomes "yesterday").
    cache.comparisons(engine, [DAY + timedelta(days=1)], NOW + timedelta(minutes=2, seconds=1))
    assert cache.reads == 15


def test_fold_is_pure_and_handles_a_shift_starting_off_the_hour(calendar):
    from dashboard.shifts import ShiftCalendar

    odd = ShiftCalendar.from_spec("Asia/Ho_Chi_Minh", "06:30-14:30,14:30-22:30,22:30-06:30")
    window = odd.window(DAY)
    boundaries = bucket_boundaries(odd, window)
    counts = [1] * (len(boundaries) - 1)
    profile = fold_day_profile(odd, DAY, boundaries, counts)
    assert sum(profile.by_hour.values()) == len(counts)
    assert sum(profile.by_shift.values()) == len(counts)
    assert next(iter(profile.by_hour)) == "06:30"
    with pytest.raises(ValueError):
        build_comparison(DAY, [], NOW)
