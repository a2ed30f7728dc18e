"""The citizens' page /tra-cuu (and /track): path, deadline, not found, languages."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def client(public_client):
    return public_client


def plain(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_empty_page_is_a_get_form_without_scripts(client):
    response = client.get("/tra-cuu")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert '<form method="get" action="/tra-cuu"' in page and 'name="code"' in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "_dash" not in page and "bootstrap" not in page.lower()
    assert 'href="/tra-cuu?lang=en"' in page
    assert len(response.data) < 8_000
    assert client.get("/track").status_code == 200


def test_a_report_shows_its_path_with_field_agency_and_deadline(client):
    response = client.get("/tra-cuu?code=1022-261201-0002")
    assert response.status_code == 200
    text = plain(response)
    assert "Phản ánh 1022-261201-0002" in text
    assert "Đang xử lý" in text
    assert "Phân loại — Ngập nước, thoát nước" in text
    assert "Chuyển cơ quan xử lý — " in text
    assert "đã quá hạn" in text
    assert "Phường Bến Thành" in text
    assert "Giờ Việt Nam (UTC+07:00)" in text
    # Steps after the current one are not reached yet.
    assert text.count("chưa đến bước này") == 2


def test_english_on_a_link(client):
    response = client.get("/track?code=1022-261201-0001&lang=en")
    text = plain(response)
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "Report 1022-261201-0001" in text and "Closed" in text and "met" in text
    assert 'href="/track?code=1022-261201-0001"' in response.get_data(as_text=True)


@pytest.mark.parametrize("code", ["1022-261201-0003", "1022-261201-0004", "1022-261201-0006"])
def test_protected_report_shows_only_status_and_dates(client, code):
    text = plain(client.get(f"/tra-cuu?code={code}"))
    assert f"Phản ánh {code}" in text
    assert "chỉ hiển thị tình trạng và thời gian" in text
    for word in ("Lĩnh vực", "Cơ quan xử lý —", "Phường", "Ban Nội chính", "Tham nhũng", "Đảng"):
        assert word not in text, word


@pytest.mark.parametrize(
    "code", ["1022-000000-9999", "<script>alert(1)</script>", "x" * 300, "'; DROP TABLE", "١٢٣"]
)
def test_unknown_or_malformed_code_is_a_friendly_not_found(client, code):
    response = client.get("/tra-cuu", query_string={"code": code})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert 'id="not-found"' in page and "gọi 1022" in page
    assert "<script>alert" not in page


def test_page_reveals_nothing_open311_does_not(client):
    """Every time and name on the page is also in the Open311 record of the same code."""
    for code in ("1022-261201-0001", "1022-261201-0002", "1022-261201-0003"):
        record = client.get(f"/open311/v2/requests/{code}.json").get_json()[0]
        known = " ".join(str(value) for value in record.values())
        text = plain(client.get(f"/tra-cuu?code={code}"))
        for stamp in re.findall(r"\d\d/\d\d/\d{4} \d\d:\d\d", text):
            assert stamp in known, (code, stamp)
        for value in ("Ngập nước, thoát nước", "Phường Bến Thành", "Công ty"):
            if value in text:
                assert value in known
