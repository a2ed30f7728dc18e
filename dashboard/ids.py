"""Ids of the Dash components, in one place (layouts build them, callbacks and tests use them)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from data_access.codes import URGENCY_KEYS_MOST_URGENT_FIRST

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


# The wall lists the levels most urgent first (the order lives in data_access.codes).
URGENCY_KEYS: tuple[str, ...] = URGENCY_KEYS_MOST_URGENT_FIRST


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


# --- The supervisors' and leaders' views (/shift, /shift/report, /overview) ---------------
# Every id starts with its page's prefix: dashboard.auth guards callbacks by these prefixes
# ("shift-" needs a supervisor or leader, "overview-" a leader).
NAVBAR = "nav-bar"

SHIFT_LANG = "shift-lang"  # dcc.Store: the page's language
SHIFT_QUERY = "shift-query"  # dcc.Store: the canonical query string of the view
SHIFT_URL_SYNC = "shift-url-sync"  # dcc.Store written by the client-side URL updater
SHIFT_TICK = "shift-tick"  # dcc.Interval: recompute a running shift
SHIFT_DAY = "shift-day"
SHIFT_NUMBER = "shift-number"
SHIFT_CURRENT = "shift-current"
SHIFT_CLEAR = "shift-clear"
SHIFT_TITLE = "shift-title"
SHIFT_SUBTITLE = "shift-subtitle"
SHIFT_REPORT_LINK = "shift-report-link"
SHIFT_CONTENT = "shift-content"
SHIFT_PRINT = "shift-print"
SHIFT_PRINTED = "shift-printed"
# The stores of a desk view's language, canonical query and address-bar sync, in the order
# layouts.views.build_view_page and callbacks.views.register_view read them (VIEW_SYNC_IDS).
SHIFT_SYNC_IDS = (SHIFT_LANG, SHIFT_QUERY, SHIFT_URL_SYNC)

OVERVIEW_LANG = "overview-lang"
OVERVIEW_QUERY = "overview-query"
OVERVIEW_URL_SYNC = "overview-url-sync"
OVERVIEW_RANGE = "overview-range"
OVERVIEW_LAST_DAYS = "overview-last-days"  # pattern: {"type": ..., "days": n}
OVERVIEW_CLEAR = "overview-clear"
OVERVIEW_SUBTITLE = "overview-subtitle"
OVERVIEW_MESSAGE = "overview-message"
OVERVIEW_KPIS = "overview-kpis"
OVERVIEW_AGENCIES = "overview-agencies"
OVERVIEW_AGENCIES_SLOT = "overview-agencies-slot"
OVERVIEW_AGENCY_ROWS = "overview-agency-rows"  # dcc.Store: every row, idle agencies included
OVERVIEW_SHOW_IDLE = "overview-show-idle"
OVERVIEW_TREND = "overview-trend"
OVERVIEW_HEATMAP = "overview-heatmap"
OVERVIEW_TREND_DAY = "overview-trend-day"  # pattern: {"type": ..., "day": "YYYY-MM-DD"}
OVERVIEW_HEAT_CELL = "overview-heat-cell"  # pattern: {"type": ..., "category": c, "urgency": k}
OVERVIEW_EXPORT_TICKETS = "overview-export-tickets"
OVERVIEW_EXPORT_AGENCIES = "overview-export-agencies"
OVERVIEW_DRILL = "overview-drill"  # dcc.Store: the drilled count
OVERVIEW_DRILL_MODAL = "overview-drill-modal"
OVERVIEW_DRILL_TITLE = "overview-drill-title"
OVERVIEW_DRILL_COUNT = "overview-drill-count"
OVERVIEW_DRILL_TABLE = "overview-drill-table"
OVERVIEW_DRILL_CLOSE = "overview-drill-close"
OVERVIEW_HISTORY = "overview-history"
OVERVIEW_KPI_DRILL = "overview-kpi-drill"  # pattern: {"type": ..., "measure": m}
OVERVIEW_SYNC_IDS = (OVERVIEW_LANG, OVERVIEW_QUERY, OVERVIEW_URL_SYNC)

# Each desk view's stores (above) and clear button, by its area name.
VIEW_SYNC_IDS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {"shift": SHIFT_SYNC_IDS, "overview": OVERVIEW_SYNC_IDS}
)
VIEW_CLEAR_IDS: Mapping[str, str] = MappingProxyType(
    {"shift": SHIFT_CLEAR, "overview": OVERVIEW_CLEAR}
)


def filter_id(page: str, field: str) -> str:
    """Id of a filter dropdown of a view: ``shift-filter-channel``, ``overview-filter-agency``."""
    return f"{page}-filter-{field}"
