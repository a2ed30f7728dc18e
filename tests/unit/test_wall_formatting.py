"""Number, date and duration formatting of the wall (Babel): Vietnamese by default."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard import formatting

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [(0, "0", "0"), (7, "7", "7"), (1234, "1.234", "1,234"), (1234567, "1.234.567", "1,234,567")],
)
def test_counts_are_grouped_the_vietnamese_way(value, vi, en):
    assert formatting.format_count(value, "vi") == vi
    assert formatting.format_count(value, "en") == en


def test_unknown_values_are_a_dash_never_zero():
    assert formatting.format_count(None, "vi") == "—"
    assert formatting.format_rate(None, "vi") == "—"
    assert formatting.format_average(None, "en") == "—"


def test_rates_and_averages_use_the_decimal_comma_in_vietnamese():
    assert formatting.format_rate(0.9234, "vi") == "92,3%"
    assert formatting.format_rate(0.9234, "en") == "92.3%"
    assert formatting.format_rate(1.0, "vi") == "100,0%"
    assert formatting.format_average(12.46, "vi") == "12,5"
    assert formatting.format_average(1234.0, "en") == "1,234"


def test_days_carry_the_weekday_with_diacritics():
    assert formatting.format_day(date(2026, 12, 1), "vi") == "Thứ Ba, 01/12/2026"
    assert formatting.format_day(date(2026, 12, 6), "vi") == "Chủ Nhật, 06/12/2026"
    assert formatting.format_day(date(2026, 12, 1), "en") == "Tuesday, 1 Dec 2026"
    assert formatting.format_short_day(date(2026, 12, 1), "vi") == "01/12"


def test_clock_is_local_24_hour_time():
    instant = datetime(2026, 12, 1, 7, 5, 9, tzinfo=UTC)
    assert formatting.format_clock(instant, HCM) == "14:05:09"
    assert formatting.format_clock(instant, HCM, seconds=False) == "14:05"


@pytest.mark.parametrize(
    ("minutes", "vi", "en"),
    [
        (0, "0 phút", "0 min"),
        (45, "45 phút", "45 min"),
        (135, "2 giờ 15 phút", "2 h 15 min"),
        (3 * 1440 + 4 * 60 + 59, "3 ngày 4 giờ", "3 d 4 h"),
        (1234 * 1440, "1.234 ngày 0 giờ", "1,234 d 0 h"),
        (-5, "0 phút", "0 min"),
    ],
)
def test_durations(minutes, vi, en):
    assert formatting.format_duration(minutes, "vi") == vi
    assert formatting.format_duration(minutes, "en") == en


def test_parse_count_reads_back_what_is_shown():
    assert formatting.parse_count("1.234") == 1234
    assert formatting.parse_count("1,234") == 1234
    assert formatting.parse_count(formatting.format_count(987654, "vi")) == 987654
    with pytest.raises(ValueError):
        formatting.parse_count("…")
