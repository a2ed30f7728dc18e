"""Callbacks of operations intelligence: the wall's incidents and night mode, /screens.

Nothing here adds a request to a wall: the heartbeat rides on the wall's refresh
(``record_wall_poll``, called by ``callbacks/wall.py``), and the incident banner and night
mode are set in the browser from the meta each refresh answers (``wall_intel``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output
from flask import current_app, has_app_context

from callbacks.views import search_lang
from dashboard import ids
from dashboard.auth import access_of
from dashboard.intelligence.night import is_night_shift, night_shift_numbers
from dashboard.intelligence.repeats import linked_reports
from dashboard.intelligence.screens import ScreenRegistry, parse_beat
from dashboard.intelligence.surges import incident_text
from dashboard.service import SnapshotService
from dashboard.shifts import utc_now
from layouts.intelligence import (
    INCIDENT_BANNER,
    INCIDENT_TEXT,
    SCREENS_BODY,
    SCREENS_POLL,
    build_linked_reports,
    build_screen_rows,
    build_screens_page,
    incident_lines,
)
from layouts.wall import build_not_found

log = logging.getLogger(__name__)

SCREENS_KEY = "HOTLINE_SCREENS"
SCREENS_PATH = "/screens"
Page = Any


def wall_intel(service: SnapshotService, lang: str, now: datetime) -> dict[str, Any]:
    """What a wall's meta carries for the browser: incident lines and the night shift."""
    live = service.live("day") or service.live("shift")
    names = {
        kind: (labels.vi if lang == "vi" else labels.en) for kind, labels in service.names().items()
    }
    minutes = service.settings.surge_window_minutes
    lines = [incident_text(i, names, lang, minutes) for i in (live.incidents if live else ())]
    night = is_night_shift(
        service.calendar, now, night_shift_numbers(service.settings.night_shifts)
    )
    return {"incidents": incident_lines(lines, lang), "night_shift": night}


def linked_block(service: SnapshotService, code: str, lang: str) -> Any:
    """A ticket's linked reports for the drill-down (None when none or on a failure)."""
    try:
        codes = linked_reports(service.engine, code, service.settings.repeat_window_days, utc_now())
    except Exception as exc:  # noqa: BLE001 - the history stays useful without them
        log.error("linked reports failed: %s", exc.__class__.__name__)
        return None
    return build_linked_reports(codes, lang)


def registry_of(app: Dash) -> ScreenRegistry | None:
    """The screen registry installed on an app (None before ``register``)."""
    registry = app.server.config.get(SCREENS_KEY)
    return registry if isinstance(registry, ScreenRegistry) else None


def record_wall_poll(request: Any, options: dict[str, str] | None = None) -> None:
    """Record the heartbeat a wall's refresh carries (ignored when it carries none)."""
    if not has_app_context():
        return
    registry = current_app.config.get(SCREENS_KEY)
    if not isinstance(registry, ScreenRegistry):
        return
    beat = parse_beat(request, utc_now(), urlencode(sorted((options or {}).items())))
    if beat is not None:
        registry.record(beat)


def register(app: Dash, service: SnapshotService, pages: dict[str, Page]) -> ScreenRegistry:
    """The screen registry, the /screens page and the wall's incident banner on ``app``."""
    registry = ScreenRegistry(service.settings)
    app.server.config[SCREENS_KEY] = registry
    access = access_of(app)
    settings = service.settings
    zone = service.calendar.zone

    def screens_page(search: str) -> Any:
        lang = search_lang(search)
        if not access.allows("shift"):
            return build_not_found(lang)
        return build_screens_page(
            registry.statuses(utc_now()),
            lang,
            zone,
            intervals=settings.screen_silent_intervals,
            refresh_ms=settings.refresh_seconds * 1000,
        )

    pages[SCREENS_PATH] = screens_page

    @app.callback(
        Output(SCREENS_BODY, "children"),
        Input(SCREENS_POLL, "n_intervals"),
        Input(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def refresh_screens(_n: Any, search: Any) -> Any:
        lang = search_lang(search if isinstance(search, str) else "")
        if not access.allows("shift"):
            return []
        return build_screen_rows(registry.statuses(utc_now()), lang, zone)

    app.clientside_callback(
        "function(meta) { return window.hotlineIntel.banner(meta); }",
        Output(INCIDENT_BANNER, "className"),
        Output(INCIDENT_TEXT, "children"),
        Input(ids.WALL_META, "data"),
    )
    return registry
