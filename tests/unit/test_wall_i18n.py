"""Every text of the wall in one place, Vietnamese by default, complete in English."""

import re
import string
import unicodedata

import pytest

from dashboard.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    TEXTS,
    code_name,
    locale_of,
    normalise_language,
    text,
)
from data_access.codes import CHANNELS, LINES, STATUSES, URGENCIES


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_vietnamese_is_the_default_and_english_the_other():
    assert DEFAULT_LANGUAGE == "vi"
    assert set(LANGUAGES) == {"vi", "en"}
    assert normalise_language(None) == "vi"
    assert normalise_language("EN") == "en"
    assert normalise_language("fr") == "vi"
    assert normalise_language("<script>") == "vi"
    assert locale_of("vi") == "vi_VN"


def test_both_languages_have_the_same_keys_and_placeholders():
    assert set(TEXTS["vi"]) == set(TEXTS["en"])
    for key, template in TEXTS["vi"].items():
        assert _fields(template) == _fields(TEXTS["en"][key]), key


def test_vietnamese_texts_are_nfc_and_english_texts_are_not_vietnamese():
    for key, value in TEXTS["vi"].items():
        assert unicodedata.normalize("NFC", value) == value, key
    vietnamese_letters = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    # The link to the other language names it in that language ("Tiếng Việt" in English).
    endonyms = {"nav.language"}
    for key, value in TEXTS["en"].items():
        if key not in endonyms:
            assert not vietnamese_letters.search(value), key
    assert TEXTS["en"]["nav.language"] == "Tiếng Việt" and TEXTS["vi"]["nav.language"] == "English"


def test_the_spec_names_are_spelled_with_their_diacritics():
    assert code_name("vi", "urgency", "1") == "Hỏi đáp thủ tục hành chính"
    assert code_name("vi", "urgency", "2") == "Phản ánh bức xúc"
    assert code_name("vi", "urgency", "3") == "Phản ánh nhiều lần chưa được giải quyết"
    assert code_name("vi", "urgency", "4") == "Đề nghị gặp lãnh đạo"
    assert code_name("vi", "status", "forwarded") == "Đã chuyển xử lý"
    assert code_name("vi", "channel", "web") == "Cổng thông tin / ứng dụng"
    assert code_name("vi", "line", "thanh_uy") == "Đường dây nóng Thành ủy"
    assert text("vi", "tile.overdue") == "Quá hạn"
    assert text("vi", "tile.awaiting_forward") == "Chậm chuyển"
    assert text("vi", "header.data_time", time="14:05:09") == "Số liệu lúc 14:05:09"
    assert text("vi", "banner.stale", time="14:05") == "Số liệu cũ từ 14:05"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_contract_code_has_a_name(lang):
    for kind, codes in (
        ("channel", CHANNELS),
        ("line", LINES),
        ("status", STATUSES),
        ("urgency", [*map(str, URGENCIES), "unclassified"]),
    ):
        for code in codes:
            assert code_name(lang, kind, code) != code, (kind, code)


def test_unknown_codes_show_as_themselves():
    assert code_name("vi", "channel", "zalo") == "zalo"
