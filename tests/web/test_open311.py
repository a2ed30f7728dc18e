"""Open311 GeoReport v2: shapes, filters, defaults, protected reports, errors (both databases)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dashboard.auth import AccessFile
from tests.web.public_helpers import NOW, public_app, seed

# The field names of the GeoReport v2 specification, from its own list (georeport_v2.json), less
# those the board omits: it knows no coordinates, address ids or media (docs/OPEN311.md).
SPEC = json.loads(Path(__file__).with_name("georeport_v2.json").read_text(encoding="utf-8"))
OMITTED_REQUEST_FIELDS = {"address_id", "zipcode", "lat", "long", "media_url"}
SPEC_REQUEST_FIELDS = set(SPEC["service_request"]) - OMITTED_REQUEST_FIELDS
SPEC_SERVICE_FIELDS = set(SPEC["service"])
W3C_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
BASE = "/open311/v2"


@pytest.fixture
def client(public_client):
    return public_client


def codes(records):
    return [record["service_request_id"] for record in records]


def check_request_json(record):
    assert set(record) == SPEC_REQUEST_FIELDS
    assert record["status"] in ("open", "closed")
    for name in SPEC_REQUEST_FIELDS - {"expected_datetime"}:
        assert isinstance(record[name], str), name
    for name in ("requested_datetime", "updated_datetime"):
        assert W3C_WITH_OFFSET.match(record[name]), record[name]
        assert record[name].endswith("+07:00")
    if record["expected_datetime"] is not None:
        assert W3C_WITH_OFFSET.match(record["expected_datetime"])
    assert record["description"] == ""


def test_services_json_and_xml_have_the_spec_shape_without_protected(client):
    response = client.get(f"{BASE}/services.json?jurisdiction_id=hcmc")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    services = response.get_json()
    assert all(set(s) == SPEC_SERVICE_FIELDS for s in services)
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)
    service_codes = [s["service_code"] for s in services]
    assert "dien" in service_codes and len(service_codes) == 12
    assert "tham_nhung" not in service_codes and "xay_dung_dang" not in service_codes
    xml = client.get(f"{BASE}/services.xml")
    assert xml.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert xml.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(xml.data)
    assert root.tag == "services"
    assert [child.tag for child in root] == ["service"] * 12
    assert {field.tag for field in root[0]} == SPEC_SERVICE_FIELDS
    assert [s.findtext("service_code") for s in root] == service_codes
    assert root[0].findtext("metadata") == "false"


def test_service_definition_has_no_attributes_and_protected_are_unknown(client):
    assert client.get(f"{BASE}/services/dien.json").get_json() == {
        "service_code": "dien",
        "attributes": [],
    }
    root = ET.fromstring(client.get(f"{BASE}/services/dien.xml").data)
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "dien" and len(root.find("attributes")) == 0
    for code in ("tham_nhung", "xay_dung_dang", "no_such"):
        response = client.get(f"{BASE}/services/{code}.json")
        assert response.status_code == 404
        assert response.get_json()[0]["code"] == 404


def test_requests_default_is_last_90_days_newest_first_public_only(client):
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 200
    records = response.get_json()
    # 0003/0006 protected, 0004 unclassified, 0005 older than 90 days.
    assert codes(records) == ["1022-261201-0002", "1022-261201-0001"]
    for record in records:
        check_request_json(record)
    first = records[0]
    assert first["service_code"] == "thoat_nuoc"
    assert first["service_name"] == "Ngập nước, thoát nước"
    assert first["agency_responsible"]
    assert first["agency_responsible"] in first["status_notes"]
    assert first["status_notes"].startswith("Đang xử lý")
    assert first["address"] == "Phường Bến Thành"
    requested = datetime.fromisoformat(first["requested_datetime"])
    assert requested == NOW - timedelta(hours=5)
    # updated = the last event (in progress, 2 h ago); expected = due_at.
    assert datetime.fromisoformat(first["updated_datetime"]) == NOW - timedelta(hours=2)
    assert datetime.fromisoformat(first["expected_datetime"]) == NOW - timedelta(hours=1)
    assert "quá hạn" in first["status_notes"]


def test_requests_xml_has_the_spec_shape(client):
    response = client.get(f"{BASE}/requests.xml")
    root = ET.fromstring(response.data)
    assert root.tag == "service_requests"
    assert [child.tag for child in root] == ["request", "request"]
    for request in root:
        assert {child.tag for child in request} == SPEC_REQUEST_FIELDS
        assert W3C_WITH_OFFSET.match(request.findtext("requested_datetime"))
    assert [r.findtext("service_request_id") for r in root] == codes(
        client.get(f"{BASE}/requests.json").get_json()
    )


def test_requests_filters(client):
    def get(query):
        response = client.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, response.data
        return codes(response.get_json())

    assert get("status=open") == ["1022-261201-0002"]
    assert get("status=closed") == ["1022-261201-0001"]
    assert get("status=open,closed") == ["1022-261201-0002", "1022-261201-0001"]
    assert get("service_code=dien") == ["1022-261201-0001"]
    assert get("service_code=dien,thoat_nuoc") == ["1022-261201-0002", "1022-261201-0001"]
    assert get("service_code=tham_nhung") == []
    start = (NOW - timedelta(days=101)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (NOW - timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get(f"start_date={start}&end_date={end}") == ["1022-261201-0005"]
    assert get(f"start_date={start}") == ["1022-261201-0005"]  # 90 days from the start
    assert get(f"end_date={end}") == ["1022-261201-0005"]  # 90 days up to the end
    # service_request_id overrides the other filters; protected codes never appear in a list.
    ids = "1022-261201-0005,1022-261201-0003,1022-261201-0004,1022-261201-0001"
    assert get(f"service_request_id={ids}&status=open") == [
        "1022-261201-0001",
        "1022-261201-0005",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "status=pending",
        "start_date=yesterday",
        "end_date=2026-13-01",
        "start_date=2026-12-01T00:00:00Z&end_date=2026-11-01T00:00:00Z",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z",
        "service_request_id=",
        "service_request_id=%3Cscript%3E",
        "service_code=",
    ],
)
def test_bad_filters_answer_400_in_the_spec_form(client, query):
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert isinstance(body, list) and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == 400
    root = ET.fromstring(client.get(f"{BASE}/requests.xml?{query}").data)
    assert root.tag == "errors" and root[0].tag == "error"
    assert root[0].findtext("code") == "400" and root[0].findtext("description")


def test_lookup_is_a_list_of_one(client):
    records = client.get(f"{BASE}/requests/1022-261201-0001.json").get_json()
    assert codes(records) == ["1022-261201-0001"]
    check_request_json(records[0])
    assert records[0]["status"] == "closed"
    assert "đúng hạn" in records[0]["status_notes"]
    root = ET.fromstring(client.get(f"{BASE}/requests/1022-261201-0001.xml").data)
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    english = client.get(f"{BASE}/requests/1022-261201-0001.json?lang=en").get_json()[0]
    assert english["status_notes"].startswith("Closed") and "met" in english["status_notes"]


@pytest.mark.parametrize("code", ["1022-261201-0003", "1022-261201-0006", "1022-261201-0004"])
def test_protected_or_unclassified_lookup_shows_only_status_and_dates(client, code):
    record = client.get(f"{BASE}/requests/{code}.json").get_json()[0]
    check_request_json(record)
    for name in ("service_code", "service_name", "agency_responsible", "address"):
        assert record[name] == "", name
    for word in ("Ban Nội chính", "Văn phòng Thành ủy", "Tham nhũng", "Xây dựng Đảng", "Phường"):
        assert word not in json.dumps(record, ensure_ascii=False)
    assert record["requested_datetime"]


def test_unknown_paths_methods_and_formats(client):
    for path in ("/requests/1022-000000-9999.json", "/requests/..%2F.json", "/nothing", "/"):
        response = client.get(BASE + path)
        assert response.status_code == 404, path
        assert response.get_json()[0]["code"] == 404
    assert client.get(f"{BASE}/requests.html").status_code == 404
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(f"{BASE}/requests.json", data={"service_code": "dien"})
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD"
        assert response.get_json()[0]["code"] == 405
        assert (
            "read-only" in client.post(f"{BASE}/requests.json?lang=en").get_json()[0]["description"]
        )
    xml = client.post(f"{BASE}/requests.xml")
    assert ET.fromstring(xml.data).tag == "errors"


def test_public_paths_need_no_login_when_the_board_has_one(database_url, engine, tmp_path):
    seed(engine)
    users = tmp_path / "users.json"
    AccessFile(users).add_user("lead", "a long password", "leader")
    app = public_app(database_url, HOTLINE_USERS_FILE=str(users))
    client = app.server.test_client()
    assert client.get("/shift").status_code == 302  # the board still asks for a login
    assert client.get("/tra-cuu").status_code == 200
    assert client.get("/track?code=1022-261201-0001").status_code == 200
    assert client.get(f"{BASE}/requests.json").status_code == 200
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def test_identical_lists_share_one_answer_for_a_few_seconds(database_url, engine):
    from tests.support.db import insert_tickets, make_ticket

    seed(engine)
    app = public_app(database_url)
    client = app.server.test_client()
    first = client.get(f"{BASE}/requests.json").get_json()
    insert_tickets(engine, [make_ticket(code="1022-261201-0099", received_at=NOW)])
    assert client.get(f"{BASE}/requests.json").get_json() == first  # the shared answer
    assert codes(client.get(f"{BASE}/requests.json?status=open").get_json())[0] == (
        "1022-261201-0099"  # another query is computed afresh
    )
    app.server.config["HOTLINE_PUBLIC"].answers.clear()  # as when the 5 s have passed
    assert codes(client.get(f"{BASE}/requests.json").get_json())[0] == "1022-261201-0099"
    # A lookup is never reused: always the database's word.
    assert client.get(f"{BASE}/requests/1022-261201-0099.json").status_code == 200
    app.server.config["HOTLINE_SERVICE"].engine.dispose()
