"""Ids of the Dash components, in one place (layouts build them, callbacks and tests use them)."""

from __future__ import annotations

# The shell: a router fills the page container from the URL.
URL = "url"
PAGE = "page"

# The wall ("/").
WALL = "wall"
WALL_MAIN = "wall-main"
WALL_CONFIG = "wall-config"  # dcc.Store: the screen's parameters and texts for the browser
WALL_META = "wall-meta"  # dcc.Store: what the last refresh answered (times, view key)
WALL_POLL = "wall-poll"  # dcc.Interval: one tick per refresh interval
WALL_REQUEST = "wall-request"  # dcc.Store: a tick let through by the in-flight guard
WALL_CLOCK_TICK = "wall-clock-tick"  # dcc.Interval: 1 s, client-side only
WALL_ROTATE_TICK = "wall-rotate-tick"  # dcc.Interval: ?rotate=N, client-side only

WALL_CLOCK = "wall-clock"
WALL_SHIFT = "wall-shift"
WALL_SHIFT_HOURS = "wall-shift-hours"
WALL_DAY = "wall-day"
WALL_FIXED = "wall-fixed"
WALL_DATA_TIME = "wall-data-time"
WALL_BANNER = "wall-banner"
WALL_BANNER_TEXT = "wall-banner-text"
WALL_OFFLINE = "wall-offline"
WALL_OFFLINE_TEXT = "wall-offline-text"

# KPI tiles: the tile, its value and its note, by key.
TILE_KEYS: tuple[str, ...] = (
    "received_shift",
    "received_day",
    "open",
    "overdue",
    "awaiting_forward",
    "level4_open",
    "resolved_shift",
    "on_time_rate",
)


def tile(key: str) -> str:
    """Id of a KPI tile."""
    return f"tile-{key.replace('_', '-')}"


def tile_value(key: str) -> str:
    """Id of a KPI tile's number."""
    return f"{tile(key)}-value"


def tile_note(key: str) -> str:
    """Id of a KPI tile's second line."""
    return f"{tile(key)}-note"


URGENCY_KEYS: tuple[str, ...] = ("4", "3", "2", "1", "unclassified")


def urgency_value(level: str) -> str:
    """Id of the count of an urgency level."""
    return f"urgency-{level}-value"


def urgency_bar(level: str) -> str:
    """Id of the share bar of an urgency level."""
    return f"urgency-{level}-bar"


# Bar lists (received by field, status, channel, line): one row per code, in slots whose
# label, number and bar are updated in place (pattern-matching ids, one Output per part).
FIELDS_LIST = "list-fields"
STATUS_LIST = "list-status"
CHANNEL_LIST = "list-channel"
LINE_LIST = "list-line"
BAR_LISTS: tuple[str, ...] = (FIELDS_LIST, STATUS_LIST, CHANNEL_LIST, LINE_LIST)
BAR_PARTS: tuple[tuple[str, str], ...] = (
    ("bar-label", "children"),
    ("bar-value", "children"),
    ("bar-fill", "style"),
)


def bar_part(part: str, list_id: str, index: int | object) -> dict[str, object]:
    """Pattern-matching id of one part (``bar-label``, ``bar-value``, ``bar-fill``) of a row."""
    return {"type": part, "list": list_id, "index": index}


SHIFTS_GRAPH = "graph-shifts"
HOURLY_GRAPH = "graph-hourly"
GRAPHS: tuple[str, ...] = (SHIFTS_GRAPH, HOURLY_GRAPH)

OVERDUE_BODY = "overdue-body"
OVERDUE_MORE = "overdue-more"
