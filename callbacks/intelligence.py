"""Callbacks of operations intelligence: the wall's incidents and night mode, /screens.

Nothing here adds a request to a wall: the heartbeat rides on the wall's refresh
(``record_wall_poll``, called by ``callbacks/wall.py``), and the incident banner and night
mode are set in the browser from the meta each refresh answers (``wall_intel``).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output
from flask import current_app, has_app_context

from callbacks.views import Board, search_lang
from dashboard import ids
from dashboard.intelligence.screens import (
    SCREENS_KEY,
    ScreenRegistry,
    install_screens,
    parse_beat,
)
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
)
from layouts.views import build_forbidden

log = logging.getLogger(__name__)


def linked_block(service: SnapshotService, code: str, lang: str) -> Any:
    """A ticket's linked reports for the drill-down (None when none or on a failure)."""
    try:
        codes = service.linked_reports(code)
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


def screens_page(board: Board, search: str) -> Any:
    """The page ``/screens``: the wall screens, alive or silent (the supervisors' area)."""
    lang = search_lang(search)
    registry = current_app.config.get(SCREENS_KEY)
    if not board.access.allows("shift") or not isinstance(registry, ScreenRegistry):
        return build_forbidden(lang, "shift")
    settings = board.service.settings
    return build_screens_page(
        registry.statuses(utc_now()),
        lang,
        board.service.calendar.zone,
        intervals=settings.screen_silent_intervals,
        refresh_ms=settings.refresh_seconds * 1000,
    )


def refresh_screens(board: Board, registry: ScreenRegistry, _n: Any, search: Any) -> Any:
    """The rows of /screens, once per refresh interval."""
    lang = search_lang(search if isinstance(search, str) else "")
    if not board.access.allows("shift"):
        return []
    return build_screen_rows(registry.statuses(utc_now()), lang, board.service.calendar.zone)


def register(app: Dash, board: Board) -> ScreenRegistry:
    """The /screens refresh and the wall's incident banner on ``app`` (the screen registry is
    the app's, ``install_screens``: created in ``dashboard.app`` for the alerts too)."""
    registry = install_screens(app.server.config, board.service.settings)
    app.callback(
        Output(SCREENS_BODY, "children"),
        Input(SCREENS_POLL, "n_intervals"),
        Input(ids.URL, "search"),
        prevent_initial_call=True,
    )(partial(refresh_screens, board, registry))
    app.clientside_callback(
        "function(meta) { return window.hotlineIntel.banner(meta); }",
        Output(INCIDENT_BANNER, "className"),
        Output(INCIDENT_TEXT, "children"),
        Input(ids.WALL_META, "data"),
    )
    return registry
