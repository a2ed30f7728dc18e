"""The role check of callbacks follows Dash's callback path, also under a URL prefix."""

import json
import re

import pytest

from dashboard.app import create_app
from dashboard.auth import AccessFile
from dashboard.settings import Settings
from tests.support.views import render

PREFIX = "/board/"
SUPERVISOR = ("truongca", "mat-khau-truong-ca")


@pytest.fixture
def prefixed(sqlite_url, tmp_path, monkeypatch):
    """A board with login, served under ``/board/`` (Dash's routes and requests prefix)."""
    users = tmp_path / "users.json"
    AccessFile(users).add_user(*SUPERVISOR, "supervisor", "Trần Thị Ca")
    monkeypatch.setenv("DASH_ROUTES_PATHNAME_PREFIX", PREFIX)
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", PREFIX)
    app = create_app(
        Settings(DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(users)), start_jobs=False
    )
    assert app.config.routes_pathname_prefix == PREFIX
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def _forge(client, output, route=PREFIX + "_dash-update-component"):
    body = {"output": output, "outputs": {"id": output.rsplit(".", 1)[0], "property": "x"},
            "inputs": [], "changedPropIds": [], "state": []}  # fmt: skip
    return client.post(route, json=body)


def _login(client):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    username, password = SUPERVISOR
    client.post("/login", data={"username": username, "password": password, "csrf": token})


def test_a_callback_under_a_prefix_needs_its_role(prefixed):
    anonymous = prefixed.server.test_client()
    assert _forge(anonymous, "shift-content.children").status_code == 401
    assert _forge(anonymous, "overview-content.children").status_code == 401
    assert _forge(anonymous, "wall-main.children").status_code == 401
    supervisor = prefixed.server.test_client()
    _login(supervisor)
    assert _forge(supervisor, "overview-content.children").status_code == 403
    pattern = '{"index":1,"type":"overview-drill-page"}.children'
    assert _forge(supervisor, pattern).status_code == 403


def test_a_real_callback_under_a_prefix_runs_for_its_role(prefixed):
    supervisor = prefixed.server.test_client()
    _login(supervisor)
    page = render(supervisor, "/shift", route=PREFIX + "_dash-update-component")
    assert "nav-link-shift" in json.dumps(page)
    anonymous = prefixed.server.test_client()
    with pytest.raises(AssertionError, match="not allowed"):
        render(anonymous, "/shift", route=PREFIX + "_dash-update-component")


def test_pages_under_a_prefix_keep_their_area(prefixed):
    anonymous = prefixed.server.test_client()
    response = anonymous.get(PREFIX + "overview")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    supervisor = prefixed.server.test_client()
    _login(supervisor)
    assert supervisor.get(PREFIX + "overview").status_code == 403
    assert supervisor.get(PREFIX + "shift").status_code == 200
