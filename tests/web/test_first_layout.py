"""First numbers in one round trip: the layout Dash fetches is the page, already filled."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.auth import AccessFile
from dashboard.settings import Settings
from dashboard.shifts import utc_now
from layouts.alerts import SHIFT_ALERTS_BODY
from tests.support.db import insert_tickets, make_ticket
from tests.support.views import answer, call, callback_spec, router_body


def _find(node: Any, component_id: Any) -> dict[str, Any] | None:
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == component_id:
            return props
        for value in props.values():
            found = _find(value, component_id)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _find(item, component_id)
            if found is not None:
                return found
    return None


@pytest.fixture
def app(settings: Settings, engine: Any) -> Iterator[Any]:
    insert_tickets(engine, [make_ticket(received_at=utc_now(), status="received")])
    app = create_app(settings, start_jobs=False)
    assert app.server.config["HOTLINE_SERVICE"].refresh()
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def layout(client: Any, referrer: str | None) -> dict[str, Any]:
    headers = {"Referer": referrer} if referrer else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_the_walls_layout_carries_its_numbers_and_its_address(app):
    client = app.server.test_client()
    tree = layout(client, "http://localhost/?lang=en&theme=light")
    value = _find(tree, ids.tile_value("received_shift"))
    assert value is not None and value["children"] == "1"
    location = _find(tree, ids.URL)
    assert location["pathname"] == "/" and location["search"] == "?lang=en&theme=light"
    assert "Received" in json.dumps(tree, ensure_ascii=False)  # the language of the address


def test_the_same_numbers_as_the_routing_callback(app):
    client = app.server.test_client()
    tree = layout(client, "http://localhost/")
    body = {**router_body("/", ""), "state": []}
    routed = client.post("/_dash-update-component", json=body).get_json()
    page = routed["response"]["page"]["children"]
    for key in ids.TILE_KEYS:
        assert (
            _find(tree, ids.tile_value(key))["children"]
            == _find(page, ids.tile_value(key))["children"]
        ), key


@pytest.mark.parametrize(
    "referrer", [None, "http://evil.example/", "javascript:alert(1)", "http://localhost"[:8]]
)
def test_without_a_same_origin_address_the_layout_is_the_empty_shell(app, referrer):
    tree = layout(app.server.test_client(), referrer)
    assert _find(tree, ids.PAGE).get("children") is None
    assert "pathname" not in _find(tree, ids.URL)


def test_the_pages_answer_with_a_same_origin_referrer_policy(app):
    response = app.server.test_client().get("/")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_with_login_an_anonymous_layout_request_gets_no_numbers(sqlite_url, tmp_path):
    users = tmp_path / "users.json"
    AccessFile(users).add_user("lanhdao", "mat-khau-lanh-dao", "leader", "Lê Văn Đạo")
    app = create_app(
        Settings(DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(users)), start_jobs=False
    )
    try:
        for page in ("/", "/overview", "/shift"):
            tree = layout(app.server.test_client(), f"http://localhost{page}")
            assert _find(tree, ids.PAGE).get("children") is None, page
    finally:
        app.server.config["HOTLINE_SERVICE"].engine.dispose()


@pytest.mark.parametrize(
    ("page", "filled", "callback_output"),
    [
        (
            "/overview",
            [ids.OVERVIEW_KPIS, ids.OVERVIEW_TREND, ids.OVERVIEW_HEATMAP],
            "overview-kpis",
        ),
        ("/shift", [ids.SHIFT_CONTENT], "shift-content"),
    ],
)
def test_the_desk_views_layouts_carry_the_numbers_their_callback_answers(
    app, page, filled, callback_output
):
    client = app.server.test_client()
    tree = layout(client, f"http://localhost{page}")
    for component in filled:
        assert _find(tree, component).get("children"), component
    # The callback (run only when a control changes) answers what the page came with.
    spec = callback_spec(client, callback_output)
    values = {}
    for item in spec["inputs"] + spec["state"]:
        props = _find(tree, item["id"])
        values[f"{item['id']}.{item['property']}"] = props.get(item["property"])
    answered = answer(call(client, callback_output, values))
    for component, props in answered.items():
        for prop, value in props.items():
            assert _find(tree, component).get(prop) == value, (component, prop)
    assert spec.get("prevent_initial_call") is True


def test_the_overview_layout_shows_its_agency_rows_and_the_shift_layout_its_alerts(app):
    client = app.server.test_client()
    overview = layout(client, "http://localhost/overview")
    rows = _find(overview, ids.OVERVIEW_AGENCY_ROWS)["data"]
    shown = _find(overview, ids.OVERVIEW_AGENCIES)["data"]
    assert shown == [row for row in rows if not row["idle"]] and shown
    shift = layout(client, "http://localhost/shift")
    assert "children" in _find(shift, SHIFT_ALERTS_BODY)  # the rows, though none are active


def test_the_pages_load_no_babel_polyfill(app):
    page = app.server.test_client().get("/").get_data(as_text=True)
    assert "react-dom@" in page and "polyfill" not in page


def test_the_walls_meta_carries_its_zones_offset_for_the_clock(app):
    tree = layout(app.server.test_client(), "http://localhost/")
    meta = _find(tree, ids.WALL_META)["data"]
    zone = app.server.config["HOTLINE_SERVICE"].calendar.zone
    expected = utc_now().astimezone(zone).utcoffset().total_seconds() * 1000
    assert meta["utc_offset_ms"] == expected
    assert zone.key != "Asia/Ho_Chi_Minh" or expected == 7 * 3600 * 1000


@pytest.mark.parametrize(
    ("page", "chunks"),
    [
        ("/", []),
        ("/shift", ["dcc/async-datepicker.js", "dcc/async-dropdown.js"]),
        ("/overview", ["dcc/async-dropdown.js", "dash_table/async-table.js"]),
    ],
)
def test_each_page_asks_for_its_fonts_and_chunks_with_the_page(app, page, chunks):
    client = app.server.test_client()
    index = client.get(page).get_data(as_text=True)
    head = index.split("</head>")[0]
    fonts = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', head)
    files = "/assets/vendor/be-vietnam-pro/files/be-vietnam-pro-"
    assert f"{files}latin-400-normal.woff2" in fonts
    assert f"{files}vietnamese-400-normal.woff2" in fonts
    assert len(fonts) == 3  # and the icons: not every weight (a phone's first paint waited)
    icons = next(url for url in fonts if "bootstrap-icons" in url)
    css = client.get("/assets/vendor/bootstrap-icons/bootstrap-icons.min.css").get_data(
        as_text=True
    )
    assert icons.split("/assets/vendor/bootstrap-icons/")[1] in css  # the very URL it loads
    for url in fonts:
        assert client.get(url).status_code == 200, url
    # Held for the loader of a prerendered page (layouts/prerender.py), in the same order.
    scripts = re.findall(r'<script (?:defer |type="text/hv-deferred" )?src="([^"]+)"', index)
    for chunk in chunks:
        url = f"/_dash-component-suites/dash/{chunk}"
        assert url in scripts and client.get(url).status_code == 200
        assert scripts.index(url) > scripts.index(next(s for s in scripts if "dash_renderer" in s))
    assert chunks or not any("async-" in s for s in scripts)


@pytest.mark.parametrize(
    ("output", "shown_id"),
    [
        ("wall-alerts-body.children", "wall-alerts-shown"),
        ("wall-switchboard-body", "wall-switchboard-shown"),
    ],
)
def test_the_walls_strips_are_not_redrawn_when_nothing_changed(app, output, shown_id):
    """An unchanged strip answers nothing: no DOM work and no history entry per refresh."""
    client = app.server.test_client()
    tree = layout(client, "http://localhost/")
    shown = _find(tree, shown_id)["data"]
    assert isinstance(shown, str) and re.fullmatch(r"[0-9a-f]{16}", shown)  # the page's digest
    values = {
        f"{ids.WALL_META}.data": _find(tree, ids.WALL_META)["data"],
        f"{ids.WALL_CONFIG}.data": _find(tree, ids.WALL_CONFIG)["data"],
        f"{ids.URL}.search": "",
        f"{shown_id}.data": shown,
    }
    assert answer(call(client, output, values)) == {}
    values[f"{shown_id}.data"] = "an older digest"
    answered = answer(call(client, output, values))
    assert answered[shown_id]["data"] == shown
