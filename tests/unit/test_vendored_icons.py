"""The icon font is cut down to the board's icons (scripts/subset_icons.py): each icon the
code names must be in its stylesheet and in its font, or it would show as nothing."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "assets" / "vendor" / "bootstrap-icons"


def _script() -> Any:
    """scripts/subset_icons.py (not a package): its scan of the code for icon names."""
    spec = importlib.util.spec_from_file_location(
        "subset_icons", ROOT / "scripts" / "subset_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _named_in_code() -> set[str]:
    return set(_script().used_icons())


def test_the_code_names_icons_at_all():
    assert {"bi-display", "bi-bell", "bi-bar-chart-line"} <= _named_in_code()


@pytest.mark.parametrize("name", sorted(_named_in_code()))
def test_every_icon_the_code_names_is_in_the_stylesheet_and_the_font(name):
    css = (ICONS / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    rule = re.search(rf'\.{re.escape(name)}::before\{{content:"\\([0-9a-f]+)"\}}', css)
    assert rule, f"{name}: run scripts/vendor_assets.sh (scripts/subset_icons.py) again"
    font = TTFont(ICONS / "fonts" / "bootstrap-icons.woff2")
    assert int(rule.group(1), 16) in font.getBestCmap(), name


def test_the_font_is_the_cut_one_and_loaded_as_woff2_only():
    assert (ICONS / "fonts" / "bootstrap-icons.woff2").stat().st_size < 20_000
    css = (ICONS / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    assert '.woff"' not in css and 'format("woff")' not in css
    assert len(re.findall(r"::before\{content:", css)) < 100
