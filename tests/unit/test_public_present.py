"""Pure parts of the public side: W3C dates, filters, deadline state, status notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dashboard.public.open311 import Open311Error, parse_requests, parse_w3c
from dashboard.public.present import deadline_state, request_record, status_notes
from dashboard.public.service import is_valid_code
from data_access.public import PublicTicket, StatusStep
from data_access.reference import Labels

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


def ticket(**overrides) -> PublicTicket:
    values = dict(
        code="1022-261203-0001",
        status="forwarded",
        protected=False,
        category="dien",
        agency="evn_hcmc",
        area="phuong_ben_thanh",
        received_at=NOW - timedelta(hours=3),
        forwarded_at=NOW - timedelta(hours=2),
        due_at=NOW + timedelta(hours=1),
        resolved_at=None,
        closed_at=None,
        updated_at=NOW - timedelta(hours=2),
        steps=(
            StatusStep("received", NOW - timedelta(hours=3)),
            StatusStep("forwarded", NOW - timedelta(hours=2)),
        ),
    )
    values.update(overrides)
    return PublicTicket(**values)


NAMES = {
    "categories": Labels({"dien": "Sự cố điện"}, {"dien": "Power outages"}),
    "agencies": Labels({"evn_hcmc": "Điện lực"}, {"evn_hcmc": "Power company"}),
    "areas": Labels({"phuong_ben_thanh": "Phường Bến Thành"}, {"phuong_ben_thanh": "Ben Thanh"}),
}


def test_w3c_datetimes_with_and_without_offset():
    assert parse_w3c("2026-12-01T00:00:00Z", ZONE) == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_w3c("2026-12-01T07:00:00+07:00", ZONE) == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_w3c("2026-12-01T07:00:00", ZONE) == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_w3c("2026-12-01", ZONE) == datetime(2026, 11, 30, 17, tzinfo=UTC)
    for bad in ("", "yesterday", "2026-02-30", "x" * 50):
        with pytest.raises(ValueError):
            parse_w3c(bad, ZONE)


def test_requests_defaults_and_overrides():
    query = parse_requests({}, ZONE, NOW)
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    query = parse_requests({"service_request_id": "a-1,b-2,a-1", "status": "nonsense"}, ZONE, NOW)
    assert query.codes == ("a-1", "b-2") and query.statuses is None
    query = parse_requests({"status": "closed"}, ZONE, NOW)
    assert query.statuses == ("resolved", "closed")
    with pytest.raises(Open311Error) as error:
        parse_requests({"start_date": "2026-01-01", "end_date": "2026-12-01"}, ZONE, NOW)
    assert error.value.code == 400


def test_deadline_states():
    assert deadline_state(ticket(), NOW) == "pending"
    assert deadline_state(ticket(), NOW + timedelta(hours=2)) == "overdue"
    assert deadline_state(ticket(resolved_at=NOW), NOW) == "met"
    assert deadline_state(ticket(resolved_at=NOW + timedelta(hours=2)), NOW) == "missed"
    assert deadline_state(ticket(due_at=None), NOW) == "none"


def test_status_notes_and_record():
    notes = status_notes(ticket(), NAMES, "vi", ZONE, NOW)
    assert notes == (
        "Đã chuyển xử lý. Cơ quan xử lý: Điện lực. Tiếp nhận 03/12/2026 09:00; "
        "Chuyển cơ quan xử lý 03/12/2026 10:00. Hạn xử lý 03/12/2026 13:00 (còn trong hạn)."
    )
    record = request_record(ticket(), NAMES, "en", ZONE, NOW)
    assert record["requested_datetime"] == "2026-12-03T09:00:00+07:00"
    assert record["service_name"] == "Power outages" and record["address"] == "Ben Thanh"
    unknown_ward = request_record(ticket(area="free text 0909"), NAMES, "vi", ZONE, NOW)
    assert unknown_ward["address"] == ""  # free text from the intake is never shown


def test_codes():
    assert is_valid_code("1022-261201-0042")
    for bad in ("", " ", "-1", "a/b", "a" * 41, "<b>", "1022 261201"):
        assert not is_valid_code(bad)
