"""Dash callbacks, registered on an app by ``register_callbacks`` (never at import time)."""

from __future__ import annotations

from dash import Dash

from callbacks import intelligence, overview, router, shift, switchboard, wall
from callbacks.alerts import register_alerts
from callbacks.pages import BUILDERS
from callbacks.views import Board
from callbacks.wall_presenter import WallPresenter
from dashboard.alerts.service import AlertService
from dashboard.auth import AccessControl
from dashboard.routes import Prerender
from dashboard.service import SnapshotService


def register_callbacks(
    app: Dash, service: SnapshotService, access: AccessControl, alerts: AlertService
) -> tuple[WallPresenter, Prerender]:
    """Register every callback of the board on ``app``; returns the wall's presenter and the
    layout of a prerendered page's index."""
    board = Board(service, access, WallPresenter(service), alerts)
    wall.register(app, board.presenter)
    switchboard.register(app, service)  # the wall's queue strip
    shift.register(app, board)
    overview.register(app, board)
    intelligence.register(app, board)  # /screens, heartbeats, the incident banner
    register_alerts(app, alerts)  # the wall's alerts, the shift view's acknowledge
    prerender = router.register(app, board, BUILDERS)
    return board.presenter, prerender
