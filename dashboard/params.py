"""Request parameters (API, page URLs, kiosk screens): one parser, clear errors, never a crash.

Every query string the board reads goes through :func:`query_args` (lenient: a safe
default) or :func:`parse_search` (strict: a :class:`ParameterError` to show); every
language choice through :func:`dashboard.i18n.normalise_language`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl

from data_access.codes import CHANNELS, LINES, UNASSIGNED, UNCLASSIFIED, URGENCY_KEYS
from data_access.values import Filters

DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
CODE_PATTERN = re.compile(r"[a-z0-9_]{1,40}")
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
MAX_VALUES = 30
# The longest query string read: a full set of filters is well under 1,000 characters.
MAX_QUERY_LENGTH = 4000


class ParameterError(ValueError):
    """A request parameter is invalid; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_choice(value: str | None, choices: Collection[str], default: str) -> str:
    """One of ``choices`` (a language, a theme: short lowercase codes), else ``default``."""
    if value:
        value = value.strip().lower()[:8]
        if value in choices:
            return value
    return default


def _split_query(search: str) -> dict[str, str]:
    args: dict[str, str] = {}
    for key, value in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        # The first value of a repeated key wins, as in Flask's ``request.args.get``.
        args.setdefault(key, value)
    return args


def query_args(search: object) -> dict[str, str]:
    """A location's query string (``?a=1&b=2``) as a dict; never raises.

    Anything but a string, or a string over :data:`MAX_QUERY_LENGTH`, reads as no
    arguments (every parameter at its default): what a screen without a keyboard needs.
    """
    if not isinstance(search, str) or not search or len(search) > MAX_QUERY_LENGTH:
        return {}
    return _split_query(search)


def parse_search(search: str | None) -> dict[str, str]:
    """A query string as a dict, refusing one over :data:`MAX_QUERY_LENGTH` (ParameterError)."""
    if not search:
        return {}
    if len(search) > MAX_QUERY_LENGTH:
        raise ParameterError("query", "the query string is too long")
    return _split_query(search)


def parse_day(value: str | None, field: str = "day") -> date | None:
    """An operating day as YYYY-MM-DD between 2000 and 2099; None when absent."""
    if value is None or value == "":
        return None
    if len(value) != 10 or not DAY_PATTERN.fullmatch(value):
        raise ParameterError(field, f"'{field}' must be a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ParameterError(field, f"'{field}' is not a real date") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ParameterError(field, f"'{field}' must lie between 2000-01-01 and 2099-12-31")
    return day


def parse_shift(value: str | None, shift_count: int) -> tuple[int | None, bool]:
    """A shift number or 'all'; returns (shift, whole_day). Absent: (None, False)."""
    if value is None or value == "":
        return None, False
    if value == "all":
        return None, True
    if value.isascii() and value.isdigit() and len(value) <= 2 and 1 <= int(value) <= shift_count:
        return int(value), False
    choices = "|".join(str(number) for number in range(1, shift_count + 1))
    raise ParameterError("shift", f"'shift' must be one of {choices}|all")


def _codes(args: Mapping[str, str], field: str, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    raw = args.get(field)
    if raw is None or raw == "":
        return ()
    values = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if len(values) > MAX_VALUES:
        raise ParameterError(field, f"'{field}' takes at most {MAX_VALUES} values")
    for value in values:
        if allowed is not None and value not in allowed:
            raise ParameterError(field, f"'{field}' must be among {', '.join(allowed)}")
        if not CODE_PATTERN.fullmatch(value):
            raise ParameterError(field, f"'{field}' holds an invalid code")
    return values


@dataclass(frozen=True)
class FilterChoices:
    """Codes that filters may name (categories and agencies come from reference data)."""

    categories: tuple[str, ...] | None = None
    agencies: tuple[str, ...] | None = None


def parse_filters(args: Mapping[str, str], choices: FilterChoices | None = None) -> Filters:
    """Filters from ``channel``, ``line``, ``category``, ``urgency``, ``agency`` (comma lists)."""
    choices = choices or FilterChoices()
    categories = None if choices.categories is None else (*choices.categories, UNCLASSIFIED)
    agencies = None if choices.agencies is None else (*choices.agencies, UNASSIGNED)
    return Filters(
        channels=_codes(args, "channel", CHANNELS),
        lines=_codes(args, "line", LINES),
        categories=_codes(args, "category", categories),
        urgencies=_codes(args, "urgency", URGENCY_KEYS),
        agencies=_codes(args, "agency", agencies),
    )
