"""Forged Dash callback requests get a 400, never a 500."""

import json

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from tests.support.views import router_body

ROUTE = "/_dash-update-component"


@pytest.fixture
def client(sqlite_url):
    app = create_app(Settings(DATABASE_URL=sqlite_url), start_jobs=False)
    yield app.server.test_client()
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        "text",
        {"output": "no-such.children", "inputs": []},
        {"output": "page.children", "inputs": []},
        {"output": "page.children", "inputs": "url.pathname"},
        {"output": "page.children", "inputs": [1, 2]},
        {"output": ["page.children"], "inputs": []},
        {**router_body("/", ""), "changedPropIds": "url.pathname"},
    ],
)
def test_malformed_callback_bodies_get_400(client, body):
    response = client.post(ROUTE, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_non_json_and_huge_bodies_are_refused(client):
    assert client.post(ROUTE, data="{not json", content_type="application/json").status_code == 400
    huge = json.dumps({"output": "page.children", "x": "a" * 1_100_000})
    assert client.post(ROUTE, data=huge, content_type="application/json").status_code == 413


@pytest.mark.parametrize("pathname", ["/", 42, None, ["/"], {"a": 1}, "/" + "x" * 5000])
def test_router_takes_any_value_without_a_500(client, pathname):
    body = router_body(pathname, {"lang": "en"})
    response = client.post(ROUTE, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200


def test_a_well_formed_request_still_works(client):
    body = router_body("/", "?lang=en")
    response = client.post(ROUTE, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert "page" in response.get_json()["response"]


def test_every_response_forbids_framing_and_sniffing(client):
    for path in ("/", "/login", "/healthz", "/api/snapshot?shift=all"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
