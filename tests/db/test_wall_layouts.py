"""The wall's view and layout, built from real snapshots (pure functions, no browser)."""

import json
from datetime import timedelta

import plotly.utils
import pytest
from sqlalchemy import create_engine

from dashboard import ids
from dashboard.formatting import parse_count
from data_access.engine import make_engine
from layouts.wall import build_wall, leaf_outputs, value_size, wall_leaves
from tests.support.db import insert_tickets
from tests.support.wall import NOW, make_service, make_view, wall_tickets


@pytest.fixture
def service(sqlite_url):
    service = make_service(sqlite_url)
    writer = make_engine(sqlite_url)
    insert_tickets(writer, wall_tickets())
    writer.dispose()
    assert service.refresh(now=NOW)
    yield service
    service.engine.dispose()


def _tiles(view):
    return {tile.key: tile for tile in view.tiles}


def test_the_view_shows_the_snapshot_numbers_formatted(service):
    view = make_view(service)
    tiles = _tiles(view)
    assert view.state == "ok"
    assert (view.shift_label, view.shift_hours) == ("Ca 2", "14:00–22:00")
    assert view.day_label == "Thứ Ba, 01/12/2026"
    assert view.data_time == "Số liệu lúc 15:30:00"
    assert view.banner.tone == ""
    values = {key: tile.value for key, tile in tiles.items()}
    assert values == {
        "received_shift": "3",
        "received_day": "6",
        "open": "4",
        "overdue": "2",
        "awaiting_forward": "1",
        "level4_open": "1",
        "resolved_shift": "1",
        "on_time_rate": "0,0%",
    }
    assert tiles["overdue"].tone == "alert"
    assert tiles["overdue"].note == "Lâu nhất: 4 giờ 30 phút"
    assert tiles["level4_open"].tone == "level4"
    assert tiles["awaiting_forward"].tone == "warn"
    assert tiles["on_time_rate"].tone == "alert"
    assert tiles["on_time_rate"].note == "Hôm nay: 50,0%"
    assert tiles["received_shift"].note == "Hôm qua cùng ca: 1"
    assert tiles["received_day"].note == "Hôm qua: 6"


def test_breakdowns_list_every_code_and_sort_fields(service):
    view = make_view(service)
    day = service.live("day")
    assert set(view.fields.keys) == set(day.by_category)
    assert list(view.fields.values) == sorted(view.fields.values, reverse=True)
    assert view.fields.keys[:4] == ("hanh_chinh", "dien", "giao_thong", "unclassified")
    assert view.fields.labels[0] == "Thủ tục hành chính"
    assert "Chưa phân loại" in view.fields.labels
    assert view.status.keys == tuple(day.by_status)
    assert view.channel.labels == ("Cuộc gọi", "Tin nhắn", "Email", "Cổng thông tin / ứng dụng")
    urgency = {row.level: (row.label, row.name, row.value) for row in view.urgency}
    assert urgency["4"] == ("Mức 4", "Đề nghị gặp lãnh đạo", "1")
    assert urgency["1"][2] == "2"
    assert urgency["unclassified"] == ("", "Chưa phân loại", "1")


def test_later_shifts_and_hours_are_not_drawn_as_zeros(service):
    view = make_view(service)
    assert view.shifts.labels == ("Ca 1", "Ca 2", "Ca 3")
    assert view.shifts.current == (3, 3, None)
    assert view.shifts.previous == (2.0, 1.0, 3.0)
    assert view.shifts.highlight == 1
    hours = dict(zip(view.hourly.labels, view.hourly.current, strict=True))
    assert hours["15"] == 2 and hours["14"] == 1 and hours["16"] is None and hours["05"] is None
    average = dict(zip(view.hourly.labels, view.hourly.previous, strict=True))
    assert average["15"] == pytest.approx(2 / 7, abs=0.01)


def test_overdue_rows_have_no_personal_data(service):
    view = make_view(service)
    assert [row.level for row in view.overdue] == ["4", "2"]
    assert view.overdue[0].field == "Giao thông, tai nạn"
    assert view.overdue[0].agency == "Sở Giao thông vận tải"
    assert view.overdue[0].overdue == "4 giờ 30 phút"
    page = build_wall(view, config={}, meta={}, refresh_ms=5000)
    dumped = json.dumps(page.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    for private in ("Nguyễn Văn Riêng", "0909123456", "rieng@example.vn", "riêng tư"):
        assert private not in dumped


def test_before_the_first_snapshot_nothing_is_a_zero(sqlite_url):
    service = make_service(sqlite_url)
    view = make_view(service)
    assert view.state == "loading"
    assert view.banner.tone == "loading" and view.banner.title == "Đang tải số liệu…"
    assert view.data_time == "Chưa có số liệu"
    assert all(tile.value == "…" for tile in view.tiles)
    assert all(row.value == "…" for row in view.urgency)
    assert view.fields.values == () and view.overdue == ()


def test_a_database_failing_before_any_data_says_so(sqlite_url, tmp_path):
    service = make_service(sqlite_url)
    service.engine = create_engine(f"sqlite:///file:{tmp_path}/nope.db?mode=ro&uri=true")
    assert not service.refresh(now=NOW)
    view = make_view(service, stale=True)
    assert view.banner.tone == "error"
    assert view.banner.title == "Chưa có số liệu — cơ sở dữ liệu không trả lời từ 15:30"
    assert all(tile.value == "…" for tile in view.tiles)


def test_stale_data_keeps_the_numbers_and_says_since_when(service):
    service.state.failing_since = NOW + timedelta(minutes=2)
    view = make_view(service, stale=True)
    assert view.state == "stale"
    assert view.banner.tone == "stale"
    assert view.banner.title == "Số liệu cũ từ 15:30"
    assert view.banner.detail == "Cơ sở dữ liệu không trả lời từ 15:32 — đang tự thử lại"
    assert _tiles(view)["received_day"].value == "6"


def test_english_view(service):
    view = make_view(service, lang="en")
    tiles = _tiles(view)
    assert view.shift_label == "Shift 2"
    assert view.day_label == "Tuesday, 1 Dec 2026"
    assert tiles["overdue"].label == "Overdue now"
    assert tiles["on_time_rate"].value == "0.0%"
    assert view.fields.labels[0] == "Administrative procedures"


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    if not isinstance(children, list | tuple):
        children = [children]
    for child in children:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_the_page_has_every_component_the_refresh_updates(service):
    view = make_view(service)
    page = build_wall(view, config={"a": 1}, meta={"key": "k"}, refresh_ms=5000, rotate=20)
    components = list(_walk(page))
    found = [c.id for c in components if getattr(c, "id", None) is not None]
    plain = [i for i in found if isinstance(i, str)]
    assert len(plain) == len(set(plain)), "duplicate ids"
    for component_id, _prop in leaf_outputs():
        assert component_id in plain, component_id
    for graph_id in ids.GRAPHS:
        assert graph_id in plain
    for list_id in ids.BAR_LISTS:
        rows = [i for i in found if isinstance(i, dict) and i["list"] == list_id]
        assert len(rows) == 3 * len(getattr(view, list_id.removeprefix("list-")).keys)
    texts = " ".join(
        c.children for c in components if isinstance(getattr(c, "children", None), str)
    )
    for label in ("Quá hạn", "Chậm chuyển", "Mức 4 đang mở", "Phiếu quá hạn lâu nhất"):
        assert label in texts
    assert "wall--rotate" in page.className
    assert parse_count(_tiles(view)["received_day"].value) == service.live("day").received


def test_leaf_outputs_are_exactly_the_leaves_of_a_view(service):
    assert list(wall_leaves(make_view(service))) == leaf_outputs()


def test_big_numbers_get_smaller_type():
    assert [value_size(v) for v in ("7", "123", "1.234", "12.345", "123.456", "1.234.567")] == [
        "xl",
        "xl",
        "m",
        "s",
        "xs",
        "xs",
    ]
