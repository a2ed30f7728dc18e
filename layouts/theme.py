"""Wall themes: the vendored Bootswatch stylesheet, the colours of meaning and the icons.

``dark`` (default) is a near-black, high-contrast theme for a control room
lit day and night; ``light`` is for a bright room or a projector. Colour always
comes with an icon and a word: never colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dashboard.params import normalise_choice

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
    """Colours of one theme (CSS in assets/wall.css uses the same values)."""

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


PALETTES = {
    "dark": Palette(
        name="dark",
        background="#0b0f14",
        panel="#141b24",
        text="#f1f5f9",
        muted="#a8b3c2",
        grid="#2a3441",
        accent="#4dabf7",
        previous="#5c6b7d",
        average="#ffd43b",
        good="#51cf66",
        warn="#fcc419",
        alert="#ff4d4f",
        urgency={
            "1": "#4dabf7",
            "2": "#fcc419",
            "3": "#ff922b",
            "4": "#f06595",
            "unclassified": "#868e96",
        },
        status={
            "received": "#ff922b",
            "classified": "#fcc419",
            "forwarded": "#4dabf7",
            "in_progress": "#74c0fc",
            "resolved": "#51cf66",
            "closed": "#2f9e44",
        },
    ),
    "light": Palette(
        name="light",
        background="#eef2f6",
        panel="#ffffff",
        text="#111827",
        muted="#4b5563",
        grid="#d1d9e2",
        accent="#1c6fd1",
        previous="#9aa5b1",
        average="#b7791f",
        good="#2b8a3e",
        warn="#b7791f",
        alert="#c92a2a",
        urgency={
            "1": "#1c6fd1",
            "2": "#b7791f",
            "3": "#d9480f",
            "4": "#c2255c",
            "unclassified": "#6b7280",
        },
        status={
            "received": "#d9480f",
            "classified": "#b7791f",
            "forwarded": "#1c6fd1",
            "in_progress": "#4c8fd6",
            "resolved": "#2b8a3e",
            "closed": "#1f6f33",
        },
    ),
}


def normalise_theme(value: str | None) -> str:
    """A supported theme; anything else is the default (dark)."""
    return normalise_choice(value, THEMES, DEFAULT_THEME)


def palette(theme: str) -> Palette:
    """The palette of a theme."""
    return PALETTES[normalise_theme(theme)]


# Keyword arguments hiding a decorative icon from screen readers (``**ARIA_HIDDEN``); typed
# as Any because Dash's typed keyword arguments have no slot for a dashed attribute name.
ARIA_HIDDEN: Mapping[str, Any] = MappingProxyType({"aria-hidden": "true"})
