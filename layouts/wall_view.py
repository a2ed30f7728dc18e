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
    on_time_tone,
)
from dashboard.i18n import code_name, text
from dashboard.shifts import ShiftCalendar, Window
from data_access.codes import UNASSIGNED, UNCLASSIFIED, URGENCY_KEYS_MOST_URGENT_FIRST

if TYPE_CHECKING:  # pragma: no cover
    from dashboard.comparison import Comparison, DayProfile
    from dashboard.snapshot import Snapshot

# The wall lists the most overdue tickets that fit on one screen (the API has the full list).
OVERDUE_ROWS_SHOWN = 4


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


@dataclass(frozen=True)
class WallInputs:
    """What a view of the wall is made from (the arguments of :func:`make_wall_view`)."""

    calendar: ShiftCalendar
    options: WallOptions
    shift_window: Window
    day_window: Window
    live_day: date
    comparison: Comparison | None
    names: Mapping[str, Mapping[str, str]]
    freshness: Freshness
    intake_limit_minutes: int

    @property
    def lang(self) -> str:
        """The screen's language."""
        return self.options.lang

    @property
    def is_today(self) -> bool:
        """Whether the day shown is the current operating day."""
        return self.day_window.day == self.live_day

    def count(self, value: int | None) -> str:
        """A count in the screen's language."""
        return format_count(value, self.lang)

    def legend(self) -> tuple[str, str]:
        """The names of the current and the previous series (today/yesterday...)."""
        lang, today = self.lang, self.is_today
        current = text(lang, "legend.today" if today else "legend.selected_day")
        return current, text(lang, "legend.yesterday" if today else "legend.day_before")


def build_header(inputs: WallInputs, has_data: bool) -> dict[str, object]:
    """The texts every view has: header, scope and banner."""
    lang, options = inputs.lang, inputs.options
    shift_label, shift_hours = _shift_texts(inputs.calendar, inputs.shift_window, lang)
    day = inputs.day_window.day
    scope = text(lang, "panel.scope_today") if inputs.is_today else format_short_day(day, lang)
    return {
        "lang": lang,
        "theme": options.theme,
        "shift_label": shift_label,
        "shift_hours": shift_hours,
        "day_label": format_day(day, lang),
        "fixed_label": text(lang, "header.fixed") if options.fixed else "",
        "banner": _banner(inputs.freshness, has_data, inputs.calendar.zone, lang),
        "scope": scope,
    }


def build_urgency(lang: str, counts: Mapping[str, int] | None) -> tuple[UrgencyView, ...]:
    """The urgency levels, most urgent first ("…" for each while loading: ``counts`` None)."""
    total = (sum(counts.values()) or 1) if counts is not None else 1
    return tuple(
        UrgencyView(
            level,
            text(lang, "urgency.level", level=level) if level != UNCLASSIFIED else "",
            code_name(lang, "urgency", level),
            "…" if counts is None else format_count(counts.get(level, 0), lang),
            0.0 if counts is None else round(100 * counts.get(level, 0) / total, 1),
        )
        for level in URGENCY_KEYS_MOST_URGENT_FIRST
    )


def build_loading_view(inputs: WallInputs) -> WallView:
    """The view before the first snapshot: labels and placeholders, no numbers."""
    lang = inputs.lang
    labels = _tile_labels(inputs.options, inputs.shift_window, inputs.is_today, lang)
    shift_names = tuple(text(lang, "shift.name", number=s.number) for s in inputs.calendar.shifts)
    current_name, previous_name = inputs.legend()
    return WallView(
        **build_header(inputs, has_data=False),  # type: ignore[arg-type]
        state="loading",
        data_time=text(lang, "header.no_data_time"),
        tiles=_loading_tiles(labels),
        urgency=build_urgency(lang, None),
        fields=_empty_bars(),
        status=_empty_bars(),
        channel=_empty_bars(),
        line=_empty_bars(),
        shifts=SeriesView(shift_names, (), (), (), current_name, previous_name),
        hourly=SeriesView((), (), (), (), current_name, text(lang, "legend.average_7_days")),
        overdue=(),
        overdue_more="",
        generated_at=None,
    )


def _received_notes(inputs: WallInputs, previous: DayProfile | None) -> tuple[str, str]:
    """The notes under the two "received" tiles: the same shift and the day before."""
    if previous is None:
        return "", ""
    lang, today = inputs.lang, inputs.is_today
    number = inputs.shift_window.shift
    before_shift = previous.by_shift.get(str(number)) if number is not None else previous.total
    shift_note = text(
        lang,
        "note.same_shift_yesterday" if today else "note.same_shift_day_before",
        value=inputs.count(before_shift),
    )
    day_note = text(
        lang, "note.yesterday" if today else "note.day_before", value=inputs.count(previous.total)
    )
    return shift_note, day_note


def build_tiles(inputs: WallInputs, shift: Snapshot, day: Snapshot) -> tuple[TileView, ...]:
    """The eight number tiles of the wall, with their notes and tones."""
    lang, count = inputs.lang, inputs.count
    labels = _tile_labels(inputs.options, inputs.shift_window, inputs.is_today, lang)
    previous = inputs.comparison.previous if inputs.comparison is not None else None
    received_shift_note, received_day_note = _received_notes(inputs, previous)
    longest = day.overdue_list[0].overdue_minutes if day.overdue_list else None
    day_note_key = "note.today" if inputs.is_today else "note.whole_day"
    in_progress = count(day.open_by_status.get("in_progress", 0))
    overdue_note = (
        text(lang, "note.longest", value=format_duration(longest, lang))
        if day.overdue and longest is not None
        else text(lang, "note.none_overdue")
    )
    resolved_note = (
        text(lang, day_note_key, value=count(day.resolved_in_window))
        if inputs.shift_window.shift is not None
        else ""
    )
    on_time_note = (
        text(lang, day_note_key, value=format_rate(day.on_time_rate, lang))
        if day.on_time_rate is not None
        else text(lang, "note.no_deadlines")
    )
    rows: tuple[tuple[str, str, str, str], ...] = (
        ("received_shift", count(shift.received), received_shift_note, "neutral"),
        ("received_day", count(day.received), received_day_note, "neutral"),
        ("open", count(day.open), text(lang, "note.in_progress", value=in_progress), "neutral"),
        ("overdue", count(day.overdue), overdue_note, "alert" if day.overdue > 0 else "good"),
        (
            "awaiting_forward",
            count(day.awaiting_forward),
            text(lang, "note.intake_limit", minutes=inputs.intake_limit_minutes),
            "warn" if day.awaiting_forward > 0 else "neutral",
        ),
        (
            "level4_open",
            count(day.level4_open),
            text(lang, "note.level4"),
            "level4" if day.level4_open > 0 else "neutral",
        ),
        ("resolved_shift", count(shift.resolved_in_window), resolved_note, "neutral"),
        (
            "on_time_rate",
            format_rate(shift.on_time_rate, lang),
            on_time_note,
            on_time_tone(shift.on_time_rate, "neutral"),
        ),
    )
    return tuple(TileView(key, labels[key], value, note, tone) for key, value, note, tone in rows)


def build_bar_views(inputs: WallInputs, day: Snapshot) -> dict[str, BarsView]:
    """The bar lists: fields (by count), status, channel and line (in code order)."""
    lang = inputs.lang
    category_names = inputs.names.get("categories", {})
    field_labels = {code: _name(category_names, code, lang, "category") for code in day.by_category}

    def coded(counts: Mapping[str, int], kind: str) -> BarsView:
        return _bars(counts, {k: code_name(lang, kind, k) for k in counts}, lang, sort=False)

    return {
        "fields": _bars(day.by_category, field_labels, lang, sort=True),
        "status": coded(day.by_status, "status"),
        "channel": coded(day.by_channel, "channel"),
        "line": coded(day.by_line, "line"),
    }


def build_shift_series(inputs: WallInputs, day: Snapshot) -> SeriesView:
    """Received per shift of the day, against the day before (later shifts: no bar)."""
    calendar, lang = inputs.calendar, inputs.lang
    previous = inputs.comparison.previous if inputs.comparison is not None else None
    # Today's later shifts have not happened: no bar rather than a zero.
    starts = [calendar.window(inputs.day_window.day, s.number).start for s in calendar.shifts]
    values = tuple(
        day.by_shift.get(str(s.number), 0) if start <= day.now else None
        for s, start in zip(calendar.shifts, starts, strict=True)
    )
    highlight = None
    shift_window = inputs.shift_window
    if shift_window.shift is not None and shift_window.day == inputs.day_window.day:
        highlight = shift_window.shift - 1
    current_name, previous_name = inputs.legend()
    return SeriesView(
        labels=tuple(text(lang, "shift.name", number=s.number) for s in calendar.shifts),
        current=values,
        current_texts=tuple(inputs.count(v) if v is not None else "" for v in values),
        previous=tuple(
            float(previous.by_shift.get(str(s.number), 0)) if previous else None
            for s in calendar.shifts
        ),
        current_name=current_name,
        previous_name=previous_name,
        highlight=highlight,
    )


def build_hourly_series(inputs: WallInputs, day: Snapshot) -> SeriesView:
    """Received per hour of the day, against the 7-day hourly average (later hours: none)."""
    zone, comparison = inputs.calendar.zone, inputs.comparison
    hour_keys = [format_clock(hour, zone, seconds=False) for hour, _ in day.hourly]
    values = tuple(value if hour <= day.now else None for hour, value in day.hourly)
    average = tuple(
        (round(comparison.hourly_average[key], 2) if key in comparison.hourly_average else None)
        if comparison is not None
        else None
        for key in hour_keys
    )
    return SeriesView(
        labels=tuple(key[:2] for key in hour_keys),
        current=values,
        current_texts=tuple(inputs.count(v) if v is not None else "" for v in values),
        previous=average,
        current_name=inputs.legend()[0],
        previous_name=text(inputs.lang, "legend.average_7_days"),
    )


def build_overdue(inputs: WallInputs, day: Snapshot) -> tuple[tuple[OverdueRow, ...], str]:
    """The most overdue tickets that fit, and the "and N more" line."""
    lang = inputs.lang
    category_names = inputs.names.get("categories", {})
    agency_names = inputs.names.get("agencies", {})
    rows = tuple(
        OverdueRow(
            code=item.code,
            field=_name(category_names, item.category, lang, "category"),
            level=item.urgency,
            agency=_name(agency_names, item.agency, lang, "agency"),
            overdue=format_duration(item.overdue_minutes, lang),
        )
        for item in day.overdue_list[:OVERDUE_ROWS_SHOWN]
    )
    more = day.overdue - len(rows)
    return rows, text(lang, "overdue.more", value=inputs.count(more)) if more > 0 else ""


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
    inputs = WallInputs(
        calendar,
        options,
        shift_window,
        day_window,
        live_day,
        comparison,
        names,
        freshness,
        intake_limit_minutes,
    )
    if shift is None or day is None:
        return build_loading_view(inputs)
    overdue, overdue_more = build_overdue(inputs, day)
    bars = build_bar_views(inputs, day)
    return WallView(
        **build_header(inputs, has_data=True),  # type: ignore[arg-type]
        state="stale" if freshness.stale else "ok",
        data_time=text(
            options.lang, "header.data_time", time=format_clock(day.generated_at, calendar.zone)
        ),
        tiles=build_tiles(inputs, shift, day),
        urgency=build_urgency(options.lang, day.by_urgency),
        fields=bars["fields"],
        status=bars["status"],
        channel=bars["channel"],
        line=bars["line"],
        shifts=build_shift_series(inputs, day),
        hourly=build_hourly_series(inputs, day),
        overdue=overdue,
        overdue_more=overdue_more,
        generated_at=day.generated_at,
    )
