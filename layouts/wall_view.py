"""The wall's view: every text and number the screen shows, from the snapshots (pure).

``make_wall_view`` turns the live snapshots, the comparison and the freshness
of the data into plain, formatted values. The page layout is built from a
view, and each refresh sends only the parts of the new view that differ from
the one the screen already shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dashboard.formatting import (
    format_clock,
    format_count,
    format_day,
    format_duration,
    format_rate,
    format_short_day,
)
from dashboard.i18n import code_name, text
from dashboard.shifts import ShiftCalendar, Window

if TYPE_CHECKING:  # pragma: no cover
    from dashboard.comparison import Comparison
    from dashboard.snapshot import Snapshot

UNCLASSIFIED = "unclassified"
UNASSIGNED = "unassigned"
ON_TIME_GOOD = 0.9
ON_TIME_WARN = 0.75
# The wall lists the most overdue tickets that fit on one screen (the API has the full list).
OVERDUE_ROWS_SHOWN = 7


@dataclass(frozen=True)
class WallOptions:
    """What a wall screen asked for in its URL (kiosk parameters), already validated."""

    lang: str = "vi"
    theme: str = "dark"
    day: date | None = None
    shift: int | None = None
    whole_day: bool = False
    rotate: int = 0

    @property
    def fixed(self) -> bool:
        """Whether the screen shows a fixed window rather than the live shift."""
        return self.day is not None or self.shift is not None or self.whole_day


@dataclass(frozen=True)
class Freshness:
    """How fresh the service's data is."""

    last_success: datetime | None
    failing_since: datetime | None
    stale: bool


@dataclass(frozen=True)
class TileView:
    """One KPI tile: label, big number, second line and tone (neutral/alert/warn/good/level4)."""

    key: str
    label: str
    value: str
    note: str
    tone: str


@dataclass(frozen=True)
class UrgencyView:
    """One urgency level: label (Mức 4), name, count and share of the total (0-100)."""

    level: str
    label: str
    name: str
    value: str
    share: float


@dataclass(frozen=True)
class BarsView:
    """A bar list: codes, names, counts and formatted counts, in display order."""

    keys: tuple[str, ...]
    labels: tuple[str, ...]
    values: tuple[int, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class SeriesView:
    """Two series over the same labels (e.g. today and yesterday); None: not yet."""

    labels: tuple[str, ...]
    current: tuple[int | None, ...]
    current_texts: tuple[str, ...]
    previous: tuple[float | None, ...]
    current_name: str
    previous_name: str
    highlight: int | None = None


@dataclass(frozen=True)
class OverdueRow:
    """One overdue ticket: code, field, level, agency, how long overdue (no personal data)."""

    code: str
    field: str
    level: str
    agency: str
    overdue: str


@dataclass(frozen=True)
class BannerView:
    """The banner at the top: tone (loading/stale/error) and its texts; hidden when no tone."""

    tone: str = ""
    title: str = ""
    detail: str = ""


@dataclass(frozen=True)
class WallView:
    """Everything the wall shows, formatted."""

    lang: str
    theme: str
    state: str  # loading | ok | stale
    shift_label: str
    shift_hours: str
    day_label: str
    fixed_label: str
    data_time: str
    banner: BannerView
    tiles: tuple[TileView, ...]
    urgency: tuple[UrgencyView, ...]
    fields: BarsView
    status: BarsView
    channel: BarsView
    line: BarsView
    shifts: SeriesView
    hourly: SeriesView
    overdue: tuple[OverdueRow, ...]
    overdue_more: str
    scope: str
    generated_at: datetime | None


def _shift_texts(calendar: ShiftCalendar, window: Window, lang: str) -> tuple[str, str]:
    if window.shift is None:
        start = calendar.shifts[0].start
        return text(lang, "shift.whole_day"), text(
            lang, "shift.hours", start=start.strftime("%H:%M"), end=start.strftime("%H:%M")
        )
    definition = calendar.shift_def(window.shift)
    return text(lang, "shift.name", number=window.shift), text(
        lang,
        "shift.hours",
        start=definition.start.strftime("%H:%M"),
        end=definition.end.strftime("%H:%M"),
    )


def _name(names: Mapping[str, str], code: str, lang: str, kind: str) -> str:
    if code == UNCLASSIFIED:
        return text(lang, f"{kind}.unclassified")
    if code == UNASSIGNED:
        return text(lang, "agency.unassigned")
    return names.get(code) or code


def _bars(
    counts: Mapping[str, int], labels: Mapping[str, str], lang: str, *, sort: bool
) -> BarsView:
    keys = list(counts)
    if sort:
        order = {key: index for index, key in enumerate(keys)}
        keys.sort(key=lambda key: (-counts[key], order[key]))
    return BarsView(
        keys=tuple(keys),
        labels=tuple(labels.get(key, key) for key in keys),
        values=tuple(int(counts[key]) for key in keys),
        texts=tuple(format_count(counts[key], lang) for key in keys),
    )


def _empty_bars() -> BarsView:
    return BarsView((), (), (), ())


def _banner(freshness: Freshness, has_data: bool, zone: ZoneInfo, lang: str) -> BannerView:
    def hm(instant: datetime) -> str:
        return format_clock(instant, zone, seconds=False)

    if not has_data:
        if freshness.failing_since is not None:
            return BannerView(
                "error", text(lang, "banner.no_data_failing", time=hm(freshness.failing_since))
            )
        return BannerView("loading", text(lang, "banner.loading"))
    if not freshness.stale or freshness.last_success is None:
        return BannerView()
    detail = (
        text(lang, "banner.db_failing", time=hm(freshness.failing_since))
        if freshness.failing_since is not None
        else text(lang, "banner.not_refreshed")
    )
    return BannerView("stale", text(lang, "banner.stale", time=hm(freshness.last_success)), detail)


def _loading_tiles(labels: Mapping[str, str]) -> tuple[TileView, ...]:
    return tuple(TileView(key, label, "…", "", "loading") for key, label in labels.items())


def _tile_labels(
    options: WallOptions, shift_window: Window, live_day: bool, lang: str
) -> dict[str, str]:
    whole_day = shift_window.shift is None
    return {
        "received_shift": text(
            lang, "tile.received_whole_day" if whole_day else "tile.received_shift"
        ),
        "received_day": text(lang, "tile.received_day" if live_day else "tile.received_day_fixed"),
        "open": text(lang, "tile.open"),
        "overdue": text(lang, "tile.overdue"),
        "awaiting_forward": text(lang, "tile.awaiting_forward"),
        "level4_open": text(lang, "tile.level4_open"),
        "resolved_shift": text(
            lang, "tile.resolved_whole_day" if whole_day else "tile.resolved_shift"
        ),
        "on_time_rate": text(lang, "tile.on_time_rate"),
    }


def _on_time_tone(rate: float | None) -> str:
    if rate is None:
        return "neutral"
    if rate >= ON_TIME_GOOD:
        return "good"
    if rate >= ON_TIME_WARN:
        return "warn"
    return "alert"


def make_wall_view(
    *,
    calendar: ShiftCalendar,
    options: WallOptions,
    shift_window: Window,
    day_window: Window,
    live_day: date,
    shift: Snapshot | None,
    day: Snapshot | None,
    comparison: Comparison | None,
    names: Mapping[str, Mapping[str, str]],
    freshness: Freshness,
    intake_limit_minutes: int,
) -> WallView:
    """The wall's view of a shift and its operating day (pure; tested directly)."""
    lang = options.lang
    zone = calendar.zone
    is_today = day_window.day == live_day
    shift_label, shift_hours = _shift_texts(calendar, shift_window, lang)
    labels = _tile_labels(options, shift_window, is_today, lang)
    has_data = shift is not None and day is not None
    banner = _banner(freshness, has_data, zone, lang)
    scope = text(lang, "panel.scope_today") if is_today else format_short_day(day_window.day, lang)
    fixed_label = text(lang, "header.fixed") if options.fixed else ""
    common = {
        "lang": lang,
        "theme": options.theme,
        "shift_label": shift_label,
        "shift_hours": shift_hours,
        "day_label": format_day(day_window.day, lang),
        "fixed_label": fixed_label,
        "banner": banner,
        "scope": scope,
    }
    shift_names = [text(lang, "shift.name", number=s.number) for s in calendar.shifts]
    previous_name = text(lang, "legend.yesterday" if is_today else "legend.day_before")
    current_name = text(lang, "legend.today" if is_today else "legend.selected_day")
    if not has_data:
        return WallView(
            **common,  # type: ignore[arg-type]
            state="loading",
            data_time=text(lang, "header.no_data_time"),
            tiles=_loading_tiles(labels),
            urgency=tuple(
                UrgencyView(
                    level,
                    text(lang, "urgency.level", level=level) if level != UNCLASSIFIED else "",
                    code_name(lang, "urgency", level),
                    "…",
                    0.0,
                )
                for level in ("4", "3", "2", "1", UNCLASSIFIED)
            ),
            fields=_empty_bars(),
            status=_empty_bars(),
            channel=_empty_bars(),
            line=_empty_bars(),
            shifts=SeriesView(tuple(shift_names), (), (), (), current_name, previous_name),
            hourly=SeriesView((), (), (), (), current_name, text(lang, "legend.average_7_days")),
            overdue=(),
            overdue_more="",
            generated_at=None,
        )
    assert shift is not None and day is not None
    now = day.now
    previous = comparison.previous if comparison is not None else None

    def count(value: int | None) -> str:
        return format_count(value, lang)

    shift_number = str(shift_window.shift) if shift_window.shift is not None else None
    if previous is None:
        received_shift_note = received_day_note = ""
    else:
        before_shift = previous.by_shift.get(shift_number) if shift_number else previous.total
        received_shift_note = text(
            lang,
            "note.same_shift_yesterday" if is_today else "note.same_shift_day_before",
            value=count(before_shift),
        )
        received_day_note = text(
            lang, "note.yesterday" if is_today else "note.day_before", value=count(previous.total)
        )
    longest = day.overdue_list[0].overdue_minutes if day.overdue_list else None
    day_note_key = "note.today" if is_today else "note.whole_day"
    tiles = (
        TileView(
            "received_shift",
            labels["received_shift"],
            count(shift.received),
            received_shift_note,
            "neutral",
        ),
        TileView(
            "received_day",
            labels["received_day"],
            count(day.received),
            received_day_note,
            "neutral",
        ),
        TileView(
            "open",
            labels["open"],
            count(day.open),
            text(lang, "note.in_progress", value=count(day.open_by_status.get("in_progress", 0))),
            "neutral",
        ),
        TileView(
            "overdue",
            labels["overdue"],
            count(day.overdue),
            text(lang, "note.longest", value=format_duration(longest, lang))
            if day.overdue and longest is not None
            else text(lang, "note.none_overdue"),
            "alert" if day.overdue > 0 else "good",
        ),
        TileView(
            "awaiting_forward",
            labels["awaiting_forward"],
            count(day.awaiting_forward),
            text(lang, "note.intake_limit", minutes=intake_limit_minutes),
            "warn" if day.awaiting_forward > 0 else "neutral",
        ),
        TileView(
            "level4_open",
            labels["level4_open"],
            count(day.level4_open),
            text(lang, "note.level4"),
            "level4" if day.level4_open > 0 else "neutral",
        ),
        TileView(
            "resolved_shift",
            labels["resolved_shift"],
            count(shift.resolved_in_window),
            text(lang, day_note_key, value=count(day.resolved_in_window)) if shift_number else "",
            "neutral",
        ),
        TileView(
            "on_time_rate",
            labels["on_time_rate"],
            format_rate(shift.on_time_rate, lang),
            text(lang, day_note_key, value=format_rate(day.on_time_rate, lang))
            if day.on_time_rate is not None
            else text(lang, "note.no_deadlines"),
            _on_time_tone(shift.on_time_rate),
        ),
    )
    total = sum(day.by_urgency.values()) or 1
    urgency = tuple(
        UrgencyView(
            level,
            text(lang, "urgency.level", level=level) if level != UNCLASSIFIED else "",
            code_name(lang, "urgency", level),
            count(day.by_urgency.get(level, 0)),
            round(100 * day.by_urgency.get(level, 0) / total, 1),
        )
        for level in ("4", "3", "2", "1", UNCLASSIFIED)
    )
    category_names = names.get("categories", {})
    agency_names = names.get("agencies", {})
    field_labels = {code: _name(category_names, code, lang, "category") for code in day.by_category}

    # Today's later shifts and hours have not happened: no bar rather than a zero.
    shift_starts = [calendar.window(day_window.day, s.number).start for s in calendar.shifts]
    shift_values = tuple(
        day.by_shift.get(str(s.number), 0) if start <= now else None
        for s, start in zip(calendar.shifts, shift_starts, strict=True)
    )
    previous_shifts = tuple(
        float(previous.by_shift.get(str(s.number), 0)) if previous else None
        for s in calendar.shifts
    )
    highlight = None
    if shift_window.shift is not None and shift_window.day == day_window.day:
        highlight = shift_window.shift - 1
    hour_labels = tuple(format_clock(hour, zone, seconds=False)[:2] for hour, _ in day.hourly)
    hour_keys = [format_clock(hour, zone, seconds=False) for hour, _ in day.hourly]
    hour_values = tuple(value if hour <= now else None for hour, value in day.hourly)
    average = tuple(
        (round(comparison.hourly_average[key], 2) if key in comparison.hourly_average else None)
        if comparison is not None
        else None
        for key in hour_keys
    )
    overdue_rows = tuple(
        OverdueRow(
            code=item.code,
            field=_name(category_names, item.category, lang, "category"),
            level=item.urgency,
            agency=_name(agency_names, item.agency, lang, "agency"),
            overdue=format_duration(item.overdue_minutes, lang),
        )
        for item in day.overdue_list[:OVERDUE_ROWS_SHOWN]
    )
    more = day.overdue - len(overdue_rows)
    return WallView(
        **common,  # type: ignore[arg-type]
        state="stale" if freshness.stale else "ok",
        data_time=text(lang, "header.data_time", time=format_clock(day.generated_at, zone)),
        tiles=tiles,
        urgency=urgency,
        fields=_bars(day.by_category, field_labels, lang, sort=True),
        status=_bars(
            day.by_status,
            {k: code_name(lang, "status", k) for k in day.by_status},
            lang,
            sort=False,
        ),
        channel=_bars(
            day.by_channel,
            {k: code_name(lang, "channel", k) for k in day.by_channel},
            lang,
            sort=False,
        ),
        line=_bars(
            day.by_line, {k: code_name(lang, "line", k) for k in day.by_line}, lang, sort=False
        ),
        shifts=SeriesView(
            labels=tuple(shift_names),
            current=shift_values,
            current_texts=tuple(count(v) if v is not None else "" for v in shift_values),
            previous=previous_shifts,
            current_name=current_name,
            previous_name=previous_name,
            highlight=highlight,
        ),
        hourly=SeriesView(
            labels=hour_labels,
            current=hour_values,
            current_texts=tuple(count(v) if v is not None else "" for v in hour_values),
            previous=average,
            current_name=current_name,
            previous_name=text(lang, "legend.average_7_days"),
        ),
        overdue=overdue_rows,
        overdue_more=text(lang, "overdue.more", value=count(more)) if more > 0 else "",
        generated_at=day.generated_at,
    )
