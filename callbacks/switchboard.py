"""The wall's queue strip: refreshed with the wall's own poll, from the service's snapshot."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State

from callbacks.kiosk import options_from_args, resolve_windows
from callbacks.views import unless_shown
from dashboard import ids
from dashboard.service import SnapshotService
from dashboard.shifts import utc_now
from dashboard.switchboard.figures import SwitchboardFigures
from layouts.switchboard import (
    SWITCHBOARD_BODY,
    SWITCHBOARD_SHOWN,
    Thresholds,
    build_switchboard_body,
)


def thresholds_of(service: SnapshotService) -> Thresholds:
    """The wall's alarm thresholds, from the settings."""
    settings = service.settings
    return Thresholds(
        waiting=settings.queue_waiting_alert,
        longest_wait_seconds=settings.queue_longest_wait_alert_seconds,
    )


def switchboard_of(service: SnapshotService, config: Any) -> tuple[SwitchboardFigures | None, str]:
    """The figures the screen's window shows (the live shift unless fixed) and its language."""
    shift_count = len(service.calendar.shifts)
    args = config.get("options") if isinstance(config, dict) else None
    options = options_from_args(args if isinstance(args, dict) else {}, shift_count)
    if not options.fixed:
        snapshot = service.live("shift")
    else:
        shift_window, _ = resolve_windows(service.calendar, options, utc_now())
        snapshot = service.watch(shift_window)
    return (snapshot.switchboard if snapshot is not None else None), options.lang


def switchboard_body(service: SnapshotService, config: Any, shown: Any = None) -> tuple[Any, ...]:
    """The strip for a screen's config (the wall's ``WALL_CONFIG`` data) and its digest
    (``no_update`` for both when the screen shows it already)."""
    figures, lang = switchboard_of(service, config)
    return unless_shown((build_switchboard_body(figures, thresholds_of(service), lang),), shown)


def register(app: Dash, service: SnapshotService) -> None:
    """Refresh the strip whenever the wall's refresh has answered (its meta changes)."""

    @app.callback(
        Output(SWITCHBOARD_BODY, "children"),
        Output(SWITCHBOARD_SHOWN, "data"),
        Input(ids.WALL_META, "data"),
        State(ids.WALL_CONFIG, "data"),
        State(SWITCHBOARD_SHOWN, "data"),
        prevent_initial_call=True,  # the wall comes with its strip (callbacks.pages)
    )
    def refresh_switchboard(_meta: Any, config: Any, shown: Any) -> tuple[Any, ...]:
        return switchboard_body(service, config, shown)
