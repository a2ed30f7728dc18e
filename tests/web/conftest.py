"""Fixtures of the HTTP tests: the app on the test database, and Flask's test client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dash import Dash

from dashboard.app import create_app
from dashboard.settings import Settings
from tests.web.public_helpers import public_app, seed


@pytest.fixture
def app(settings: Settings) -> Iterator[Dash]:
    """The board on the test database (SQLite and PostgreSQL), without background jobs."""
    app = create_app(settings, start_jobs=False)
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


@pytest.fixture
def client(app: Dash) -> Any:
    """Flask's test client of that app."""
    return app.server.test_client()


@pytest.fixture
def public_client(database_url: str, engine: Any) -> Iterator[Any]:
    """The test client of the board (generous public rate limits) over the seeded tickets."""
    seed(engine)
    app = public_app(database_url)
    yield app.server.test_client()
    app.server.config["HOTLINE_SERVICE"].engine.dispose()
