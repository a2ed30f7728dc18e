"""Who may see the alerts and who may acknowledge them (login configured)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from dashboard.app import create_app
from dashboard.auth import AccessFile
from dashboard.settings import Settings
from dashboard.shifts import utc_now
from tests.support.db import insert_tickets, make_ticket

PASSWORDS = {"truongca": "mat-khau-truong-ca", "lanhdao": "mat-khau-lanh-dao"}


@pytest.fixture
def secured(sqlite_url, tmp_path):
    path = tmp_path / "users.json"
    access = AccessFile(path)
    access.add_user("truongca", PASSWORDS["truongca"], "supervisor", "Trần Thị Ca")
    access.add_user("lanhdao", PASSWORDS["lanhdao"], "leader", "Lê Văn Đạo")
    settings = Settings(DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(path))
    app = create_app(settings, start_jobs=False)
    now = utc_now()
    writer = app.server.config["HOTLINE_ALERTS"].engine
    insert_tickets(
        writer,
        [
            make_ticket(
                code="1022-R-0001",
                status="forwarded",
                agency="so_xay_dung",
                forwarded_at=now - timedelta(hours=3),
                due_at=now - timedelta(minutes=10),
            )
        ],
    )
    app.server.config["HOTLINE_ALERTS"].evaluate(now)
    yield app
    app.server.config["HOTLINE_ALERTS"].close()
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def _login(client, username):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"username": username, "password": PASSWORDS[username], "csrf": token}
    )


def _ack(client, alert_id):
    button = {"alert": alert_id, "type": "shift-alert-ack"}
    body = {
        "output": "..shift-alerts-body.children...shift-alerts-notice.children..",
        "outputs": [
            {"id": "shift-alerts-body", "property": "children"},
            {"id": "shift-alerts-notice", "property": "children"},
        ],
        "inputs": [
            {"id": "shift-alerts-tick", "property": "n_intervals", "value": 3},
            [{"id": button, "property": "n_clicks", "value": 1}],
        ],
        "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
        "state": [{"id": "url", "property": "search", "value": ""}],
    }
    return client.post("/_dash-update-component", json=body)


def test_alert_pages_need_a_login(secured):
    client = secured.server.test_client()
    assert client.get("/api/alerts").status_code == 401
    response = client.get("/alerts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/alerts.csv").status_code == 302


def test_only_a_supervisor_acknowledges(secured):
    alerts = secured.server.config["HOTLINE_ALERTS"]
    (alert,) = alerts.active()
    anonymous = secured.server.test_client()
    assert _ack(anonymous, alert.id).status_code == 401
    leader = secured.server.test_client()
    _login(leader, "lanhdao")
    assert leader.get("/alerts").status_code == 200
    response = _ack(leader, alert.id)
    assert response.status_code == 200
    assert "Chỉ trưởng ca" in json.dumps(response.get_json(), ensure_ascii=False)
    alerts.invalidate()
    assert alerts.active()[0].state == "firing"
    supervisor = secured.server.test_client()
    _login(supervisor, "truongca")
    response = _ack(supervisor, alert.id)
    assert response.status_code == 200, response.get_data(as_text=True)
    (acked,) = alerts.active()
    assert acked.state == "acknowledged" and acked.acknowledged_by == "Trần Thị Ca"
