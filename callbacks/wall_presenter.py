"""The wall's presenter: views of the wall built from the service's memory, and their diff.

Each view of the data gets a key; the screen sends back the key of what it shows, and
:meth:`WallPresenter.refresh` answers ``no_update`` for every leaf property and figure
that is the same in both views, ``Patch`` for figures that changed (their data arrays
only), and the new key. Views are cached (a few dozen) so that every screen showing the
same data shares one build.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dash import no_update

from callbacks.kiosk import options_to_args, resolve_windows
from dashboard import ids
from dashboard.formatting import format_clock
from dashboard.i18n import text
from dashboard.intelligence.night import in_night_shift
from dashboard.intelligence.surges import incident_text
from dashboard.service import SnapshotService
from dashboard.shifts import Window, utc_now
from dashboard.snapshot import Snapshot
from layouts.intelligence import incident_lines
from layouts.theme import palette
from layouts.wall import (
    bar_list_parts,
    bar_lists,
    build_bar_rows,
    build_overdue_rows,
    build_wall,
    figure_sources,
    leaf_outputs,
    wall_leaves,
)
from layouts.wall_charts import chart_updates, columns_on_screen
from layouts.wall_view import Freshness, WallOptions, WallView, make_wall_view

VIEW_CACHE_SIZE = 64
# A page reloads itself this long after a shift change (spread so screens do not reload at once).
RELOAD_JITTER_SECONDS = (20, 180)
MAX_PAGE_AGE = timedelta(hours=12)


def digest(value: Any) -> str:
    """A short digest of what a screen shows (JSON where it can, else its repr)."""
    try:
        raw = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
    except (TypeError, ValueError):
        raw = repr(value)
    return hashlib.blake2b(raw.encode("utf-8"), digest_size=8).hexdigest()


def _offset_ms(offset: timedelta | None) -> int:
    return int(offset.total_seconds() * 1000) if offset is not None else 0


def _epoch_ms(instant: datetime | None) -> int | None:
    return None if instant is None else int(instant.timestamp() * 1000)


def wall_intel(service: SnapshotService, lang: str, now: datetime) -> dict[str, Any]:
    """What a wall's meta carries for the browser: incident lines and the night shift."""
    live = service.live("day") or service.live("shift")
    names = {
        kind: (labels.vi if lang == "vi" else labels.en) for kind, labels in service.names().items()
    }
    minutes = service.settings.surge_window_minutes
    lines = [incident_text(i, names, lang, minutes) for i in (live.incidents if live else ())]
    night = in_night_shift(service.calendar, now, service.settings.night_shifts)
    return {"incidents": incident_lines(lines, lang), "night_shift": night}


@dataclass(frozen=True)
class RenderedView:
    """A view with the digests of each leaf, figure and the overdue table."""

    key: str
    view: WallView
    options: WallOptions
    digests: dict[str, str]


class WallPresenter:
    """Builds views of the wall from the service's memory, and diffs them for screens."""

    def __init__(self, service: SnapshotService) -> None:
        self.service = service
        self.calendar = service.calendar
        self._views: OrderedDict[str, RenderedView] = OrderedDict()
        self._lock = threading.Lock()
        self._leaves = leaf_outputs()

    # --- reading the service ---------------------------------------------------------------
    def _snapshots(
        self, options: WallOptions, now: datetime
    ) -> tuple[Window, Window, Snapshot | None, Snapshot | None, bool]:
        if not options.fixed:
            shift = self.service.live("shift")
            day = self.service.live("day")
            if shift is not None and day is not None:
                return shift.window, day.window, shift, day, True
            shift_window, day_window = resolve_windows(self.calendar, options, now)
            return shift_window, day_window, None, None, True
        shift_window, day_window = resolve_windows(self.calendar, options, now)
        shift = self.service.watch(shift_window, now)
        day = shift if day_window == shift_window else self.service.watch(day_window, now)
        return shift_window, day_window, shift, day, False

    def render(self, options: WallOptions, now: datetime | None = None) -> RenderedView:
        """The current view for these options (built once per data generation, then cached)."""
        now = now or utc_now()
        state = self.service.current()
        stale = self.service.is_stale(now)
        shift_window, day_window, shift, day, live = self._snapshots(options, now)
        key = digest(
            [
                state.computations,
                stale,
                _epoch_ms(state.failing_since),
                _epoch_ms(state.last_success),
                options_to_args(options),
                _epoch_ms(shift_window.start),
                _epoch_ms(day_window.start),
                shift is not None and day is not None,
            ]
        )
        with self._lock:
            cached = self._views.get(key)
            if cached is not None:
                self._views.move_to_end(key)
                return cached
        live_day = day.window.day if (live and day is not None) else self.calendar.locate(now)[0]
        names = {
            kind: (labels.vi if options.lang == "vi" else labels.en)
            for kind, labels in self.service.names().items()
        }
        view = make_wall_view(
            calendar=self.calendar,
            options=options,
            shift_window=shift_window,
            day_window=day_window,
            live_day=live_day,
            shift=shift,
            day=day,
            comparison=self.service.comparison(day_window.day),
            names=names,
            freshness=Freshness(state.last_success, state.failing_since, stale),
            intake_limit_minutes=self.service.settings.intake_limit_minutes,
        )
        digests = {
            f"{component}.{prop}": digest(value)
            for (component, prop), value in wall_leaves(view, options.rotate).items()
        }
        for graph_id, source in figure_sources(view).items():
            digests[f"{graph_id}.figure"] = digest(repr(source))
        digests[f"{ids.OVERDUE_BODY}.children"] = digest([view.state, repr(view.overdue)])
        for list_id, (bars, colors) in bar_lists(view, palette(view.theme)).items():
            digests[f"{list_id}.rows"] = str(len(bars.keys))
            for part, values in bar_list_parts(bars, colors).items():
                digests[f"{list_id}.{part}"] = digest(values)
        rendered = RenderedView(key, view, options, digests)
        with self._lock:
            self._views[key] = rendered
            while len(self._views) > VIEW_CACHE_SIZE:
                self._views.popitem(last=False)
        return rendered

    def known(self, key: str | None) -> RenderedView | None:
        """A view rendered before, by key (None when unknown or evicted)."""
        if not key:
            return None
        with self._lock:
            return self._views.get(key)

    # --- what goes to the browser ----------------------------------------------------------
    def meta(self, rendered: RenderedView, now: datetime) -> dict[str, Any]:
        """What the browser needs to judge freshness and schedule its soft reload."""
        shift_end = self.calendar.current_window(now).end
        return {
            "key": rendered.key,
            "generated_at": _epoch_ms(rendered.view.generated_at),
            "server_now": _epoch_ms(now),
            # The zone's offset now: the clock needs no Intl time-zone data (~60 ms at load).
            "utc_offset_ms": _offset_ms(now.astimezone(self.calendar.zone).utcoffset()),
            "stale": rendered.view.state == "stale",
            "reload_at": _epoch_ms(shift_end),
            # Incidents and night shift (issue 13), read by assets/intelligence.js.
            "intel": wall_intel(self.service, rendered.options.lang, now),
        }

    def config(self, options: WallOptions) -> dict[str, Any]:
        """The screen's settings for the browser: options, intervals, texts."""
        settings = self.service.settings
        jitter = random.randint(*RELOAD_JITTER_SECONDS)
        return {
            "options": options_to_args(options),
            "timezone": settings.timezone,
            "refresh_ms": settings.refresh_seconds * 1000,
            "stale_ms": settings.refresh_seconds * settings.stale_after_intervals * 1000,
            "reload_jitter_ms": jitter * 1000,
            "max_age_ms": int(MAX_PAGE_AGE.total_seconds() * 1000),
            "rotate": options.rotate,
            "texts": {"offline": text(options.lang, "banner.offline", time="{time}")},
        }

    def page(self, options: WallOptions, now: datetime | None = None) -> Any:
        """The wall page, filled with the current view (no empty first paint)."""
        now = now or utc_now()
        rendered = self.render(options, now)
        return build_wall(
            rendered.view,
            config=self.config(options),
            meta=self.meta(rendered, now),
            refresh_ms=self.service.settings.refresh_seconds * 1000,
            rotate=options.rotate,
            # A time from the first frame (the index's copy included): not dashes until the
            # browser's clock starts.
            clock=format_clock(now, self.service.calendar.zone),
        )

    def refresh(
        self,
        options: WallOptions,
        client_key: str | None,
        rows_shown: dict[str, int] | None = None,
        now: datetime | None = None,
    ) -> list[Any]:
        """The refresh outputs: ``no_update`` where the screen already shows the value.

        ``rows_shown`` is how many rows each bar list has on the screen (the
        wildcard outputs want one value per row the screen has).
        """
        rows_shown = rows_shown or {}
        now = now or utc_now()
        rendered = self.render(options, now)
        previous = self.known(client_key)
        old = previous.digests if previous is not None and previous.options == options else {}
        new = rendered.digests
        view = rendered.view
        leaves = wall_leaves(view, options.rotate)
        outputs: list[Any] = []
        for component, prop in self._leaves:
            name = f"{component}.{prop}"
            outputs.append(no_update if old.get(name) == new[name] else leaves[(component, prop)])
        pal = palette(view.theme)
        # The charts: the bars that differ from what the screen shows (layouts/wall_charts.py).
        outputs += chart_updates(
            view, previous.view if previous is not None and old else None, rows_shown
        )
        # A bar list keeps its rows and gets new labels, numbers and widths in place; only
        # when the number of rows differs (reference data changed) are its rows rebuilt.
        for list_id, (bars, colors) in bar_lists(view, pal).items():
            shown = rows_shown.get(list_id, 0)
            same_rows = shown == len(bars.keys) and old.get(f"{list_id}.rows") == str(shown)
            outputs.append(no_update if same_rows else build_bar_rows(list_id, bars, colors))
            parts = bar_list_parts(bars, colors)
            for part, _prop in ids.BAR_PARTS:
                name = f"{list_id}.{part}"
                if same_rows and old.get(name) != new[name]:
                    outputs.append(parts[part])
                else:
                    outputs.append([no_update] * shown)
        name = f"{ids.OVERDUE_BODY}.children"
        outputs.append(no_update if old.get(name) == new[name] else build_overdue_rows(view))
        outputs.append(self.meta(rendered, now))
        return outputs


def rows_on_screen(context: Any) -> dict[str, int]:
    """How many rows each bar list has on the screen, from the callback's wildcard outputs."""
    rows: dict[str, int] = {}
    for spec in context.outputs_list:
        if isinstance(spec, list):
            for item in spec:
                component = item.get("id") if isinstance(item, dict) else None
                if isinstance(component, dict) and component.get("type") == "bar-label":
                    list_id = str(component.get("list"))
                    rows[list_id] = rows.get(list_id, 0) + 1
    rows.update(columns_on_screen(context.outputs_list))  # the charts' columns
    return rows
