"""The themes' colours have one home, the custom properties of the palette region of
assets/wall.css: the palettes of layouts.theme are read from there, strictly (no default)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from layouts.theme import (
    PALETTE_BEGIN,
    PALETTE_END,
    THEME_RULES,
    WALL_CSS,
    Palette,
    ThemeCssError,
    custom_properties,
    palette,
    palettes,
    palettes_from_css,
)

ROOT = Path(__file__).resolve().parents[2]

# The custom property of each Palette colour (urgency.* and status.* are its dicts' keys).
PROPERTY_OF = {
    "background": "--c-bg",
    "panel": "--c-panel",
    "text": "--c-text",
    "muted": "--c-muted",
    "grid": "--c-grid",
    "accent": "--c-accent",
    "previous": "--c-previous",
    "average": "--c-average",
    "good": "--c-good",
    "warn": "--c-warn",
    "alert": "--c-alert",
    "urgency.1": "--c-u1",
    "urgency.2": "--c-u2",
    "urgency.3": "--c-u3",
    "urgency.4": "--c-u4",
    "urgency.unclassified": "--c-u0",
    "status.received": "--c-status-received",
    "status.classified": "--c-status-classified",
    "status.forwarded": "--c-status-forwarded",
    "status.in_progress": "--c-status-in-progress",
    "status.resolved": "--c-status-resolved",
    "status.closed": "--c-status-closed",
}


def _colours(pal: Palette) -> dict[str, str]:
    """Every colour of a palette, flat: ``urgency.1``, ``status.closed``..."""
    flat: dict[str, str] = {}
    for key, value in dataclasses.asdict(pal).items():
        if isinstance(value, dict):
            flat.update({f"{key}.{sub}": colour for sub, colour in value.items()})
        elif key != "name":
            flat[key] = value
    return flat


def _block(selector: str, values: dict[str, str]) -> str:
    lines = "".join(f"  {prop}: {value};\n" for prop, value in values.items())
    return f"{selector} {{\n{lines}}}\n"


def _numbered(start: int) -> dict[str, str]:
    """A distinct colour for each property: #000001, #000002..."""
    return {prop: f"#{start + index:06x}" for index, prop in enumerate(PROPERTY_OF.values())}


DARK = _numbered(1)
LIGHT = _numbered(0x100)


def _small_css(dark: dict[str, str] = DARK, light: dict[str, str] = LIGHT) -> str:
    """A stylesheet whose palette region holds the two rules, among rules that must not count."""
    return (
        '.wall { --c-bg: #abcdef; content: "}{;"; }\n'  # before the region: not read
        + PALETTE_BEGIN
        + "\n/* a comment with { braces } and .wall { --c-bg: #ffffff; } */\n"
        + _block(".wall", dark)
        + _block(".wall--light", light)
        + PALETTE_END
        + "\n"
        + _block(".wall-night .wall,\n.wall-night .wall.wall--light", {"--c-bg": "#000000"})
        + '.wall { background: url("data:image/svg+xml;base64,AAA;BBB"); }\n'
    )


def test_the_parser_reads_only_the_palette_region():
    found = custom_properties(_small_css().split(PALETTE_BEGIN)[1].split(PALETTE_END)[0], "t")
    # Not the comment, not the rules before or after the region (strings, url() and all).
    assert found == {".wall": DARK, ".wall--light": LIGHT}


def test_a_palette_takes_every_colour_from_its_rule():
    found = palettes_from_css(_small_css())
    assert set(found) == set(THEME_RULES) == {"dark", "light"}
    for name, values in (("dark", DARK), ("light", LIGHT)):
        assert found[name].name == name
        assert _colours(found[name]) == {field: values[prop] for field, prop in PROPERTY_OF.items()}


@pytest.mark.parametrize("prop", ["--c-bg", "--c-grid", "--c-u0", "--c-status-in-progress"])
def test_a_missing_variable_is_an_error_naming_it(prop):
    light = {key: value for key, value in LIGHT.items() if key != prop}
    with pytest.raises(ThemeCssError, match=rf"\.wall--light sets no {re.escape(prop)}\b"):
        palettes_from_css(_small_css(light=light))


@pytest.mark.parametrize("value", ["grey", "#12345", "#1234567", "var(--c-text)", "#ggg"])
def test_a_malformed_colour_is_an_error_naming_it(value):
    with pytest.raises(ThemeCssError, match=r"\.wall: not a colour: '--c-grid:"):
        palettes_from_css(_small_css(dark={**DARK, "--c-grid": value}))


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (".wall { --c-bg #000000; }", "not a colour"),
        (".wall { --c-bg: ; }", "not a colour"),
        (".wall { color: #000000; }", "not a colour"),
        (".wall { --c-bg: #000000; --c-bg: #111111; }", "--c-bg is set twice"),
        (".wall { --c-bg: #000000; }\n.wall { --c-bg: #111111; }", "two rules"),
        (".wall { --c-bg: #000000;", "not a rule"),
        (".wall { --c-bg: #000000; } }", "not a rule"),
        ("@media print { .wall { --c-bg: #000000; } }", "not a rule"),
    ],
)
def test_a_malformed_region_is_an_error(region, message):
    with pytest.raises(ThemeCssError, match=re.escape(message)):
        custom_properties(region, "t")


@pytest.mark.parametrize(
    ("css", "message"),
    [
        (".wall { --c-bg: #000000; }", "needs one"),
        (f"{PALETTE_BEGIN}{PALETTE_BEGIN}{PALETTE_END}", "needs one"),
        (f"{PALETTE_END}{PALETTE_BEGIN}", "stands before"),
        (f"{PALETTE_BEGIN}.wall, .other {{ --c-bg: #000000; }}{PALETTE_END}", "no theme's rule"),
    ],
)
def test_the_region_is_required_and_holds_the_theme_rules_only(css, message):
    with pytest.raises(ThemeCssError, match=re.escape(message)):
        palettes_from_css(css)


def test_the_palettes_are_the_values_of_the_wall_stylesheet():
    css = WALL_CSS.read_text(encoding="utf-8")
    assert palettes_from_css(css) == dict(palettes())
    # Read again with a plain pattern, independent of the parser: the first rule of each
    # selector (in wall.css, its palette rule) sets each colour of the palette.
    for name, selector in THEME_RULES.items():
        rule = re.search(rf"^{re.escape(selector)} \{{(.*?)^\}}", css, re.MULTILINE | re.DOTALL)
        assert rule is not None, selector
        declared = dict(re.findall(r"^\s*(--[\w-]+):\s*(#[0-9a-fA-F]+);", rule[1], re.MULTILINE))
        assert _colours(palettes()[name]) == {
            field: declared[prop] for field, prop in PROPERTY_OF.items()
        }
        assert palette(name) is palettes()[name]


def _python(code: str, cwd: Path) -> str:
    """What ``python -c code`` prints, run from ``cwd`` with the repository on the path."""
    env = {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_themes_reads_no_file(tmp_path):
    """Only palettes() reads the stylesheet (create_app calls it at start-up)."""
    code = (
        "import pathlib\n"
        "real = pathlib.Path.read_text\n"
        "def guard(self, *args, **kwargs):\n"
        "    assert self.name != 'wall.css', 'wall.css read at import'\n"
        "    return real(self, *args, **kwargs)\n"
        "pathlib.Path.read_text = guard\n"
        "import layouts.theme, layouts.views, layouts.wall, layouts.overview\n"
        "print('imported')\n"
    )
    assert _python(code, tmp_path) == "imported"


def test_the_stylesheet_is_found_from_any_working_directory(tmp_path):
    assert WALL_CSS == ROOT / "assets" / "wall.css"
    code = "import layouts.theme as t; print(t.palette('light').grid)"
    assert _python(code, tmp_path) == palettes()["light"].grid
