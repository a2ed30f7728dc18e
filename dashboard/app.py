"""The application factory."""

from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
from dash import Dash, html

from dashboard.api import register_api
from dashboard.export import register_export
from dashboard.scheduler import start_background_jobs
from dashboard.service import SnapshotService
from dashboard.settings import PROJECT_ROOT, Settings, load_settings
from dashboard.store import make_service

log = logging.getLogger(__name__)

# Dash walks assets/ and loads every CSS file; the themes are linked explicitly instead.
ASSETS_IGNORE = r"^(darkly|flatly)\.min\.css$"


def create_app(
    settings: Settings | None = None,
    *,
    service: SnapshotService | None = None,
    start_jobs: bool = True,
) -> Dash:
    """Build the Dash app, its API, its snapshot service and its scheduled jobs."""
    settings = settings or load_settings()
    logging.basicConfig(level=settings.log_level)
    service = service or make_service(settings)
    app = Dash(
        __name__,
        title="Bảng theo dõi đường dây nóng",
        update_title=None,
        assets_folder=str(PROJECT_ROOT / "assets"),
        assets_ignore=ASSETS_IGNORE,
        serve_locally=True,
        suppress_callback_exceptions=True,
        external_stylesheets=[],
    )
    app.server.config["HOTLINE_SERVICE"] = service
    register_api(app.server, service)
    register_export(app.server, service)
    app.layout = html.Div(
        [html.H1("Hotline Wallboard"), html.P("API: /api/snapshot, /healthz")],
        className="p-4",
    )
    _ = dbc  # the layouts use dash-bootstrap-components
    if start_jobs:
        start_background_jobs(app, settings, service)
    return app
