"""An existing Open311 client from PyPI (georeport 0.3.1) gets the tickets the database holds."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from data_access.public import CLOSED_STATUSES
from data_access.schema import categories, tickets
from tests.web.public_helpers import NOW, public_app, seed

georeport = pytest.importorskip("georeport")


@pytest.fixture
def endpoint(database_url, engine) -> Iterator[tuple[str, object]]:
    seed(engine)
    app = public_app(database_url)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/open311/v2", engine
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.server.config["HOTLINE_SERVICE"].engine.dispose()


def database_view(engine):
    """The public tickets of the last 90 days, straight from the tables, newest first."""
    with engine.connect() as conn:
        public = {
            row.code for row in conn.execute(select(categories.c.code).where(categories.c.public))
        }
        rows = conn.execute(
            select(tickets.c.code, tickets.c.category, tickets.c.status, tickets.c.received_at)
            .where(tickets.c.category.in_(public))
            .order_by(tickets.c.received_at.desc())
        ).all()
    cutoff = NOW.timestamp() - 90 * 86400
    return [row for row in rows if row.received_at.timestamp() >= cutoff], public


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_gets_what_the_database_holds(endpoint, output_format):
    root, engine = endpoint
    client = georeport.GeoReport(root, jurisdiction="hcmc", output_format=output_format)
    rows, public = database_view(engine)

    services = client.get_service_list()
    assert {service["service_code"] for service in services} == public

    definition = client.get_service_definition("dien")
    assert definition["service_code"] == "dien"

    requests = client.get_service_requests()
    if isinstance(requests, dict):  # xmltodict gives one element as a dict
        requests = [requests]
    assert [r["service_request_id"] for r in requests] == [row.code for row in rows]
    for request, row in zip(requests, rows, strict=True):
        assert request["service_code"] == row.category
        expected = "closed" if row.status in CLOSED_STATUSES else "open"
        assert request["status"] == expected
        assert datetime.fromisoformat(request["requested_datetime"]) == row.received_at

    closed = client.get_service_requests(status="closed", service_code="dien")
    if isinstance(closed, dict):
        closed = [closed]
    assert [r["service_request_id"] for r in closed] == [
        row.code for row in rows if row.category == "dien" and row.status in CLOSED_STATUSES
    ]

    one = client.get_service_request(rows[0].code)
    assert one["service_request_id"] == rows[0].code
    assert one["service_code"] == rows[0].category
