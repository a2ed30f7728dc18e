"""Kiosk parameters of the wall's URL: ``?lang= &theme= &day= &shift= &rotate=``.

A wall has no keyboard, so a bad value never stops the screen: it falls back
to its default, and the fallback is logged. The same parsing re-checks what a
screen sends back with each refresh (a forged payload gets the defaults).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from dashboard.i18n import normalise_language
from dashboard.params import ParameterError, parse_day, parse_shift, query_args
from dashboard.shifts import ShiftCalendar, Window
from layouts.theme import normalise_theme
from layouts.wall_view import WallOptions

log = logging.getLogger(__name__)

ROTATE_MIN_SECONDS = 5
ROTATE_MAX_SECONDS = 3600


def _first(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value)[:64]


def parse_rotate(value: str | None) -> int:
    """Seconds per panel, 5-3600; 0 (no rotation) when absent or invalid."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 5:
        return 0
    seconds = int(value)
    if seconds == 0:
        return 0
    return min(max(seconds, ROTATE_MIN_SECONDS), ROTATE_MAX_SECONDS)


def options_from_args(args: Mapping[str, Any], shift_count: int) -> WallOptions:
    """Wall options from URL arguments (or a screen's stored config); never raises."""
    day: date | None = None
    shift: int | None = None
    whole_day = False
    try:
        day = parse_day(_first(args, "day"))
    except ParameterError as exc:
        log.warning("wall: ignoring ?day: %s", exc.message)
    try:
        shift, whole_day = parse_shift(_first(args, "shift"), shift_count)
    except ParameterError as exc:
        log.warning("wall: ignoring ?shift: %s", exc.message)
    return WallOptions(
        lang=normalise_language(_first(args, "lang")),
        theme=normalise_theme(_first(args, "theme")),
        day=day,
        shift=shift,
        whole_day=whole_day,
        rotate=parse_rotate(_first(args, "rotate")),
    )


def options_from_search(search: str | None, shift_count: int) -> WallOptions:
    """Wall options from a location's query string (``?lang=en&shift=2``)."""
    return options_from_args(query_args(search), shift_count)


def options_to_args(options: WallOptions) -> dict[str, str]:
    """The URL arguments of options (stored in the page, sent back with each refresh)."""
    args = {"lang": options.lang, "theme": options.theme}
    if options.day is not None:
        args["day"] = options.day.isoformat()
    if options.whole_day:
        args["shift"] = "all"
    elif options.shift is not None:
        args["shift"] = str(options.shift)
    if options.rotate:
        args["rotate"] = str(options.rotate)
    return args


def resolve_windows(
    calendar: ShiftCalendar, options: WallOptions, now: datetime
) -> tuple[Window, Window]:
    """The (shift, day) windows a screen shows at ``now``.

    No parameter: the current shift and operating day. ``?shift=N``: shift N of
    the current operating day. ``?day=D``: day D, with the current shift when D
    is today, else the whole day. ``?shift=all``: the whole day in both places.
    """
    live_day, live_shift = calendar.locate(now)
    day = options.day or live_day
    day_window = calendar.window(day)
    if options.whole_day:
        return day_window, day_window
    if options.shift is not None:
        return calendar.window(day, options.shift), day_window
    if day == live_day:
        return calendar.window(day, live_shift), day_window
    return day_window, day_window
