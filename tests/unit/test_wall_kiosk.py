"""Kiosk URL parameters of the wall: safe defaults, and the windows they select."""

from datetime import date

import pytest

from callbacks.kiosk import (
    options_from_args,
    options_from_search,
    options_to_args,
    parse_rotate,
    resolve_windows,
)
from tests.support.db import local

NOW = local("2026-12-01 15:30")  # Ca 2 of 1 Dec


def test_defaults_and_round_trip():
    options = options_from_search("", 3)
    assert (options.lang, options.theme, options.day, options.shift, options.rotate) == (
        "vi",
        "dark",
        None,
        None,
        0,
    )
    assert not options.fixed
    full = options_from_search("?lang=en&theme=light&day=2026-11-30&shift=3&rotate=20", 3)
    assert options_from_args(options_to_args(full), 3) == full
    assert full.fixed


@pytest.mark.parametrize(
    "search",
    [
        "?day=2026-02-30",
        "?day=yesterday",
        "?shift=9",
        "?shift=-1",
        "?lang=fr&theme=neon",
        "?rotate=abc",
        "?" + "x" * 5000,
        "?day=%00&shift=%ff",
    ],
)
def test_bad_values_fall_back_to_defaults(search):
    options = options_from_search(search, 3)
    assert options.day is None and options.shift is None
    assert options.lang == "vi" and options.theme == "dark" and options.rotate == 0


def test_rotate_is_bounded():
    assert [parse_rotate(v) for v in ("0", "1", "20", "99999", "", None, "1e3")] == [
        0,
        5,
        20,
        3600,
        0,
        0,
        0,
    ]


def test_windows(calendar):
    def windows(search):
        shift, day = resolve_windows(calendar, options_from_search(search, 3), NOW)
        return (shift.day, shift.shift), (day.day, day.shift)

    today = date(2026, 12, 1)
    assert windows("") == ((today, 2), (today, None))
    assert windows("?shift=1") == ((today, 1), (today, None))
    assert windows("?shift=all") == ((today, None), (today, None))
    assert windows("?day=2026-12-01") == ((today, 2), (today, None))
    past = date(2026, 11, 20)
    assert windows("?day=2026-11-20") == ((past, None), (past, None))
    assert windows("?day=2026-11-20&shift=3") == ((past, 3), (past, None))
