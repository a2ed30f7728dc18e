"""The desk views through Dash's HTTP protocol: URL round trip, bad parameters, forged payloads.

No browser: the router and the callbacks are POSTed as the page would, on an
SQLite file. Every bad value gets a clear message or nothing; never a 500.
"""

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dashboard import ids
from dashboard.app import create_app
from dashboard.auth import AccessFile
from dashboard.params import ParameterError
from dashboard.settings import Settings
from dashboard.view_params import (
    RangeParams,
    ShiftParams,
    parse_range_params,
    parse_search,
    parse_shift_params,
    range_query,
    shift_query,
)
from data_access.engine import make_engine
from data_access.queries import Filters
from tests.support.db import insert_tickets, local, make_ticket
from tests.support.views import answer, call, dumps, find, render, texts

NOW = local("2026-12-02 07:00")
SHIFT_INPUTS = {
    f"{ids.SHIFT_DAY}.date": "2026-12-01",
    f"{ids.SHIFT_NUMBER}.value": 2,
    f"{ids.SHIFT_LANG}.data": "vi",
}
RANGE_INPUTS = {
    f"{ids.OVERVIEW_RANGE}.start_date": "2026-11-30",
    f"{ids.OVERVIEW_RANGE}.end_date": "2026-12-01",
    f"{ids.OVERVIEW_LANG}.data": "vi",
}


@pytest.fixture
def app(sqlite_url):
    engine = make_engine(sqlite_url)
    t = make_ticket
    insert_tickets(
        engine,
        [
            t(code="V1", received_at=local("2026-12-01 14:10"), channel="sms", urgency=4,
              agency="evn_hcmc", status="forwarded", forwarded_at=local("2026-12-01 14:20"),
              due_at=local("2026-12-01 15:00")),
            t(code="V2", received_at=local("2026-12-01 15:00"), channel="call", urgency=1,
              status="resolved", resolved_at=local("2026-12-01 15:10")),
            t(code="V3", received_at=local("2026-12-01 08:00"), channel="web", urgency=2,
              area='<img src=x onerror=alert(1)>', status="received"),
        ],
    )  # fmt: skip
    engine.dispose()
    app = create_app(Settings(DATABASE_URL=sqlite_url), start_jobs=False)
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


@pytest.fixture
def client(app):
    return app.server.test_client()


# --- the URL round trip ---------------------------------------------------------------------


def test_shift_url_sets_the_controls(client):
    page = render(client, "/shift", "?day=2026-12-01&shift=2&channel=sms,call&urgency=4")
    assert find(page, ids.SHIFT_DAY)["date"] == "2026-12-01"
    assert find(page, ids.SHIFT_NUMBER)["value"] == 2
    assert find(page, ids.filter_id("shift", "channel"))["value"] == ["sms", "call"]
    assert find(page, ids.filter_id("shift", "urgency"))["value"] == ["4"]
    assert find(page, ids.filter_id("shift", "agency"))["value"] == []


def test_shift_controls_write_the_url_back(client):
    values = {**SHIFT_INPUTS, f"{ids.filter_id('shift', 'channel')}.value": ["sms", "call"]}
    out = answer(call(client, "shift-content.children", values))
    query = out[ids.SHIFT_QUERY]["data"]
    assert query == "?day=2026-12-01&shift=2&channel=sms,call"
    assert out[ids.SHIFT_REPORT_LINK]["href"] == "/shift/report" + query
    content = dumps(out[ids.SHIFT_CONTENT]["children"])
    assert "shift-kpi-received" in content
    # and the URL written gives back the same controls
    page = render(client, "/shift", query)
    assert find(page, ids.filter_id("shift", "channel"))["value"] == ["sms", "call"]


def test_overview_url_round_trip(client):
    page = render(client, "/overview", "?from=2026-11-30&to=2026-12-01&agency=evn_hcmc&lang=en")
    assert find(page, ids.OVERVIEW_RANGE)["start_date"] == "2026-11-30"
    assert find(page, ids.filter_id("overview", "agency"))["value"] == ["evn_hcmc"]
    assert find(page, ids.OVERVIEW_LANG)["data"] == "en"
    values = {**RANGE_INPUTS, f"{ids.filter_id('overview', 'agency')}.value": ["evn_hcmc"]}
    values[f"{ids.OVERVIEW_LANG}.data"] = "en"
    out = answer(call(client, "overview-subtitle.children", values))
    query = out[ids.OVERVIEW_QUERY]["data"]
    assert query == "?from=2026-11-30&to=2026-12-01&agency=evn_hcmc&lang=en"
    assert out[ids.OVERVIEW_EXPORT_TICKETS]["href"] == "/export/tickets.csv" + query
    assert out[ids.OVERVIEW_EXPORT_AGENCIES]["href"] == "/export/agencies.csv" + query


DEC1 = local("2026-12-01 12:00").date()


@pytest.mark.parametrize(
    "params",
    [
        ShiftParams(DEC1, 1, filters=Filters()),
        ShiftParams(
            DEC1, 3, filters=Filters(channels=("sms",), urgencies=("4", "unclassified")), lang="en"
        ),
        ShiftParams(
            DEC1,
            2,
            filters=Filters(lines=("ubnd",), categories=("dien",), agencies=("unassigned",)),
        ),
    ],
)
def test_shift_params_survive_their_query(calendar, params):
    assert parse_shift_params(parse_search(shift_query(params)), calendar, NOW) == params


@given(
    days=st.integers(min_value=0, max_value=365),
    channels=st.lists(st.sampled_from(["call", "sms", "email", "web"]), unique=True),
    urgencies=st.lists(st.sampled_from(["1", "2", "3", "4", "unclassified"]), unique=True),
    lang=st.sampled_from(["vi", "en"]),
)
@hsettings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_range_params_survive_their_query(calendar, days, channels, urgencies, lang):
    last = NOW.date()
    first = last - timedelta(days=days)
    params = RangeParams(
        first,
        last,
        filters=Filters(channels=tuple(channels), urgencies=tuple(urgencies)),
        lang=lang,
    )
    assert parse_range_params(parse_search(range_query(params)), calendar, NOW) == params


# --- bad parameters: a clear message, never a 500 -------------------------------------------


@pytest.mark.parametrize(
    ("search", "words"),
    [
        ("?day=2026-13-40", "day"),
        ("?day=hôm-nay", "day"),
        ("?shift=4", "shift"),
        ("?shift=all", "shift"),
        ("?channel=fax", "channel"),
        ("?category=not_a_field", "category"),
        ("?lang=fr", "lang"),
    ],
)
def test_a_bad_shift_url_shows_a_message_and_the_defaults(client, search, words):
    page = render(client, "/shift", search)
    text = texts(page)
    assert "Tham số không hợp lệ" in text and words in text
    assert find(page, ids.SHIFT_DAY)["date"]  # the current shift, usable at once


@pytest.mark.parametrize(
    "search", ["?from=2026-12-02&to=2026-12-01", "?from=2024-01-01&to=2026-12-01", "?to=31/12/2026"]
)
def test_a_bad_overview_url_shows_a_message(client, search):
    text = texts(render(client, "/overview", search))
    assert "Tham số không hợp lệ" in text


@pytest.mark.parametrize(
    "changes",
    [
        {f"{ids.SHIFT_DAY}.date": 20261201},
        {f"{ids.SHIFT_DAY}.date": "2026-02-30"},
        {f"{ids.SHIFT_NUMBER}.value": "9"},
        {f"{ids.SHIFT_NUMBER}.value": {"x": 1}},
        {f"{ids.filter_id('shift', 'channel')}.value": [{"$ne": 1}]},
        {f"{ids.filter_id('shift', 'agency')}.value": ["'; DROP TABLE tickets; --"]},
        {f"{ids.filter_id('shift', 'urgency')}.value": "4"},
        {f"{ids.SHIFT_LANG}.data": "<script>"},
    ],
)
def test_forged_shift_payloads_get_a_message_not_a_500(client, changes):
    response = call(client, "shift-content.children", {**SHIFT_INPUTS, **changes})
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "drill",
        {"measure": "citizen_phone", "first": "2026-11-30", "last": "2026-12-01"},
        {"measure": "received", "first": "2026-12-01", "last": "2026-11-30"},
        {"measure": "received", "first": "2026-11-30", "last": "2026-12-01", "agency": "x;--"},
        {"measure": "received", "first": "2026-11-30", "last": "2026-12-01", "urgency": "9"},
        {"measure": "received", "first": "2026-11-30", "last": "2026-12-01", "filters": [1]},
        {"measure": "received", "first": "2026-11-30", "last": "2026-12-01",
         "filters": {"channel": "fax"}},
    ],
)  # fmt: skip
def test_forged_drill_stores_get_a_message(client, stored):
    values = {f"{ids.OVERVIEW_DRILL}.data": stored, f"{ids.OVERVIEW_DRILL_TABLE}.page_current": 0}
    out = answer(call(client, "overview-drill-title.children", values))
    assert "Tham số không hợp lệ" in out[ids.OVERVIEW_DRILL_TITLE]["children"]
    assert out[ids.OVERVIEW_DRILL_TABLE]["data"] == []


def test_a_drill_lists_codes_without_personal_data(client):
    stored = {"measure": "received", "first": "2026-12-01", "last": "2026-12-01", "filters": {}}
    values = {f"{ids.OVERVIEW_DRILL}.data": stored, f"{ids.OVERVIEW_DRILL_TABLE}.page_current": 0}
    out = answer(call(client, "overview-drill-title.children", values))
    rows = out[ids.OVERVIEW_DRILL_TABLE]["data"]
    assert [row["code"] for row in rows] == ["V2", "V1", "V3"]
    assert "3 phiếu" in out[ids.OVERVIEW_DRILL_COUNT]["children"]
    text = dumps(out)
    for personal in ("Nguyễn Văn Riêng", "0909123456", "rieng@example.vn", "riêng tư"):
        assert personal not in text
    # hostile area text travels as data, never as markup
    assert rows[2]["area"] == "<img src=x onerror=alert(1)>"


def test_history_of_a_forged_code_is_refused_quietly(client):
    rows = [{"id": "V1", "code": "V1"}]
    for cell in ({"row_id": "../../etc"}, {"row_id": 5}, "x", {"row_id": "NOPE"}):
        values = {
            f"{ids.OVERVIEW_DRILL_TABLE}.active_cell": cell,
            f"{ids.OVERVIEW_DRILL_TABLE}.data": rows,
            f"{ids.OVERVIEW_LANG}.data": "vi",
        }
        response = call(client, "overview-history.children", values)
        assert response.status_code in (200, 204)
    assert "Không tìm thấy phiếu NOPE" in dumps(answer(response))


@given(query=st.text(max_size=200))
@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_url_gives_a_500(client, query):
    for path in ("/shift", "/overview", "/shift/report"):
        response = client.post(
            "/_dash-update-component",
            json={
                "output": "page.children",
                "outputs": {"id": "page", "property": "children"},
                "inputs": [
                    {"id": "url", "property": "pathname", "value": path},
                    {"id": "url", "property": "search", "value": "?" + query},
                ],
                "changedPropIds": ["url.pathname"],
                "state": [],
            },
        )
        assert response.status_code == 200


# --- roles, with the real callbacks ---------------------------------------------------------


def test_real_callbacks_keep_the_roles_apart(sqlite_url, tmp_path):
    users = tmp_path / "users.json"
    access = AccessFile(users)
    access.add_user("truongca", "mat-khau-truong-ca", "supervisor")
    access.add_user("lanhdao", "mat-khau-lanh-dao", "leader")
    app = create_app(
        Settings(DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(users)), start_jobs=False
    )
    try:

        def signed_in(username, password):
            client = app.server.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            client.post("/login", data={"username": username, "password": password, "csrf": token})
            return client

        supervisor = signed_in("truongca", "mat-khau-truong-ca")
        leader = signed_in("lanhdao", "mat-khau-lanh-dao")
        anonymous = app.server.test_client()
        assert call(supervisor, "shift-content.children", SHIFT_INPUTS).status_code == 200
        assert call(supervisor, "overview-subtitle.children", RANGE_INPUTS).status_code == 403
        assert call(anonymous, "shift-content.children", SHIFT_INPUTS).status_code == 401
        assert call(leader, "overview-subtitle.children", RANGE_INPUTS).status_code == 200
        assert call(leader, "shift-content.children", SHIFT_INPUTS).status_code == 200
        # a forged router request for a page of another role gets the refusal, not the page
        body = texts(render(supervisor, "/overview"))
        assert "Bạn không có quyền xem trang này" in body
        assert ids.OVERVIEW_KPIS not in body
    finally:
        app.server.config["HOTLINE_SERVICE"].engine.dispose()


def test_parse_errors_name_their_field(calendar):
    with pytest.raises(ParameterError) as caught:
        parse_range_params({"from": "2026-12-05", "to": "2026-12-01"}, calendar, NOW)
    assert caught.value.field == "to"
