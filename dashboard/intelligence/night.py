"""Night mode (SPEC section 11): during the night shifts the wall dims into a low-glare palette.

``?night=auto`` (the default) follows the shift calendar: dim during the shifts named by
``HOTLINE_NIGHT_SHIFTS`` (Ca 3). ``?night=on`` and ``?night=off`` force it. The browser
reads the parameter; the server tells it, with each refresh, whether it is a night shift.
"""

from __future__ import annotations

from datetime import datetime

from dashboard.shifts import ShiftCalendar

NIGHT_MODES = ("auto", "on", "off")


def parse_night(value: object) -> str:
    """``auto``, ``on`` or ``off``; anything else is ``auto`` (a wall has no keyboard)."""
    if isinstance(value, str) and value.strip().lower() in NIGHT_MODES:
        return value.strip().lower()
    return "auto"


def night_shift_numbers(spec: str) -> frozenset[int]:
    """The shift numbers of ``HOTLINE_NIGHT_SHIFTS`` (``"3"`` -> {3})."""
    return frozenset(int(part) for part in spec.split(",") if part.strip())


def is_night_shift(calendar: ShiftCalendar, now: datetime, night_shifts: frozenset[int]) -> bool:
    """Whether ``now`` falls in one of the night shifts."""
    _, shift = calendar.locate(now)
    return shift in night_shifts


def in_night_shift(calendar: ShiftCalendar, now: datetime, spec: str) -> bool:
    """Whether ``now`` falls in one of the shifts ``HOTLINE_NIGHT_SHIFTS`` (``spec``) names."""
    return is_night_shift(calendar, now, night_shift_numbers(spec))


def night_on(mode: str, night_shift: bool) -> bool:
    """Whether the wall is dimmed: forced on/off, or by the shift when ``auto``."""
    mode = parse_night(mode)
    if mode == "on":
        return True
    if mode == "off":
        return False
    return night_shift
