"""Dash callbacks, registered on an app by ``register_callbacks`` (never at import time)."""

from __future__ import annotations

from dash import Dash

from callbacks import intelligence, router, views, wall
from callbacks.kiosk import options_from_search
from dashboard.service import SnapshotService


def register_callbacks(app: Dash, service: SnapshotService) -> wall.WallPresenter:
    """Register every callback of the board on ``app``."""
    shift_count = len(service.calendar.shifts)
    presenter = wall.register(app, service)
    pages: dict[str, router.Page] = {
        "/": lambda search: presenter.page(options_from_search(search, shift_count)),
    }
    # The desk views (/shift, /shift/report, /overview) and the navbar on the wall.
    views.register(app, service, pages)
    # Operations intelligence (issue 13): /screens, the screen registry, the incident banner.
    intelligence.register(app, service, pages)
    router.register(app, pages, shift_count)
    return presenter
