"""Wall themes: the vendored Bootswatch stylesheet, the colours of meaning and the icons.

``dark`` (default) is a near-black, high-contrast theme for a control room
lit day and night; ``light`` is for a bright room or a projector. Colour always
comes with an icon and a word: never colour alone.

The themes' colours live in one place: the custom properties (``--c-*``) of the ``.wall``
(dark) and ``.wall--light`` rules of assets/wall.css. The browser reads them there; the
Plotly figures, which take colours as values, get them from :data:`PALETTES`, read from
that file once, at import. A colour missing there, or malformed, is an error at import
(:class:`ThemeCssError`), never a default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
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
    urgency: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)


# The stylesheet that holds the colours, found from this package (the app runs from any cwd).
WALL_CSS = Path(__file__).resolve().parent.parent / "assets" / "wall.css"
# The rule of the stylesheet whose custom properties are each theme's colours.
THEME_RULES: Mapping[str, str] = MappingProxyType({"dark": ".wall", "light": ".wall--light"})

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


class ThemeCssError(ValueError):
    """The stylesheet of the themes cannot be read as their colours; the message names what."""


def _top_level_rules(css: str) -> Iterator[tuple[str, str]]:
    """(selector, body) of each top-level block of ``css`` (comments removed), whitespace
    collapsed in the selector; an at-rule (``@media``) is one block with nested ones."""
    depth = 0
    start = 0
    prelude = ""
    for index, char in enumerate(css):
        if char == "{":
            depth += 1
            if depth == 1:
                # What stands since the last block or statement (``@import ...;``) selects.
                prelude, start = css[start:index].rsplit(";", 1)[-1], index + 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise ThemeCssError(f"unbalanced '}}' at character {index}")
            if depth == 0:
                yield " ".join(prelude.split()), css[start:index]
                start = index + 1
    if depth:
        raise ThemeCssError("unbalanced '{': a block is never closed")


def custom_properties(css: str, selectors: Iterable[str]) -> dict[str, dict[str, str]]:
    """The custom properties (``--name: value``) set by the top-level rules of ``css`` whose
    selector is exactly one of ``selectors`` (all such rules of a selector together).

    Strict: a declaration without a name or a value, or a property that a selector sets
    twice, is a :class:`ThemeCssError`.
    """
    found: dict[str, dict[str, str]] = {selector: {} for selector in selectors}
    for selector, body in _top_level_rules(_COMMENT.sub(" ", css)):
        if selector not in found:
            continue
        properties = found[selector]
        for declaration in filter(None, (part.strip() for part in body.split(";"))):
            name, colon, value = (part.strip() for part in declaration.partition(":"))
            if not (colon and name and value):
                raise ThemeCssError(f"{selector}: malformed declaration {declaration!r}")
            if not name.startswith("--"):
                continue
            if name in properties:
                raise ThemeCssError(f"{selector}: {name} is set twice")
            properties[name] = value
    return found


def _palette(name: str, selector: str, properties: Mapping[str, str], source: str) -> Palette:
    """The palette set by one rule: each colour field's property is ``--c-<field>`` (the
    background's ``--c-bg``), an urgency level's ``--c-u<level>`` (unclassified:
    ``--c-u0``), a status's ``--c-status-<status>`` (CSS names take hyphens)."""

    def colour(prop: str) -> str:
        value = properties.get(prop)
        if value is None:
            raise ThemeCssError(f"{source}: {selector} sets no {prop} ({name} theme)")
        if not _HEX_COLOUR.fullmatch(value):
            raise ThemeCssError(
                f"{source}: {prop} of {selector} is {value!r}, not a colour #rgb or #rrggbb"
            )
        return value

    colours = {
        each.name: colour("--c-bg" if each.name == "background" else f"--c-{each.name}")
        for each in fields(Palette)
        if each.name not in ("name", "urgency", "status")
    }
    urgency = {str(level): colour(f"--c-u{level}") for level in URGENCIES}
    urgency[UNCLASSIFIED] = colour("--c-u0")
    status = {key: colour("--c-status-" + key.replace("_", "-")) for key in STATUSES}
    return Palette(name=name, **colours, urgency=urgency, status=status)


def palettes_from_css(css: str, source: str = "assets/wall.css") -> dict[str, Palette]:
    """Each theme's palette from the custom properties of its rule (THEME_RULES) in ``css``;
    :class:`ThemeCssError`, naming ``source`` and the property, when one is missing or
    malformed."""
    found = custom_properties(css, THEME_RULES.values())
    return {
        name: _palette(name, selector, found[selector], source)
        for name, selector in THEME_RULES.items()
    }


PALETTES = palettes_from_css(WALL_CSS.read_text(encoding="utf-8"))


def normalise_theme(value: str | None) -> str:
    """A supported theme; anything else is the default (dark)."""
    return normalise_choice(value, THEMES, DEFAULT_THEME)


def palette(theme: str) -> Palette:
    """The palette of a theme."""
    return PALETTES[normalise_theme(theme)]


# Keyword arguments hiding a decorative icon from screen readers (``**ARIA_HIDDEN``); typed
# as Any because Dash's typed keyword arguments have no slot for a dashed attribute name.
ARIA_HIDDEN: Mapping[str, Any] = MappingProxyType({"aria-hidden": "true"})
