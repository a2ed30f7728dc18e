"""Every text of the user interface, in Vietnamese (the default) and English.

Names of categories, agencies and areas are reference data (tables a
deployment edits) and come from the database; everything else shown on a
screen lives here. ``text(lang, key, **values)`` looks a text up and fills
its ``{placeholders}``.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LANGUAGE = "vi"
LANGUAGES: tuple[str, ...] = ("vi", "en")

# Babel locales of the languages: number and date formatting (1.234 / 1,234).
LOCALES: Mapping[str, str] = {"vi": "vi_VN", "en": "en_GB"}

TEXTS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        # the page
        "app.title": "Bảng theo dõi đường dây nóng 1022",
        "wall.brand": "Đường dây nóng 1022",
        "wall.city": "TP. Hồ Chí Minh",
        "page.not_found": "Không có trang này",
        "page.not_found_hint": "Màn hình tường ở địa chỉ /",
        # header
        "header.operating_day": "Ngày vận hành",
        "header.fixed": "Cố định",
        "header.data_time": "Số liệu lúc {time}",
        "header.no_data_time": "Chưa có số liệu",
        "shift.name": "Ca {number}",
        "shift.whole_day": "Cả ngày",
        "shift.hours": "{start}–{end}",
        # banners
        "banner.loading": "Đang tải số liệu…",
        "banner.stale": "Số liệu cũ từ {time}",
        "banner.db_failing": "Cơ sở dữ liệu không trả lời từ {time} — đang tự thử lại",
        "banner.not_refreshed": "Chưa cập nhật được — đang tự thử lại",
        "banner.no_data_failing": "Chưa có số liệu — cơ sở dữ liệu không trả lời từ {time}",
        "banner.offline": "Mất kết nối máy chủ từ {time} — số liệu trên màn hình đã cũ",
        # tiles
        "tile.received_shift": "Tiếp nhận trong ca",
        "tile.received_day": "Tiếp nhận hôm nay",
        "tile.received_day_fixed": "Tiếp nhận trong ngày",
        "tile.received_whole_day": "Tiếp nhận cả ngày",
        "tile.open": "Đang mở",
        "tile.overdue": "Quá hạn",
        "tile.awaiting_forward": "Chậm chuyển",
        "tile.level4_open": "Mức 4 đang mở",
        "tile.resolved_shift": "Đã xử lý trong ca",
        "tile.resolved_whole_day": "Đã xử lý cả ngày",
        "tile.on_time_rate": "Đúng hạn",
        "note.same_shift_yesterday": "Hôm qua cùng ca: {value}",
        "note.yesterday": "Hôm qua: {value}",
        "note.same_shift_day_before": "Ngày trước cùng ca: {value}",
        "note.day_before": "Ngày trước: {value}",
        "note.in_progress": "Đang xử lý: {value}",
        "note.longest": "Lâu nhất: {value}",
        "note.none_overdue": "Không có phiếu quá hạn",
        "note.intake_limit": "Quá {minutes} phút chưa chuyển",
        "note.level4": "Đề nghị gặp lãnh đạo",
        "note.today": "Hôm nay: {value}",
        "note.whole_day": "Cả ngày: {value}",
        "note.no_deadlines": "Chưa có phiếu có hạn",
        "note.loading": "…",
        # panels
        "panel.fields": "Tiếp nhận theo lĩnh vực",
        "panel.urgency": "Mức độ khẩn",
        "panel.status": "Tình trạng xử lý",
        "panel.channel": "Kênh tiếp nhận",
        "panel.line": "Đường dây",
        "panel.shifts": "Các ca: hôm nay và hôm qua",
        "panel.hourly": "Tiếp nhận theo giờ",
        "panel.overdue": "Phiếu quá hạn lâu nhất",
        "panel.scope_today": "hôm nay",
        "panel.scope_day": "trong ngày",
        "legend.today": "Hôm nay",
        "legend.yesterday": "Hôm qua",
        "legend.selected_day": "Ngày đã chọn",
        "legend.day_before": "Ngày trước",
        "legend.average_7_days": "TB 7 ngày trước",
        "overdue.code": "Mã phiếu",
        "overdue.field": "Lĩnh vực",
        "overdue.level": "Mức",
        "overdue.agency": "Cơ quan xử lý",
        "overdue.by": "Quá hạn",
        "overdue.none": "Không có phiếu quá hạn",
        "overdue.more": "và {value} phiếu khác",
        # durations
        "duration.days_hours": "{days} ngày {hours} giờ",
        "duration.hours_minutes": "{hours} giờ {minutes} phút",
        "duration.minutes": "{minutes} phút",
        # codes
        "urgency.level": "Mức {level}",
        "urgency.1": "Hỏi đáp thủ tục hành chính",
        "urgency.2": "Phản ánh bức xúc",
        "urgency.3": "Phản ánh nhiều lần chưa được giải quyết",
        "urgency.4": "Đề nghị gặp lãnh đạo",
        "urgency.unclassified": "Chưa phân loại",
        "category.unclassified": "Chưa phân loại",
        "agency.unassigned": "Chưa giao",
        "channel.call": "Cuộc gọi",
        "channel.sms": "Tin nhắn",
        "channel.email": "Email",
        "channel.web": "Cổng thông tin / ứng dụng",
        "line.1022": "Tổng đài 1022",
        "line.thanh_uy": "Đường dây nóng Thành ủy",
        "line.ubnd": "Đường dây nóng UBND TP",
        "status.received": "Mới tiếp nhận",
        "status.classified": "Đã phân loại",
        "status.forwarded": "Đã chuyển xử lý",
        "status.in_progress": "Đang xử lý",
        "status.resolved": "Đã xử lý",
        "status.closed": "Đã đóng",
    },
    "en": {
        "app.title": "Hotline 1022 wallboard",
        "wall.brand": "Hotline 1022",
        "wall.city": "Ho Chi Minh City",
        "page.not_found": "No such page",
        "page.not_found_hint": "The wall screen is at /",
        "header.operating_day": "Operating day",
        "header.fixed": "Fixed",
        "header.data_time": "Data as of {time}",
        "header.no_data_time": "No data yet",
        "shift.name": "Shift {number}",
        "shift.whole_day": "Whole day",
        "shift.hours": "{start}–{end}",
        "banner.loading": "Loading data…",
        "banner.stale": "Stale data since {time}",
        "banner.db_failing": "The database has not answered since {time} — retrying",
        "banner.not_refreshed": "Not refreshed — retrying",
        "banner.no_data_failing": "No data yet — the database has not answered since {time}",
        "banner.offline": "Lost the server since {time} — the numbers on screen are old",
        "tile.received_shift": "Received this shift",
        "tile.received_day": "Received today",
        "tile.received_day_fixed": "Received that day",
        "tile.received_whole_day": "Received, whole day",
        "tile.open": "Open now",
        "tile.overdue": "Overdue now",
        "tile.awaiting_forward": "Slow to forward",
        "tile.level4_open": "Level 4 open",
        "tile.resolved_shift": "Resolved this shift",
        "tile.resolved_whole_day": "Resolved, whole day",
        "tile.on_time_rate": "On time",
        "note.same_shift_yesterday": "Same shift yesterday: {value}",
        "note.yesterday": "Yesterday: {value}",
        "note.same_shift_day_before": "Same shift, day before: {value}",
        "note.day_before": "Day before: {value}",
        "note.in_progress": "In progress: {value}",
        "note.longest": "Longest: {value}",
        "note.none_overdue": "Nothing overdue",
        "note.intake_limit": "Not forwarded after {minutes} min",
        "note.level4": "Meeting with a leader",
        "note.today": "Today: {value}",
        "note.whole_day": "Whole day: {value}",
        "note.no_deadlines": "No deadlines yet",
        "note.loading": "…",
        "panel.fields": "Received by field",
        "panel.urgency": "Urgency",
        "panel.status": "Handling status",
        "panel.channel": "Channel",
        "panel.line": "Line",
        "panel.shifts": "Shifts: today and yesterday",
        "panel.hourly": "Received per hour",
        "panel.overdue": "Most overdue tickets",
        "panel.scope_today": "today",
        "panel.scope_day": "that day",
        "legend.today": "Today",
        "legend.yesterday": "Yesterday",
        "legend.selected_day": "Selected day",
        "legend.day_before": "Day before",
        "legend.average_7_days": "Previous 7-day avg",
        "overdue.code": "Ticket",
        "overdue.field": "Field",
        "overdue.level": "Level",
        "overdue.agency": "Agency",
        "overdue.by": "Overdue by",
        "overdue.none": "No overdue tickets",
        "overdue.more": "and {value} more",
        "duration.days_hours": "{days} d {hours} h",
        "duration.hours_minutes": "{hours} h {minutes} min",
        "duration.minutes": "{minutes} min",
        "urgency.level": "Level {level}",
        "urgency.1": "Procedure question",
        "urgency.2": "Grievance",
        "urgency.3": "Repeated, unresolved",
        "urgency.4": "Meeting with a leader",
        "urgency.unclassified": "Unclassified",
        "category.unclassified": "Unclassified",
        "agency.unassigned": "Unassigned",
        "channel.call": "Phone call",
        "channel.sms": "SMS",
        "channel.email": "Email",
        "channel.web": "Web portal / app",
        "line.1022": "1022 call centre",
        "line.thanh_uy": "Party Committee hotline",
        "line.ubnd": "People's Committee hotline",
        "status.received": "New",
        "status.classified": "Classified",
        "status.forwarded": "Forwarded",
        "status.in_progress": "In progress",
        "status.resolved": "Resolved",
        "status.closed": "Closed",
    },
}


def normalise_language(value: str | None) -> str:
    """A supported language code; anything else falls back to Vietnamese."""
    if value:
        value = value.strip().lower()[:8]
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE


def locale_of(lang: str) -> str:
    """The Babel locale of a language."""
    return LOCALES[normalise_language(lang)]


def text(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` with its placeholders filled; KeyError when unknown."""
    template = TEXTS[normalise_language(lang)][key]
    return template.format(**values) if values else template


def code_name(lang: str, kind: str, code: str) -> str:
    """The name of an enumeration code (channel, line, status, urgency); the code if unknown."""
    return TEXTS[normalise_language(lang)].get(f"{kind}.{code}", code)


# --- the switchboard (issue 12, SPEC section 10) -----------------------------------------------
_SWITCHBOARD_TEXTS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "sb.title": "Tổng đài",
        "sb.waiting": "Đang chờ",
        "sb.longest": "Chờ lâu nhất",
        "sb.offered": "Cuộc gọi đến",
        "sb.answered": "Đã nghe",
        "sb.abandoned": "Bỏ máy",
        "sb.abandoned_short_head": "Bỏ máy dưới {seconds} giây",
        "sb.abandoned_short": "+{count} dưới {seconds} giây",
        "sb.timeout": "Hết thời gian chờ",
        "sb.service_level": "Nghe ≤ {seconds} giây",
        "sb.asa": "Chờ trung bình",
        "sb.aht": "Đàm thoại TB",
        "sb.operators": "Điện thoại viên",
        "sb.no_operator": "Chưa có điện thoại viên nào đăng nhập",
        "sb.state.available": "Sẵn sàng",
        "sb.state.on_call": "Đang nghe máy",
        "sb.state.paused": "Tạm nghỉ",
        "sb.state.logged_off": "Đã thoát",
        "sb.shift_title": "Cuộc gọi của ca",
        "sb.operator": "Điện thoại viên",
        "sb.state": "Trạng thái",
        "sb.since": "Từ",
        "sb.calls": "Cuộc gọi",
        "sb.talk": "Đàm thoại",
    },
    "en": {
        "sb.title": "Switchboard",
        "sb.waiting": "Waiting",
        "sb.longest": "Longest wait",
        "sb.offered": "Offered",
        "sb.answered": "Answered",
        "sb.abandoned": "Abandoned",
        "sb.abandoned_short_head": "Abandoned under {seconds} s",
        "sb.abandoned_short": "+{count} under {seconds} s",
        "sb.timeout": "Timed out",
        "sb.service_level": "Answered ≤ {seconds} s",
        "sb.asa": "Average wait",
        "sb.aht": "Average talk",
        "sb.operators": "Operators",
        "sb.no_operator": "No operator logged in",
        "sb.state.available": "Available",
        "sb.state.on_call": "On a call",
        "sb.state.paused": "Paused",
        "sb.state.logged_off": "Logged off",
        "sb.shift_title": "Calls of the shift",
        "sb.operator": "Operator",
        "sb.state": "State",
        "sb.since": "Since",
        "sb.calls": "Calls",
        "sb.talk": "Talk time",
    },
}
TEXTS = {lang: {**TEXTS[lang], **_SWITCHBOARD_TEXTS.get(lang, {})} for lang in TEXTS}
