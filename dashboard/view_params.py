"""URL parameters of the shift view, the overview and the exports: parsed, checked, written back.

A view's state lives in its URL (a link reproduces the view): ``parse_*`` reads
it with clear errors (:class:`ParameterError`, never a crash) and ``*_query``
writes it back in a canonical order, so parsing what was written gives the
same state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES
from dashboard.overview import DEFAULT_DAYS, MAX_DAYS, default_range
from dashboard.params import MAX_QUERY_LENGTH as MAX_QUERY_LENGTH  # re-exported
from dashboard.params import FilterChoices, ParameterError, parse_day, parse_filters, parse_shift
from dashboard.params import parse_search as parse_search  # re-exported
from dashboard.shifts import ShiftCalendar
from data_access.values import Filters

FILTER_KEYS = ("channel", "line", "category", "urgency", "agency")


def parse_lang(args: Mapping[str, str]) -> str:
    """``lang=vi|en`` (default Vietnamese); anything else is refused."""
    value = args.get("lang") or DEFAULT_LANGUAGE
    if value not in LANGUAGES:
        raise ParameterError("lang", "'lang' must be vi or en")
    return value


def filters_query(filters: Filters) -> dict[str, str]:
    """The URL parameters of a set of filters (only those set)."""
    values = {
        "channel": filters.channels,
        "line": filters.lines,
        "category": filters.categories,
        "urgency": filters.urgencies,
        "agency": filters.agencies,
    }
    return {key: ",".join(codes) for key, codes in values.items() if codes}


def _query(params: Mapping[str, str]) -> str:
    return "?" + urlencode(params, safe=",") if params else ""


@dataclass(frozen=True, kw_only=True)
class ViewParams:
    """What every view's state holds besides its own values: filters and language (keywords)."""

    filters: Filters
    lang: str = DEFAULT_LANGUAGE

    def query(self, values: dict[str, str]) -> str:
        """The view's own ``values``, then its filters and its language (unless the default)."""
        values = values | filters_query(self.filters)
        if self.lang != DEFAULT_LANGUAGE:
            values["lang"] = self.lang
        return _query(values)


@dataclass(frozen=True)
class ShiftParams(ViewParams):
    """The state of the shift view: operating day and shift, with filters and language."""

    day: date
    shift: int


def parse_shift_params(
    args: Mapping[str, str],
    calendar: ShiftCalendar,
    now: datetime,
    choices: FilterChoices | None = None,
) -> ShiftParams:
    """``day``, ``shift`` (1..n; defaults: the current ones), filters and ``lang``."""
    day = parse_day(args.get("day"))
    shift, whole_day = parse_shift(args.get("shift"), len(calendar.shifts))
    if whole_day:
        choices_text = "|".join(str(s.number) for s in calendar.shifts)
        raise ParameterError("shift", f"'shift' must be one of {choices_text}")
    current_day, current_shift = calendar.locate(now)
    return ShiftParams(
        day=day or current_day,
        shift=shift or current_shift,
        filters=parse_filters(args, choices),
        lang=parse_lang(args),
    )


def shift_query(params: ShiftParams) -> str:
    """The query string that reproduces a shift view."""
    return params.query({"day": params.day.isoformat(), "shift": str(params.shift)})


@dataclass(frozen=True)
class RangeParams(ViewParams):
    """The state of the overview and the exports: a range of operating days, with filters."""

    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        """How many operating days the range holds."""
        return (self.last_day - self.first_day).days + 1


def parse_range_params(
    args: Mapping[str, str],
    calendar: ShiftCalendar,
    now: datetime,
    choices: FilterChoices | None = None,
) -> RangeParams:
    """``from``/``to`` (inclusive; default: the last 30 days, today included), filters, ``lang``.

    With only one of them, the range keeps the default length from or up to it.
    """
    first = parse_day(args.get("from"), "from")
    last = parse_day(args.get("to"), "to")
    if first is None and last is None:
        first, last = default_range(calendar, now)
    elif first is None:
        assert last is not None
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    elif last is None:
        last = first + timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise ParameterError("to", "'to' must not be before 'from'")
    if (last - first).days + 1 > MAX_DAYS:
        raise ParameterError("to", f"the range holds at most {MAX_DAYS} days")
    return RangeParams(first, last, filters=parse_filters(args, choices), lang=parse_lang(args))


def range_query(params: RangeParams) -> str:
    """The query string that reproduces an overview (or an export of it)."""
    return params.query({"from": params.first_day.isoformat(), "to": params.last_day.isoformat()})
