"""Wall themes: the vendored Bootswatch stylesheet, the colours of meaning and the icons.

``dark`` (default) is a near-black, high-contrast theme for a control room
lit day and night; ``light`` is for a bright room or a projector. Colour always
comes with an icon and a word: never colour alone.

The themes' colours live in one place: the custom properties (``--c-*``) of the ``.wall``
(dark) and ``.wall--light`` rules in the palette region of assets/wall.css (between
:data:`PALETTE_BEGIN` and :data:`PALETTE_END`). The browser reads them there; the wall's HTML
charts, bar lists and the desk views' colour lists, which need colours as values, get them
from :func:`palettes`, which reads that region once (``create_app`` calls it at start-up, so a
colour missing there or malformed stops the start with :class:`ThemeCssError`, never a default).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dashboard.params import normalise_choice
from data_access.codes import STATUSES, UNCLASSIFIED, URGENCIES

DEFAULT_THEME = "dark"
THEMES: tuple[str, ...] = ("dark", "light")

# Vendored Bootswatch builds (assets/vendor/themes), linked explicitly (see ASSETS_IGNORE).
THEME_STYLESHEETS = {
    "dark": "vendor/themes/darkly.min.css",
    "light": "vendor/themes/flatly.min.css",
}

FONT_FAMILY = "'Be Vietnam Pro', 'Segoe UI', system-ui, sans-serif"

URGENCY_ICONS = {
    "1": "bi-question-circle-fill",
    "2": "bi-megaphone-fill",
    "3": "bi-arrow-repeat",
    "4": "bi-person-raised-hand",
    "unclassified": "bi-inbox-fill",
}

TILE_ICONS = {
    "received_shift": "bi-telephone-inbound-fill",
    "received_day": "bi-inbox-fill",
    "open": "bi-folder2-open",
    "overdue": "bi-alarm-fill",
    "awaiting_forward": "bi-hourglass-split",
    "level4_open": "bi-person-raised-hand",
    "resolved_shift": "bi-check2-circle",
    "on_time_rate": "bi-stopwatch-fill",
}

# Tones that a tile takes; the icon shown with each tone says the same as its colour.
TONE_ICONS = {
    "alert": "bi-exclamation-octagon-fill",
    "warn": "bi-exclamation-triangle-fill",
    "good": "bi-check-circle-fill",
}


@dataclass(frozen=True)
class Palette:
    """Colours of one theme, as its rule in assets/wall.css sets them (see palettes_from_css)."""

    name: str
    background: str
    panel: str
    text: str
    muted: str
    grid: str
    accent: str
    previous: str
    average: str
    good: str
    warn: str
    alert: str
    urgency: dict[str, str]
    status: dict[str, str]


# The stylesheet that holds the colours, found from this package (the app runs from any cwd).
WALL_CSS = Path(__file__).resolve().parent.parent / "assets" / "wall.css"
# The comments around its palette region: custom properties of the THEME_RULES only.
PALETTE_BEGIN = "/* palette: begin */"
PALETTE_END = "/* palette: end */"
# The rule of the region whose custom properties are each theme's colours.
THEME_RULES: Mapping[str, str] = MappingProxyType({"dark": ".wall", "light": ".wall--light"})

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_RULE = re.compile(r"\s*([^{}]+?)\s*\{([^{}]*)\}")
_DECLARATION = re.compile(r"(--[a-z0-9-]+)\s*:\s*(#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?)")


class ThemeCssError(ValueError):
    """The stylesheet of the themes cannot be read as their colours; the message names what."""


def palette_region(css: str, source: str) -> str:
    """The text between the palette's begin and end comments (each exactly once, in order)."""
    if css.count(PALETTE_BEGIN) != 1 or css.count(PALETTE_END) != 1:
        raise ThemeCssError(f"{source}: needs one {PALETTE_BEGIN} and one {PALETTE_END}")
    start = css.index(PALETTE_BEGIN) + len(PALETTE_BEGIN)
    end = css.index(PALETTE_END)
    if end < start:
        raise ThemeCssError(f"{source}: {PALETTE_END} stands before {PALETTE_BEGIN}")
    return css[start:end]


def custom_properties(region: str, source: str) -> dict[str, dict[str, str]]:
    """The ``--name: #colour`` declarations of each rule of a palette region, by selector.

    Strict, as the region holds nothing else: any other text, declaration or value, a
    selector twice or a property twice in a rule is a :class:`ThemeCssError` naming it.
    """
    found: dict[str, dict[str, str]] = {}
    text = _COMMENT.sub(" ", region)
    position = 0
    while text[position:].strip():
        rule = _RULE.match(text, position)
        if rule is None:
            raise ThemeCssError(f"{source}: not a rule: {text[position:].strip()[:40]!r}")
        selector, body = " ".join(rule[1].split()), rule[2]
        if selector in found:
            raise ThemeCssError(f"{source}: {selector} has two rules in the palette")
        properties = found[selector] = {}
        for declaration in filter(None, (part.strip() for part in body.split(";"))):
            match = _DECLARATION.fullmatch(declaration)
            if match is None:
                raise ThemeCssError(f"{source}: {selector}: not a colour: {declaration!r}")
            if match[1] in properties:
                raise ThemeCssError(f"{source}: {selector}: {match[1]} is set twice")
            properties[match[1]] = match[2]
        position = rule.end()
    return found


def _property(key: str) -> str:
    """The custom property of a colour: ``--c-<key>`` with hyphens (background: ``--c-bg``)."""
    return "--c-" + {"background": "bg"}.get(key, key).replace("_", "-")


def _palette(name: str, selector: str, properties: Mapping[str, str], source: str) -> Palette:
    """The palette set by one rule: each colour field's property (:func:`_property`), an
    urgency level's ``--c-u<level>`` (unclassified: ``--c-u0``), a status's
    ``--c-status-<status>``."""

    def colour(prop: str) -> str:
        if prop not in properties:
            raise ThemeCssError(f"{source}: {selector} sets no {prop} ({name} theme)")
        return properties[prop]

    colours = {
        each.name: colour(_property(each.name))
        for each in fields(Palette)
        if each.name not in ("name", "urgency", "status")
    }
    urgency = {str(level): colour(f"--c-u{level}") for level in URGENCIES}
    urgency[UNCLASSIFIED] = colour("--c-u0")
    status = {key: colour(_property(f"status_{key}")) for key in STATUSES}
    return Palette(name=name, **colours, urgency=urgency, status=status)


def palettes_from_css(css: str, source: str = "assets/wall.css") -> dict[str, Palette]:
    """Each theme's palette from the custom properties of its rule (THEME_RULES) in the
    palette region of ``css``; :class:`ThemeCssError`, naming ``source`` and what is wrong,
    when the region or one of its colours is missing or malformed."""
    found = custom_properties(palette_region(css, source), source)
    unknown = sorted(found.keys() - set(THEME_RULES.values()))
    if unknown:
        raise ThemeCssError(f"{source}: {', '.join(unknown)} is no theme's rule")
    return {
        name: _palette(name, selector, found.get(selector, {}), source)
        for name, selector in THEME_RULES.items()
    }


@cache
def palettes() -> Mapping[str, Palette]:
    """The themes' palettes, read from assets/wall.css on the first call."""
    return MappingProxyType(palettes_from_css(WALL_CSS.read_text(encoding="utf-8")))


def normalise_theme(value: str | None) -> str:
    """A supported theme; anything else is the default (dark)."""
    return normalise_choice(value, THEMES, DEFAULT_THEME)


def palette(theme: str) -> Palette:
    """The palette of a theme."""
    return palettes()[normalise_theme(theme)]


# Keyword arguments hiding a decorative icon from screen readers (``**ARIA_HIDDEN``); typed
# as Any because Dash's typed keyword arguments have no slot for a dashed attribute name.
ARIA_HIDDEN: Mapping[str, Any] = MappingProxyType({"aria-hidden": "true"})
