"""The wall's callbacks through Dash's own HTTP protocol (Flask test client, no browser)."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from callbacks.wall import refresh_outputs
from dashboard import ids
from dashboard.app import create_app
from dashboard.settings import Settings
from dashboard.shifts import utc_now
from data_access.engine import make_engine
from layouts.wall_charts import COUNTED_PART
from tests.support.db import insert_tickets, make_ticket
from tests.support.views import dependencies, find, router_body


@pytest.fixture
def wall(sqlite_url):
    """An app (no scheduler), its service, its test client and a writer engine."""
    app = create_app(
        Settings(DATABASE_URL=sqlite_url, HOTLINE_SIMULATE=False, HOTLINE_REFRESH_SECONDS=5),
        start_jobs=False,
    )
    writer = make_engine(sqlite_url)
    service = app.server.config["HOTLINE_SERVICE"]
    now = utc_now()
    # Within the current shift even just after a shift change (the wall counts the shift).
    start = service.calendar.current_window(now).start
    insert_tickets(
        writer,
        [
            make_ticket(
                received_at=max(now - timedelta(minutes=20), start + timedelta(seconds=1)),
                due_at=now - timedelta(minutes=5),
            ),
            make_ticket(
                received_at=max(now - timedelta(minutes=3), start + timedelta(seconds=2)),
                category="y_te",
                urgency=4,
            ),
        ],
    )
    yield app, service, app.server.test_client(), writer
    writer.dispose()
    service.engine.dispose()


def _count_rows(components, list_id, part="bar-label"):
    text = json.dumps(components)
    pattern = r'"id": \{"type": "' + part + '", "list": "' + re.escape(list_id) + '"'
    return len(re.findall(pattern, text))


def render_page(client, search=""):
    body = {
        "output": "page.children",
        "outputs": {"id": "page", "property": "children"},
        "inputs": [
            {"id": "url", "property": "pathname", "value": "/"},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:500]
    return response.get_json()["response"]["page"]["children"]


_PAGES: dict[int, tuple[dict[str, int], object, object]] = {}


def refresh_request(client, page, *, config=None, meta=None):
    """POST the wall's refresh callback exactly as the browser does for ``page``."""
    output = getattr(client, "refresh_output", None)
    if output is None:
        deps = dependencies(client)
        output = next(d["output"] for d in deps if "wall-meta.data" in d["output"])
        client.refresh_output = output
    key = id(page)
    if key not in _PAGES:
        _PAGES.clear()
        _PAGES[key] = (
            {
                **{list_id: _count_rows(page, list_id) for list_id in ids.BAR_LISTS},
                **{chart: _count_rows(page, chart, COUNTED_PART) for chart in ids.GRAPHS},
            },
            find(page, ids.WALL_CONFIG)["data"],
            find(page, ids.WALL_META)["data"],
        )
    rows, page_config, page_meta = _PAGES[key]
    outputs = []
    for spec in refresh_outputs():
        if isinstance(spec.component_id, dict):
            list_id = spec.component_id["list"]
            part = spec.component_id["type"]
            outputs.append(
                [
                    {
                        "id": {"type": part, "list": list_id, "index": index},
                        "property": spec.component_property,
                    }
                    for index in range(rows[list_id])
                ]
            )
        else:
            outputs.append({"id": spec.component_id, "property": spec.component_property})
    body = {
        "output": output,
        "outputs": outputs,
        "inputs": [{"id": ids.WALL_REQUEST, "property": "data", "value": 1}],
        "state": [
            {
                "id": ids.WALL_CONFIG,
                "property": "data",
                "value": page_config if config is None else config,
            },
            {
                "id": ids.WALL_META,
                "property": "data",
                "value": page_meta if meta is None else meta,
            },
        ],
        "changedPropIds": [f"{ids.WALL_REQUEST}.data"],
    }
    return client.post("/_dash-update-component", json=body)


def test_the_index_links_only_local_assets_and_follows_lang_and_theme(wall):
    _, _, client, _ = wall
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi" data-bs-theme="dark">' in page
    assert "<title>Bảng theo dõi đường dây nóng 1022</title>" in page
    assert "/assets/vendor/themes/darkly.min.css" in page and "flatly" not in page
    assert "favicon.ico" in page
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    english = client.get("/?lang=en&theme=light").get_data(as_text=True)
    assert '<html lang="en" data-bs-theme="light">' in english
    assert "<title>Hotline 1022 wallboard</title>" in english
    assert "flatly.min.css" in english
    hostile = client.get('/?lang="><script>&theme=<b>')
    assert hostile.status_code == 200 and "<script>&" not in hostile.get_data(as_text=True)


def test_before_the_first_refresh_the_page_is_loading_not_zero(wall):
    _, _, client, _ = wall
    page = render_page(client)
    assert find(page, ids.tile_value("overdue"))["children"] == "…"
    assert "wall--loading" in find(page, ids.WALL)["className"]
    assert find(page, ids.WALL_BANNER_TEXT)["children"] == "Đang tải số liệu…"


def test_the_page_comes_filled_and_a_refresh_sends_only_what_changed(wall):
    _, service, client, writer = wall
    assert service.refresh()
    page = render_page(client)
    assert find(page, ids.tile_value("received_shift"))["children"] in ("1", "2")
    assert find(page, ids.tile_value("overdue"))["children"] == "1"
    assert find(page, ids.tile_value("level4_open"))["children"] == "1"
    assert find(page, ids.WALL_BANNER)["className"].endswith("--hidden")

    # Nothing new: only the meta (server time, view key) goes back.
    response = refresh_request(client, page)
    assert response.status_code == 200
    assert set(response.get_json()["response"]) == {ids.WALL_META}

    # A new ticket: the numbers that changed, as leaves and patches; not the labels.
    insert_tickets(writer, [make_ticket(received_at=utc_now() - timedelta(seconds=5))])
    assert service.refresh(now=utc_now() + timedelta(seconds=1))
    changed = refresh_request(client, page).get_json()["response"]
    assert ids.tile_value("received_shift") in changed
    assert ids.WALL_DATA_TIME in changed
    assert ids.WALL_SHIFT not in changed and ids.tile_value("level4_open") not in changed
    # The hourly chart: only the bars that changed, in place (layouts/wall_charts.py).
    assert ids.HOURLY_GRAPH not in changed, "the chart is not rebuilt"
    bars = [key for key in changed if key.startswith("{") and '"chart-bar"' in key]
    assert bars, "the hourly bars are updated in place"
    fields = [key for key in changed if key.startswith("{") and "list-fields" in key]
    assert fields, "the field list is updated in place"
    assert ids.FIELDS_LIST not in changed, "its rows are not rebuilt"


def test_a_stale_service_raises_the_banner_and_keeps_the_numbers(wall):
    _, service, client, _ = wall
    assert service.refresh()
    page = render_page(client)
    service.state.failing_since = utc_now()
    changed = refresh_request(client, page).get_json()["response"]
    assert changed[ids.WALL_BANNER]["className"] == "wall-banner wall-banner--stale"
    assert changed[ids.WALL_BANNER_TEXT]["children"].startswith("Số liệu cũ từ ")
    assert "wall--stale" in changed[ids.WALL]["className"]
    assert ids.tile_value("overdue") not in changed  # the last good number stays


@pytest.mark.parametrize(
    ("config", "meta"),
    [
        ("<script>alert(1)</script>", 12),
        ({"options": {"lang": "xx", "day": "2026-02-30", "shift": "9", "rotate": "-1"}}, {}),
        ({"options": ["not", "a", "dict"]}, {"key": {"nested": True}}),
        (None, None),
    ],
)
def test_forged_refresh_payloads_get_defaults_not_a_500(wall, config, meta):
    _, service, client, _ = wall
    service.refresh()
    page = render_page(client)
    response = refresh_request(
        client, page, config=config if config is not None else {}, meta=meta or {}
    )
    assert response.status_code == 200


def test_kiosk_parameters_fix_the_window(wall):
    _, service, client, _ = wall
    service.refresh()
    page = render_page(client, "?shift=all&lang=en")
    assert find(page, ids.WALL_SHIFT)["children"] == "Whole day"
    assert find(page, ids.WALL_FIXED)["children"] == "Fixed"
    past = render_page(client, "?day=2026-01-05&shift=3")
    assert find(past, ids.tile_value("received_shift"))["children"] == "…"  # next refresh
    service.refresh()
    past = render_page(client, "?day=2026-01-05&shift=3")
    assert find(past, ids.tile_value("received_shift"))["children"] == "0"
    bad = render_page(client, "?day=yesterday&shift=99&rotate=abc&theme=neon")
    assert find(bad, ids.WALL_SHIFT)["children"].startswith("Ca ")


def test_an_unknown_address_gets_a_page_not_an_error(wall):
    _, _, client, _ = wall
    body = {**router_body("/nope", ""), "state": []}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert "Không có trang này" in json.dumps(response.get_json(), ensure_ascii=False)


def test_one_and_fifty_screens_cost_the_database_the_same(wall):
    """A simulated minute each: the scheduled refresh every 5 s, every screen polling as often."""
    _, service, client, _ = wall
    statements = {"n": 0}

    @event.listens_for(service.engine, "before_cursor_execute")
    def _count(*_args):
        statements["n"] += 1

    page = render_page(client)

    def one_minute(screens: int, start) -> tuple[int, int, int]:
        computations, queries = service.state.computations, statements["n"]
        from_screens = 0
        for tick in range(12):  # 60 s at HOTLINE_REFRESH_SECONDS=5
            service.refresh(now=start + timedelta(seconds=5 * tick))
            before = statements["n"]
            for _screen in range(screens):
                assert refresh_request(client, page).status_code == 200
            from_screens += statements["n"] - before
        return service.state.computations - computations, statements["n"] - queries, from_screens

    start = utc_now()
    one = one_minute(1, start)
    fifty = one_minute(50, start + timedelta(minutes=1))
    assert one[0] == fifty[0] == 12  # snapshot computations per minute
    assert one[2] == fifty[2] == 0  # no screen ever queries the database
    assert fifty[1] <= one[1]  # database statements per minute (the names are cached)


def test_a_page_opened_before_the_first_snapshot_fills_in_by_itself(wall):
    _, service, client, _ = wall
    page = render_page(client)
    assert _count_rows(page, ids.FIELDS_LIST) == 0
    assert service.refresh()
    changed = refresh_request(client, page).get_json()["response"]
    assert changed[ids.tile_value("overdue")]["children"] == "1"
    assert "wall--ok" in changed[ids.WALL]["className"]
    assert changed[ids.WALL_BANNER]["className"].endswith("--hidden")
    # The empty lists get their rows; the charts their columns (layouts/wall_charts.py).
    assert _count_rows(changed[ids.FIELDS_LIST]["children"], ids.FIELDS_LIST) == 15
    assert ids.SHIFTS_GRAPH not in changed, "the chart's columns were there: not rebuilt"
    shifts = [key for key in changed if key.startswith("{") and '"chart-cur"' in key]
    assert shifts, "the shifts' bars get their heights"
