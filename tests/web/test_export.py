"""CSV exports: rows, headers, Excel-safe encoding and quoting, no personal data, clear 400s."""

import csv
import io

import pytest

from dashboard.app import create_app
from dashboard.export import (
    BOM,
    ShiftLocator,
    TicketFormatter,
    encode_rows,
    safe_cell,
    stream_ticket_csv,
)
from dashboard.settings import Settings
from data_access.overview import TicketRow
from tests.support.db import PERSONAL_MARKERS, insert_tickets, local, make_ticket

HOSTILE_AREA = 'Phường "Bến Thành", <script>alert("x")</script>\nDòng 2'
RANGE = "from=2026-11-30&to=2026-12-01"
HEADER_VI = [
    "Mã phiếu", "Thời điểm tiếp nhận", "Ngày vận hành", "Ca", "Kênh", "Đường dây", "Lĩnh vực",
    "Mức độ", "Tình trạng", "Cơ quan xử lý", "Địa bàn", "Điện thoại viên",
    "Thời điểm chuyển xử lý", "Hạn xử lý", "Thời điểm xử lý xong", "Thời điểm đóng", "Quá hạn",
    "Mức hài lòng",
]  # fmt: skip


def _seed(engine):
    t = make_ticket
    insert_tickets(
        engine,
        [
            t(code="E1", received_at=local("2026-11-30 06:00"), category="dien", urgency=2,
              agency="evn_hcmc", status="resolved", forwarded_at=local("2026-11-30 06:10"),
              due_at=local("2026-11-30 10:10"), resolved_at=local("2026-11-30 09:00"),
              satisfaction=4, area=HOSTILE_AREA, operator="op01"),
            t(code="E2", received_at=local("2026-12-01 02:30"), channel="sms", category=None,
              urgency=None, status="received", area=None, operator="=HYPERLINK(\"http://x\")"),
            t(code="E3", received_at=local("2026-12-01 15:00"), channel="web", line="ubnd",
              category="giao_thong", urgency=4, agency="so_gtvt", status="in_progress",
              forwarded_at=local("2026-12-01 15:05"), due_at=local("2026-12-01 17:05"),
              area="phuong_ben_thanh", operator=None),
            t(code="E4", received_at=local("2026-12-02 06:00"), status="received"),  # after
            t(code="E5", received_at=local("2026-11-30 05:59:59"), status="received"),  # before
        ],
    )  # fmt: skip


def _read(response):
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    text = raw.decode("utf-8-sig")
    return raw, text, list(csv.reader(io.StringIO(text, newline="")))


def test_tickets_csv_rows_headers_and_values(client, engine):
    _seed(engine)
    response = client.get(f"/export/tickets.csv?{RANGE}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="tickets_2026-11-30_2026-12-01.csv"'
    )
    raw, _text, rows = _read(response)
    assert rows[0] == HEADER_VI
    assert [row[0] for row in rows[1:]] == ["E1", "E2", "E3"]
    assert all(len(row) == len(HEADER_VI) for row in rows)
    assert b"\r\n" in raw
    e1, e2, e3 = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert e1["Thời điểm tiếp nhận"] == "2026-11-30 06:00:00"  # local time
    assert (e1["Ngày vận hành"], e1["Ca"]) == ("2026-11-30", "1")
    assert e1["Lĩnh vực"] == "Sự cố điện"
    assert e1["Mức độ"] == "2 — Phản ánh bức xúc"
    assert e1["Cơ quan xử lý"] == "Tổng công ty Điện lực TP"
    assert e1["Tình trạng"] == "Đã xử lý"
    assert e1["Điện thoại viên"] == "Nguyễn Thị Hương"
    assert (e1["Mức hài lòng"], e1["Quá hạn"]) == ("4", "Không")
    assert (e2["Ngày vận hành"], e2["Ca"]) == ("2026-11-30", "3")  # 02:30 belongs to Ca 3
    assert (e2["Kênh"], e2["Lĩnh vực"], e2["Mức độ"]) == (
        "Tin nhắn",
        "Chưa phân loại",
        "Chưa phân loại",
    )
    assert e2["Cơ quan xử lý"] == "Chưa giao"
    assert (e3["Đường dây"], e3["Địa bàn"], e3["Quá hạn"]) == (
        "Đường dây nóng UBND TP",
        "Phường Bến Thành",
        "Có",
    )


def test_tickets_csv_quotes_hostile_text_and_defuses_formulas(client, engine):
    _seed(engine)
    _raw, text, rows = _read(client.get(f"/export/tickets.csv?{RANGE}"))
    e1 = rows[1]
    assert e1[HEADER_VI.index("Địa bàn")] == HOSTILE_AREA  # round trip through a CSV reader
    assert '"Phường ""Bến Thành"", <script>alert(""x"")</script>\r\nDòng 2"' not in text
    assert '"Phường ""Bến Thành"", <script>alert(""x"")</script>\nDòng 2"' in text
    assert len(rows) == 4  # the line break inside the quoted cell did not split the row
    assert rows[2][HEADER_VI.index("Điện thoại viên")] == '\'=HYPERLINK("http://x")'


def test_tickets_csv_never_holds_personal_data(client, engine):
    _seed(engine)
    _raw, text, _rows = _read(client.get(f"/export/tickets.csv?{RANGE}"))
    assert not any(value in text for value in PERSONAL_MARKERS)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("channel=sms", ["E2"]),
        ("channel=call,web", ["E1", "E3"]),
        ("line=ubnd", ["E3"]),
        ("category=dien", ["E1"]),
        ("category=unclassified", ["E2"]),
        ("urgency=4", ["E3"]),
        ("urgency=2,unclassified", ["E1", "E2"]),
        ("agency=so_gtvt", ["E3"]),
        ("agency=unassigned", ["E2"]),
        ("channel=email", []),
    ],
)
def test_tickets_csv_filters(client, engine, query, codes):
    _seed(engine)
    _, _, rows = _read(client.get(f"/export/tickets.csv?{RANGE}&{query}"))
    assert [row[0] for row in rows[1:]] == codes


def test_tickets_csv_in_english_and_with_semicolons(client, engine):
    _seed(engine)
    response = client.get(f"/export/tickets.csv?{RANGE}&lang=en&sep=;")
    raw = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=";"))
    assert rows[0][:3] == ["Ticket code", "Received at", "Operating day"]
    assert rows[1][HEADER_VI.index("Lĩnh vực")] == "Power outages"


def test_tickets_csv_streams_many_pages(client, engine):
    rows = [
        make_ticket(code=f"M{i:05d}", received_at=local("2026-12-01 08:00")) for i in range(4500)
    ]
    insert_tickets(engine, rows)
    _, _, parsed = _read(client.get(f"/export/tickets.csv?{RANGE}"))
    assert len(parsed) == 4501
    assert [row[0] for row in parsed[1:]] == [f"M{i:05d}" for i in range(4500)]


def test_agencies_csv(client, engine):
    _seed(engine)
    response = client.get(f"/export/agencies.csv?{RANGE}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="agencies_2026-11-30_2026-12-01.csv"'
    )
    _, _text, rows = _read(response)
    assert rows[0][:4] == ["Mã cơ quan", "Cơ quan", "Đã chuyển", "Đã xử lý"]
    by_code = {row[0]: row for row in rows[1:]}
    assert len(by_code) == 14  # 13 agencies and the unassigned tickets
    header = rows[0]
    evn = dict(zip(header, by_code["evn_hcmc"], strict=True))
    assert (evn["Đã chuyển"], evn["Đã xử lý"], evn["Tỷ lệ đúng hạn (%)"]) == ("1", "1", "100.0")
    assert evn["Thời gian xử lý trung vị (giờ)"] == "2.8"  # 170 minutes
    gtvt = dict(zip(header, by_code["so_gtvt"], strict=True))
    assert (gtvt["Quá hạn hiện tại"], gtvt["Quá hạn mức 4"]) == ("1", "1")
    semicolon = client.get(f"/export/agencies.csv?{RANGE}&sep=;").get_data().decode("utf-8-sig")
    assert ";100,0;" in semicolon  # comma decimals go with semicolon separators


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
        ("from=2026-12-02&to=2026-12-01", "to"),
        ("from=2024-01-01&to=2026-12-01", "to"),
        ("channel=fax", "channel"),
        ("urgency=9", "urgency"),
        ("agency=DROP%20TABLE", "agency"),
        ("lang=fr", "lang"),
        ("sep=|", "sep"),
    ],
)
@pytest.mark.parametrize("path", ["/export/tickets.csv", "/export/agencies.csv"])
def test_bad_parameters_get_a_clear_400(client, path, query, field):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field and body["error"]


def test_database_down_is_a_503_not_an_empty_file(tmp_path):
    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'none.db'}")
    app = create_app(settings, start_jobs=False)
    client = app.server.test_client()
    for path in ("/export/tickets.csv", "/export/agencies.csv"):
        response = client.get(f"{path}?{RANGE}")
        assert response.status_code == 503
        assert response.get_json()["error"]


# --- pure parts -----------------------------------------------------------------------------


def test_safe_cell_defuses_formulas_only():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+84 909") == "'+84 909"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("1022-261201-0042") == "1022-261201-0042"
    assert safe_cell(None) == "" and safe_cell(4) == "4"


def test_encode_rows_quotes_what_needs_quoting():
    text = encode_rows([["a,b", 'say "hi"', "two\nlines", "<script>"]])
    assert text == '"a,b","say ""hi""","two\nlines",<script>\r\n'


def test_stream_says_when_the_database_stopped(calendar):
    def rows():
        yield TicketRow(1, "X1", local("2026-12-01 08:00"), "call", "1022", None, None,
                        "received", None, None, None, None, None, None, None, None)  # fmt: skip
        raise ConnectionError("gone")

    formatter = TicketFormatter(
        "vi",
        calendar.zone,
        {},
        ShiftLocator(calendar, local("2026-12-01 08:00").date(), local("2026-12-01 08:00").date()),
        local("2026-12-01 09:00"),
    )
    text = "".join(stream_ticket_csv(rows(), formatter))
    assert text.startswith(BOM)
    lines = text.strip().split("\r\n")
    assert lines[1].startswith("X1,")
    assert lines[-1].startswith("LỖI")


def test_shift_locator_matches_the_calendar(calendar):
    from datetime import date, timedelta

    locator = ShiftLocator(calendar, date(2026, 11, 30), date(2026, 12, 1))
    instant = local("2026-11-30 05:00")
    while instant < local("2026-12-02 07:00"):
        assert locator.locate(instant) == calendar.locate(instant)
        instant += timedelta(minutes=37)
