"""Texts of operations intelligence (issue 13), Vietnamese and English.

Kept as one block of their own; ``dashboard.i18n`` is being unified in parallel and the
lead moves this block into the catalogue at merge.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.i18n import normalise_language

TEXTS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "incident.line": "{where}: {count} phản ánh trong {minutes} phút, "
        "gấp {multiple} lần bình thường",
        "incident.title": "Sự cố",
        "incident.more": "+{count} sự cố khác",
        "screens.title": "Màn hình tường",
        "screens.intro": "Mỗi màn hình báo tên, lần cập nhật cuối, tuổi trang và bộ nhớ JS "
        "cùng với lần cập nhật của nó. Im lặng: không cập nhật quá {intervals} chu kỳ.",
        "screens.name": "Màn hình",
        "screens.state": "Trạng thái",
        "screens.last_poll": "Cập nhật cuối",
        "screens.ago": "{seconds} giây trước",
        "screens.page_age": "Tuổi trang",
        "screens.heap": "Bộ nhớ JS",
        "screens.path": "Địa chỉ",
        "screens.alive": "Đang chạy",
        "screens.silent": "Im lặng",
        "screens.none": "Chưa có màn hình nào báo về.",
        "screens.minutes": "{minutes} phút",
        "screens.unknown": "—",
        "repeats.title": "Ứng viên mức 3: phản ánh lặp lại chưa giải quyết",
        "repeats.intro": "Cùng lĩnh vực, cùng phường, trong {days} ngày, khi phản ánh trước "
        "còn mở hoặc mới đóng trong khoảng đó.",
        "repeats.code": "Mã",
        "repeats.field": "Lĩnh vực · Phường",
        "repeats.linked": "Phản ánh liên quan",
        "repeats.none": "Không có phản ánh lặp lại trong ca này.",
        "repeats.linked_title": "Phản ánh liên quan (lặp lại)",
        "repeats.rate": "Tỷ lệ bị phản ánh lại",
    },
    "en": {
        "incident.line": "{where}: {count} reports in {minutes} minutes, {multiple}x the usual",
        "incident.title": "Incident",
        "incident.more": "+{count} more incidents",
        "screens.title": "Wall screens",
        "screens.intro": "Each screen reports its name, last poll, page age and JS heap with "
        "its refresh. Silent: no poll for more than {intervals} intervals.",
        "screens.name": "Screen",
        "screens.state": "State",
        "screens.last_poll": "Last poll",
        "screens.ago": "{seconds} s ago",
        "screens.page_age": "Page age",
        "screens.heap": "JS heap",
        "screens.path": "Address",
        "screens.alive": "Alive",
        "screens.silent": "Silent",
        "screens.none": "No screen has reported yet.",
        "screens.minutes": "{minutes} min",
        "screens.unknown": "—",
        "repeats.title": "Level 3 candidates: repeated reports without resolution",
        "repeats.intro": "Same field, same ward, within {days} days, while an earlier report "
        "was open or had been closed within that span.",
        "repeats.code": "Code",
        "repeats.field": "Field · Ward",
        "repeats.linked": "Linked reports",
        "repeats.none": "No repeated reports in this shift.",
        "repeats.linked_title": "Linked reports (repeats)",
        "repeats.rate": "Re-report rate",
    },
}


def itext(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` with its placeholders filled; KeyError when unknown."""
    template = TEXTS[normalise_language(lang)][key]
    return template.format(**values) if values else template
