"""Number, date and duration formatting with Babel: ``1.234`` (vi) and ``1,234`` (en)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from dashboard.i18n import locale_of, normalise_language, text

# Dates as the control room writes them: "Thứ Ba, 01/12/2026" / "Tuesday, 1 Dec 2026".
DATE_PATTERNS = {"vi": "EEEE, dd/MM/yyyy", "en": "EEEE, d MMM yyyy"}
SHORT_DATE_PATTERNS = {"vi": "dd/MM", "en": "d MMM"}
PLACEHOLDER = "—"
# The on-time rate's tone on every screen: good from 90 %, a warning from 75 %, else alert.
ON_TIME_GOOD = 0.9
ON_TIME_WARN = 0.75


def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    """``part / whole`` to ``digits`` decimals; None when ``whole`` is 0 (a share of nothing)."""
    return round(part / whole, digits) if whole else None


def on_time_tone(rate: float | None, unknown: str = "") -> str:
    """``good``, ``warn`` or ``alert`` for an on-time rate; ``unknown`` when there is none."""
    if rate is None:
        return unknown
    if rate >= ON_TIME_GOOD:
        return "good"
    return "warn" if rate >= ON_TIME_WARN else "alert"


def format_count(value: int | None, lang: str) -> str:
    """A count with the language's grouping (1.234 / 1,234); a dash when unknown."""
    if value is None:
        return PLACEHOLDER
    return format_decimal(int(value), locale=locale_of(lang))


def format_average(value: float | None, lang: str) -> str:
    """An average with one decimal at most (12,5 / 12.5)."""
    if value is None:
        return PLACEHOLDER
    return format_decimal(round(float(value), 1), format="#,##0.#", locale=locale_of(lang))


def format_rate(value: float | None, lang: str) -> str:
    """A share as a percentage with one decimal (92,3% / 92.3%); a dash when unknown."""
    if value is None:
        return PLACEHOLDER
    return format_percent(float(value), format="#,##0.0%", locale=locale_of(lang))


def format_clock(instant: datetime, zone: ZoneInfo, *, seconds: bool = True) -> str:
    """A local time of day, 24 h: ``14:05:09`` (or ``14:05``)."""
    local = instant.astimezone(zone)
    return local.strftime("%H:%M:%S" if seconds else "%H:%M")


def format_day(day: date, lang: str) -> str:
    """An operating day with its weekday: ``Thứ Ba, 01/12/2026``."""
    lang = normalise_language(lang)
    formatted = format_date(day, DATE_PATTERNS[lang], locale=locale_of(lang))
    return formatted[:1].upper() + formatted[1:]


def format_short_day(day: date, lang: str) -> str:
    """A day without weekday and year: ``01/12`` / ``1 Dec``."""
    lang = normalise_language(lang)
    return format_date(day, SHORT_DATE_PATTERNS[lang], locale=locale_of(lang))


def format_duration(minutes: int, lang: str) -> str:
    """How long, from minutes: ``3 ngày 4 giờ``, ``2 giờ 15 phút``, ``45 phút``."""
    minutes = max(0, int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return text(lang, "duration.days_hours", days=format_count(days, lang), hours=hours)
    if hours:
        return text(lang, "duration.hours_minutes", hours=hours, minutes=mins)
    return text(lang, "duration.minutes", minutes=mins)


def parse_count(shown: str) -> int:
    """The integer a formatted count shows (for tests and checks): ``1.234`` → 1234."""
    digits = "".join(character for character in shown if character.isdigit())
    if not digits:
        raise ValueError(f"no number in {shown!r}")
    return int(digits)
