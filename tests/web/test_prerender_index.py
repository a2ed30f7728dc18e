"""The overview's index carries the page as HTML, built once for the index and Dash's layout."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.settings import Settings
from dashboard.shifts import utc_now
from layouts.prerender import DEFERRED, ROOT_CLASS
from layouts.wall import FIT_SCRIPT
from tests.support.components import props_where
from tests.support.db import insert_tickets, make_ticket
from tests.support.views import find

COPY = re.compile(rf'<div class="{ROOT_CLASS}">(.*?)</div>\s*<div id="react-entry-point">', re.S)


@pytest.fixture
def app(settings: Settings, engine: Any) -> Iterator[Any]:
    now = utc_now()
    insert_tickets(
        engine,
        [
            make_ticket(received_at=now - timedelta(hours=hours), status="received")
            for hours in (1, 2, 3)
        ],
    )
    app = create_app(settings, start_jobs=False)
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def _text(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


def _kpi_values(tree: Any) -> list[str]:
    """The texts of the KPI values of a layout (Dash's JSON form)."""
    shown = props_where(tree, lambda props: "hv-kpi-value" in str(props.get("className", "")))
    return [str(props.get("children")) for props in shown]


def _count_overviews(app: Any) -> list[int]:
    service = app.server.config["HOTLINE_SERVICE"]
    calls = [0]
    original = service.overview

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    service.overview = counted
    return calls


def test_the_index_carries_the_page_and_dash_takes_the_same_layout(app):
    calls = _count_overviews(app)
    client = app.server.test_client()
    index = client.get("/overview?lang=en").get_data(as_text=True)
    copy = COPY.search(index)
    assert copy is not None and index.count(ROOT_CLASS) == 2  # the copy and its removal script
    text = _text(copy.group(1))
    assert "Overview" in text and "Received" in text
    assert ' id="' not in copy.group(1)  # no id stands twice while both are on the page
    # Dash's layout request is handed the index's layout: the page is computed once.
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost/overview?lang=en"})
    tree = json.loads(response.get_data(as_text=True))
    assert calls[0] == 1
    assert find(tree, ids.OVERVIEW_SUBTITLE)["children"] in text  # the very numbers
    values = _kpi_values(find(tree, ids.OVERVIEW_KPIS)["children"])
    assert len(values) >= 6 and "3" in values  # the three tickets received
    for value in values:
        assert value in text
    # Once: the next layout request computes the page again.
    client.get("/_dash-layout", headers={"Referer": "http://localhost/overview?lang=en"})
    assert calls[0] == 2


def test_the_shift_index_carries_the_shift_view_dash_then_takes(app):
    client = app.server.test_client()
    index = client.get("/shift?lang=en").get_data(as_text=True)
    copy = COPY.search(index)
    assert copy is not None and ' id="' not in copy.group(1)
    assert 'class="hv-shift-content"' in copy.group(1)  # laid out by class, as Dash's page
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost/shift?lang=en"})
    tree = json.loads(response.get_data(as_text=True))
    values = _kpi_values(find(tree, ids.SHIFT_CONTENT)["children"])
    assert len(values) >= 4 and "3" in values  # the three open tickets
    for value in values:
        assert f">{value}<" in copy.group(1)


def test_the_scripts_wait_for_the_first_paint_on_the_prerendered_pages_only(app):
    client = app.server.test_client()
    for page in ("/overview", "/", "/shift"):
        index = client.get(page).get_data(as_text=True)
        assert f'<script type="{DEFERRED}" src="' in index and "<script src=" not in index, page
        assert "first-contentful-paint" in index, page
    screens = client.get("/screens").get_data(as_text=True)
    assert ROOT_CLASS not in screens and DEFERRED not in screens
    assert re.search(r'<script src="[^"]*dash_renderer', screens)


WALL_TILE_VALUES = frozenset(ids.tile_value(key) for key in ids.TILE_KEYS)


def _tile_values(tree: Any) -> dict[str, str]:
    """The wall's KPI numbers in a layout (Dash's JSON form), by tile."""
    shown = props_where(tree, lambda props: str(props.get("id", "")) in WALL_TILE_VALUES)
    return {str(props["id"]): str(props.get("children")) for props in shown}


def test_the_wall_index_carries_the_wall_scaled_before_its_first_paint(app):
    assert app.server.config["HOTLINE_SERVICE"].refresh()  # the wall shows the last snapshot
    client = app.server.test_client()
    index = client.get("/?lang=en").get_data(as_text=True)
    copy = COPY.search(index)
    assert copy is not None and ' id="' not in copy.group(1)
    text = _text(copy.group(1))
    assert "Received this shift" in text
    # The clock shows the time the page was built, not dashes, until the browser's ticks.
    assert re.search(r'class="wall-clock">\d\d:\d\d:\d\d</div>', copy.group(1))
    # The canvas is scaled to the screen before the copy is parsed: no jump on a TV.
    assert index.index(FIT_SCRIPT) < index.index(f'<div class="{ROOT_CLASS}">')
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost/?lang=en"})
    values = _tile_values(json.loads(response.get_data(as_text=True)))
    assert len(values) == 8 and values[ids.tile_value("open")] == "3"
    for value in values.values():
        assert f">{value}<" in copy.group(1)  # the very numbers Dash then draws
    # Desk pages have no canvas to scale.
    assert FIT_SCRIPT not in client.get("/overview").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "dimmed"),
    [("?night=on", True), ("?night=off", False), ("?night=nonsense&lang=en", False)],
)
def test_the_wall_opens_dimmed_when_night_mode_says_so(app, query, dimmed):
    # "nonsense" is "auto": dimmed in Ca 3 only, which the clock decides; set no night shift.
    app.server.config["HOTLINE_SERVICE"].settings.night_shifts = ""
    client = app.server.test_client()
    opening = re.search(r"<html[^>]*>", client.get("/" + query).get_data(as_text=True))
    assert opening is not None and ('class="wall-night"' in opening.group(0)) is dimmed
    desk = re.search(r"<html[^>]*>", client.get("/shift?night=on").get_data(as_text=True))
    assert desk is not None and "wall-night" not in desk.group(0)


@pytest.mark.parametrize("page", ["/overview", "/", "/shift"])
def test_no_personal_data_in_the_copy(app, page):
    index = app.server.test_client().get(page).get_data(as_text=True)
    assert COPY.search(index) is not None
    for private in ("Nguyễn Văn Riêng", "0909123456", "rieng@example.vn", "Nội dung riêng tư"):
        assert private not in index


def test_a_copy_that_cannot_be_built_leaves_dashs_own_page(app, caplog):
    def broken(path: str, search: str) -> Any:
        raise RuntimeError("database gone")

    app.prerender = broken
    response = app.server.test_client().get("/overview")
    index = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ROOT_CLASS not in index and re.search(r'<script src="[^"]*dash_renderer', index)
    assert "could not be built" in caplog.text


def test_only_the_page_itself_carries_a_copy_and_it_is_never_cached(app):
    client = app.server.test_client()
    response = client.get("/overview")
    assert ROOT_CLASS in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-cache"
    for path in ("/overview/anything", "/shift/report", "/screens"):  # not prerendered
        assert ROOT_CLASS not in client.get(path).get_data(as_text=True), path


def test_no_copy_behind_a_path_prefix(sqlite_url, monkeypatch):
    # A proxy strips /board/: the index is asked for as /overview, but the layout request's
    # Referer names /board/overview, so the handover would never match.
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/board/")
    app = create_app(Settings(DATABASE_URL=sqlite_url, HOTLINE_SIMULATE=False), start_jobs=False)
    try:
        index = app.server.test_client().get("/overview")
        assert index.status_code == 200 and ROOT_CLASS not in index.get_data(as_text=True)
    finally:
        app.server.config["HOTLINE_SERVICE"].engine.dispose()
