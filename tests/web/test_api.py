"""The JSON API: exact keys, defaults, clear 400s, never a 500, never personal data."""

import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dashboard.shifts import utc_now
from tests.support.db import PERSONAL_MARKERS, insert_tickets, make_ticket

TOP_KEYS = {
    "window", "generated_at", "stale", "received", "forwarded", "resolved_in_window",
    "on_time_rate", "by_channel", "by_line", "by_category", "by_urgency", "by_status",
    "by_shift", "hourly", "now", "overdue_list", "switchboard", "incidents",
}  # fmt: skip


def _seed_now(engine):
    now = utc_now()
    insert_tickets(
        engine,
        [
            make_ticket(received_at=now, status="received"),
            make_ticket(received_at=now, status="forwarded", due_at=now, forwarded_at=now),
        ],
    )


def test_snapshot_defaults_to_the_current_shift(client, app, engine):
    _seed_now(engine)
    service = app.server.config["HOTLINE_SERVICE"]
    assert service.refresh()
    response = client.get("/api/snapshot")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == TOP_KEYS
    day, shift = service.calendar.locate(utc_now())
    assert data["window"]["day"] == day.isoformat()
    assert data["window"]["shift"] == str(shift)
    assert data["received"] == 2
    assert data["stale"] is False
    assert set(data["now"]) == {
        "at", "open", "open_by_status", "overdue", "overdue_by_agency", "awaiting_forward",
        "level4_open",
    }  # fmt: skip
    assert set(data["by_urgency"]) == {"1", "2", "3", "4", "unclassified"}
    assert data["generated_at"].endswith("+07:00")
    assert response.headers["Cache-Control"] == "no-store"


def test_explicit_window_and_whole_day(client):
    data = client.get("/api/snapshot?day=2026-12-01&shift=all").get_json()
    assert data["window"]["shift"] == "all"
    assert data["window"]["start"] == "2026-12-01T06:00:00+07:00"
    data = client.get("/api/snapshot?day=2026-12-01&shift=3").get_json()
    assert data["window"]["end"] == "2026-12-02T06:00:00+07:00"


def test_filters_are_accepted(client, engine):
    insert_tickets(engine, [make_ticket(channel="sms"), make_ticket(channel="call")])
    data = client.get("/api/snapshot?day=2026-12-01&shift=all&channel=sms").get_json()
    assert data["received"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("shift=4", "shift"),
        ("shift=0", "shift"),
        ("shift=ca1", "shift"),
        ("shift=1;DROP TABLE tickets", "shift"),
        ("day=2026-13-01", "day"),
        ("day=2026-02-30", "day"),
        ("day=01-12-2026", "day"),
        ("day=1999-12-31", "day"),
        ("day=9999-12-31", "day"),
        ("day=2026-12-01' OR '1'='1", "day"),
        ("day=" + "9" * 5000, "day"),
        ("shift=" + "1" * 400, "shift"),
        ("channel=fax", "channel"),
        ("urgency=5", "urgency"),
        ("category=<script>", "category"),
        ("agency=" + ",".join(["vp_ubnd"] * 10 + [f"a{i}" for i in range(40)]), "agency"),
    ],
)
def test_bad_parameters_get_400_naming_the_field(client, query, field):
    response = client.get(f"/api/snapshot?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field
    assert body["error"]


def test_tickets_table_survives_injection_attempt(client, engine):
    insert_tickets(engine, [make_ticket()])
    client.get("/api/snapshot?shift=1;DROP TABLE tickets")
    client.get("/api/snapshot?category=x');DELETE FROM tickets;--")
    data = client.get("/api/snapshot?day=2026-12-01&shift=all").get_json()
    assert data["received"] == 1


def test_personal_data_never_appears(client, app, engine):
    now = utc_now()
    rows = [
        make_ticket(received_at=now, status="in_progress", due_at=now, urgency=4),
        make_ticket(received_at=now, status="received", content="<script>alert(1)</script>"),
    ]
    insert_tickets(engine, rows)
    app.server.config["HOTLINE_SERVICE"].refresh()
    bodies = [
        client.get("/api/snapshot").get_data(as_text=True),
        client.get("/api/snapshot?shift=all").get_data(as_text=True),
        client.get("/healthz").get_data(as_text=True),
    ]
    decoded = [json.dumps(json.loads(body), ensure_ascii=False) for body in bodies]
    assert json.loads(bodies[0])["now"]["overdue"] == 1
    for text in bodies + decoded:
        for secret in [*PERSONAL_MARKERS, "<script>"]:
            assert secret not in text


def test_healthz_reports_database_and_age(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["snapshot_age_seconds"] is None
    assert body["stale"] is True  # nothing computed yet
    app.server.config["HOTLINE_SERVICE"].refresh()
    body = client.get("/healthz").get_json()
    assert body["stale"] is False
    assert body["snapshot_age_seconds"] >= 0


def test_database_failure_is_a_503_not_zeros(client, app):
    service = app.server.config["HOTLINE_SERVICE"]
    service.engine.dispose()
    from sqlalchemy import create_engine

    service.engine = create_engine("sqlite:////nonexistent/dir/db.sqlite")
    response = client.get("/api/snapshot?day=2026-12-01&shift=all")
    assert response.status_code == 503
    assert "received" not in response.get_json()
    assert client.get("/healthz").status_code == 503


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"]


param_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
param_names = st.sampled_from(
    ["day", "shift", "channel", "line", "category", "urgency", "agency", "x", "lang"]
)


@hsettings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=st.lists(st.tuples(param_names, param_text), max_size=5))
def test_no_parameter_gives_a_500(client, params):
    response = client.get("/api/snapshot", query_string=params)
    assert response.status_code in (200, 400)
    body = response.get_json()
    if response.status_code == 400:
        assert set(body) == {"error", "field"}
    else:
        assert set(body) == TOP_KEYS


def test_requests_share_one_computation_per_interval(client, app, monkeypatch):
    service = app.server.config["HOTLINE_SERVICE"]
    calls = []
    original = service.compute

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "compute", counting)
    for _ in range(20):
        assert client.get("/api/snapshot?day=2026-11-03&shift=2&channel=sms").status_code == 200
        assert client.get("/api/snapshot?day=2026-11-03&shift=all").status_code == 200
    assert len(calls) == 2


def test_too_many_computations_at_once_is_a_429(client, app, monkeypatch):
    import dashboard.service as service_module

    service = app.server.config["HOTLINE_SERVICE"]
    monkeypatch.setattr(service_module, "REQUEST_WAIT_SECONDS", 0.01)
    for _ in range(service_module.MAX_CONCURRENT_REQUESTS):
        service._request_slots.acquire()
    response = client.get("/api/snapshot?day=2026-11-04&shift=1&line=ubnd")
    assert response.status_code == 429
    assert response.get_json()["error"]
