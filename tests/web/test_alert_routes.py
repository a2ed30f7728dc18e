"""The alerts' routes through the Flask test client: JSON, history, CSV, acknowledge links."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings, SettingsError
from dashboard.shifts import utc_now
from tests.support.db import PERSONAL_MARKERS, insert_tickets, make_ticket, overdue_ticket

API_KEYS = {
    "id", "rule", "state", "since", "tickets", "agency", "urgency",
    "acknowledged_by", "acknowledged_at", "escalated",
}  # fmt: skip


@pytest.fixture
def app(settings: Settings):
    settings = settings.model_copy(update={"secret_key": "test-secret"})
    app = create_app(settings, start_jobs=False)
    yield app
    app.server.config["HOTLINE_ALERTS"].close()
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


@pytest.fixture
def seeded(app, engine):
    now = utc_now()
    insert_tickets(
        engine,
        [
            overdue_ticket(
                "1022-W-0001",
                "so_xay_dung",
                forwarded_at=now - timedelta(hours=5),
                due_at=now - timedelta(hours=1),
                urgency=2,
            ),
            make_ticket(code="1022-W-0002", status="received", urgency=4, received_at=now),
        ],
    )
    alerts = app.server.config["HOTLINE_ALERTS"]
    alerts.evaluate(now)
    return alerts


def test_api_alerts_lists_the_active_alerts(app, seeded) -> None:
    response = app.server.test_client().get("/api/alerts")
    assert response.status_code == 200
    document = response.get_json()
    assert document["count"] == 2 and document["stale"] is False
    by_rule = {item["rule"]: item for item in document["alerts"]}
    assert set(by_rule) == {"overdue", "level4"}
    for item in document["alerts"]:
        assert set(item) == API_KEYS
    overdue = by_rule["overdue"]
    assert overdue["tickets"] == ["1022-W-0001"] and overdue["agency"] == "so_xay_dung"
    assert overdue["state"] == "firing" and overdue["escalated"] is False
    assert by_rule["level4"]["urgency"] == 4
    assert not any(marker in response.get_data(as_text=True) for marker in PERSONAL_MARKERS)


def test_history_filters_and_csv(app, seeded) -> None:
    client = app.server.test_client()
    page = client.get("/alerts?rule=overdue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1022-W-0001" in html and "1022-W-0002" not in html
    assert client.get("/alerts?state=firing&agency=so_xay_dung").status_code == 200
    day = utc_now().date().isoformat()
    assert client.get(f"/alerts?from={day}&to={day}").status_code == 200
    for bad in ("rule=nope", "state=burning", "from=yesterday", "agency=<script>"):
        response = client.get(f"/alerts?{bad}")
        assert response.status_code == 400, bad
        assert "<script>" not in response.get_data(as_text=True)
    assert client.get("/alerts.csv?rule=nope").status_code == 400
    rows = list(csv.reader(io.StringIO(client.get("/alerts.csv").get_data(as_text=True))))
    assert rows[0][:3] == ["id", "rule", "state"] and len(rows) == 3
    assert not any(marker in json.dumps(rows, ensure_ascii=False) for marker in PERSONAL_MARKERS)


def test_ack_link_acknowledges_and_a_forged_one_is_refused(app, seeded) -> None:
    client = app.server.test_client()
    (overdue,) = [a for a in seeded.active() if a.rule == "overdue"]
    url = seeded.ack_url([overdue.id], "agency:so_xay_dung")
    path = url.split("http://127.0.0.1:8050", 1)[1]
    page = client.get(path)  # a mail scanner opening the link acknowledges nothing
    assert page.status_code == 200 and "1022-W-0001" in page.get_data(as_text=True)
    assert [a.state for a in seeded.active() if a.id == overdue.id] == ["firing"]
    done = client.post(path, data={"name": "Lê Văn Đầu Mối"})
    assert done.status_code == 200
    (acked,) = [a for a in seeded.active() if a.id == overdue.id]
    assert acked.state == "acknowledged"
    assert acked.acknowledged_by == "Lê Văn Đầu Mối (agency:so_xay_dung)"
    forged = path[:-3] + ("xyz" if not path.endswith("xyz") else "abc")
    assert client.get(forged).status_code == 403
    assert client.post(forged).status_code == 403
    assert client.get("/alerts/ack/" + "a" * 9000).status_code == 403


@pytest.mark.parametrize(
    ("setting", "content", "named"),
    [
        ("HOTLINE_ALERT_RULES_FILE", '{"rules": [{"name": "level4", "audiences": ["mayor"]}]}',
         "HOTLINE_ALERT_RULES_FILE"),
        ("HOTLINE_NOTIFY_FILE", '{"leaders": ["nosuchscheme://x/y"]}', "HOTLINE_NOTIFY_FILE"),
        ("HOTLINE_NOTIFY_FILE", '{"mayor": []}', "unknown audience 'mayor'"),
        ("HOTLINE_NOTIFY_FILE", "{broken", "not valid JSON"),
    ],
)  # fmt: skip
def test_bad_files_stop_the_start_with_a_clear_error(
    sqlite_url: str, tmp_path: Path, setting: str, content: str, named: str
) -> None:
    path = tmp_path / "file.json"
    path.write_text(content, encoding="utf-8")
    settings = Settings(DATABASE_URL=sqlite_url, **{setting: str(path)})
    with pytest.raises(SettingsError) as caught:
        create_app(settings, start_jobs=False)
    assert named in str(caught.value) and setting in str(caught.value)
