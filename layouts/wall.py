"""The wall screen ("/"): the component tree and the leaf properties a refresh updates.

The page is built once from a ``WallView``; a refresh then sets leaf
properties (a number's text, a tile's class, a bar's width) and patches the
charts' bars (layouts/wall_charts.py). ``wall_leaves`` is the single list of those properties, so
that the page and its refresh cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import text
from layouts.alerts import build_wall_alerts
from layouts.intelligence import build_incident_banner
from layouts.switchboard import build_switchboard_panel
from layouts.theme import ARIA_HIDDEN, TILE_ICONS, URGENCY_ICONS, Palette, palette
from layouts.wall_charts import build_hourly_chart, build_shifts_chart
from layouts.wall_view import BannerView, BarsView, OverdueRow, TileView, UrgencyView, WallView

Leaf = tuple[str, str]

# The 1920x1080 design canvas, scaled to the screen by one transform (wall.css, --wall-*).
# The wall's index runs it before its first paint (and on each resize), so that the page's
# HTML copy and Dash's page stand at the screen's size from the first frame.
DESIGN_WIDTH, DESIGN_HEIGHT = 1920, 1080
FIT_SCRIPT = (
    "<script>(function(){"
    f"var W={DESIGN_WIDTH},H={DESIGN_HEIGHT};"
    "function fit(){var vw=window.innerWidth||W,vh=window.innerHeight||H;"
    "var scale=Math.min(vw/W,vh/H),style=document.documentElement.style;"
    "style.setProperty('--wall-scale',String(scale));"
    "style.setProperty('--wall-w',vw/scale+'px');style.setProperty('--wall-h',vh/scale+'px');}"
    "fit();window.addEventListener('resize',fit);})();</script>"
)


# --- pieces ----------------------------------------------------------------------------------
def value_size(value: str) -> str:
    """A size class for a tile's number, so that 1.234.567 fits where 12 does."""
    length = len(value)
    if length <= 3:
        return "xl"
    if length == 4:
        return "l"
    if length == 5:
        return "m"
    if length == 6:
        return "s"
    return "xs"


def tile_class(tile: TileView) -> str:
    """The class of a tile: its tone decides colour and tone icon (see wall.css)."""
    return f"tile tile--{tile.tone} tile--size-{value_size(tile.value)}"


def banner_class(banner: BannerView) -> str:
    """The class of the banner; hidden when there is nothing to say."""
    if not banner.tone:
        return "wall-banner wall-banner--hidden"
    return f"wall-banner wall-banner--{banner.tone}"


BANNER_ICONS = {
    "loading": "bi bi-arrow-clockwise",
    "stale": "bi bi-exclamation-triangle-fill",
    "error": "bi bi-database-x",
}


def banner_icon_class(banner: BannerView) -> str:
    """The icon of the banner's tone."""
    return BANNER_ICONS.get(banner.tone, "bi")


def wall_class(view: WallView, rotate: int = 0) -> str:
    """The class of the wall: theme, state (loading/ok/stale) and rotation."""
    classes = ["wall", f"wall--{view.theme}", f"wall--{view.state}"]
    if rotate:
        classes.append("wall--rotate")
    return " ".join(classes)


def bar_style(share: float, color: str | None = None) -> dict[str, str]:
    """The width (a share, 0-100) and, when given, the colour of a bar."""
    style = {"width": f"{max(0.0, min(100.0, share)):.1f}%"}
    if color:
        style["background"] = color
    return style


def build_tile(tile: TileView) -> html.Div:
    """A KPI tile: icon and label (with the tone icon), the big number, a second line."""
    return html.Div(
        [
            html.Div(
                [
                    html.I(className=f"bi {TILE_ICONS[tile.key]} tile-icon"),
                    html.Span(tile.label, className="tile-label-text"),
                    html.Span(className="tile-tone", **ARIA_HIDDEN),
                ],
                className="tile-label",
            ),
            html.Div(tile.value, id=ids.tile_value(tile.key), className="tile-value"),
            html.Div(tile.note, id=ids.tile_note(tile.key), className="tile-note"),
        ],
        id=ids.tile(tile.key),
        className=tile_class(tile),
    )


# --- bar lists -------------------------------------------------------------------------------
def bar_list_parts(bars: BarsView, colors: Mapping[str, str] | None = None) -> dict[str, list[Any]]:
    """The value of each part of each row: labels, numbers, and bars scaled to the largest."""
    top = max(bars.values, default=0)
    return {
        "bar-label": list(bars.labels),
        "bar-value": list(bars.texts),
        "bar-fill": [
            bar_style(100 * value / top if top else 0.0, (colors or {}).get(key))
            for key, value in zip(bars.keys, bars.values, strict=True)
        ],
    }


def build_bar_rows(list_id: str, bars: BarsView, colors: Mapping[str, str] | None) -> list[Any]:
    """The rows of a bar list: name, bar, number (columns shared by all rows, see wall.css)."""
    parts = bar_list_parts(bars, colors)
    return [
        html.Div(
            [
                html.Span(
                    parts["bar-label"][index],
                    id=ids.bar_part("bar-label", list_id, index),
                    className="barlist-label",
                ),
                html.Div(
                    html.Div(
                        id=ids.bar_part("bar-fill", list_id, index),
                        className="barlist-fill",
                        style=parts["bar-fill"][index],
                    ),
                    className="barlist-track",
                ),
                html.Span(
                    parts["bar-value"][index],
                    id=ids.bar_part("bar-value", list_id, index),
                    className="barlist-value",
                ),
            ],
            className="barlist-row",
        )
        for index in range(len(bars.keys))
    ]


def build_bar_list(list_id: str, bars: BarsView, colors: Mapping[str, str] | None) -> html.Div:
    """A list of bars, one row per code, largest first where the view sorted it."""
    return html.Div(build_bar_rows(list_id, bars, colors), id=list_id, className="barlist")


def bar_lists(view: WallView, pal: Palette) -> dict[str, tuple[BarsView, Mapping[str, str] | None]]:
    """Each bar list of the wall with its colours by code (None: the theme's accent)."""
    return {
        ids.FIELDS_LIST: (view.fields, None),
        ids.STATUS_LIST: (view.status, pal.status),
        ids.CHANNEL_LIST: (view.channel, None),
        ids.LINE_LIST: (view.line, None),
    }


def build_urgency_row(row: UrgencyView) -> html.Div:
    """One urgency level: coloured icon, level and name (never colour alone), count, share."""
    text_parts = [html.Div(row.name, className="urgency-name")]
    if row.label:
        text_parts.insert(0, html.Div(row.label, className="urgency-level"))
    return html.Div(
        [
            html.I(className=f"bi {URGENCY_ICONS[row.level]} urgency-icon"),
            html.Div(text_parts, className="urgency-text"),
            html.Span(row.value, id=ids.urgency_value(row.level), className="urgency-value"),
            html.Div(
                html.Div(
                    id=ids.urgency_bar(row.level),
                    className="urgency-bar",
                    style=bar_style(row.share),
                ),
                className="urgency-track",
            ),
        ],
        className=f"urgency-row urgency--{row.level}",
    )


def build_overdue_rows(view: WallView) -> list[html.Tr]:
    """The rows of the overdue table (one line saying so when there is none)."""
    if view.state == "loading":
        return [html.Tr(html.Td("…", colSpan=4, className="overdue-empty"))]
    if not view.overdue:
        return [
            html.Tr(
                html.Td(
                    [
                        html.I(className="bi bi-check-circle-fill"),
                        " ",
                        text(view.lang, "overdue.none"),
                    ],
                    colSpan=4,
                    className="overdue-empty",
                )
            )
        ]
    return [build_overdue_row(row, view.lang) for row in view.overdue]


# A code longer than this (codes are the intake system's, up to 40 characters) gets smaller type.
LONG_CODE = 17


def build_overdue_row(row: OverdueRow, lang: str) -> html.Tr:
    """One overdue ticket: code, level, field over agency, how long (no personal data).

    Field and agency share a cell on two lines: agency names run to 47 characters
    ("Department of Natural Resources and Environment"), and a column of their own
    would wrap them on a 1920-wide wall.
    """
    level = row.level if row.level in URGENCY_ICONS else "unclassified"
    level_text = row.level if level != "unclassified" else "–"
    code_class = "overdue-code overdue-code--long" if len(row.code) > LONG_CODE else "overdue-code"
    return html.Tr(
        [
            html.Td(row.code, className=code_class),
            html.Td(
                html.Span(
                    [html.I(className=f"bi {URGENCY_ICONS[level]}"), " ", level_text],
                    className=f"level-badge urgency--{level}",
                    title=text(lang, "urgency.level", level=level_text),
                ),
                className="overdue-level",
            ),
            html.Td(
                [
                    html.Div(row.field, className="overdue-field"),
                    html.Div(row.agency, className="overdue-agency"),
                ],
                className="overdue-where",
            ),
            html.Td(row.overdue, className="overdue-by"),
        ]
    )


def _panel(title: str, body: Any, *, class_name: str, scope: str | None = None) -> html.Section:
    heading = [html.Span(title)]
    if scope:
        heading.append(html.Span(f" · {scope}", className="panel-scope"))
    return html.Section(
        [html.H2(heading, className="panel-title"), html.Div(body, className="panel-body")],
        className=f"panel {class_name}",
    )


def build_header(view: WallView, clock: str = "--:--:--") -> html.Header:
    """Brand, the shift and operating day (or a banner), the clock and the time of the data.

    ``clock``: the time the page was built; the browser's clock takes over once a second."""
    lang = view.lang
    return html.Header(
        [
            html.Div(
                [
                    html.I(className="bi bi-broadcast brand-icon"),
                    html.Div(
                        [
                            html.Div(text(lang, "wall.brand"), className="brand-name"),
                            html.Div(text(lang, "wall.city"), className="brand-city"),
                        ]
                    ),
                ],
                className="wall-brand",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(view.shift_label, id=ids.WALL_SHIFT, className="shift-name"),
                            html.Span(
                                view.shift_hours, id=ids.WALL_SHIFT_HOURS, className="shift-hours"
                            ),
                        ],
                        className="wall-shift-line",
                    ),
                    html.Div(
                        [
                            html.Span(text(lang, "header.operating_day") + " "),
                            html.Span(view.day_label, id=ids.WALL_DAY, className="day-label"),
                            html.Span(
                                view.fixed_label,
                                id=ids.WALL_FIXED,
                                className="fixed-badge"
                                if view.fixed_label
                                else "fixed-badge d-none",
                            ),
                        ],
                        className="wall-day-line",
                    ),
                ],
                className="wall-shift",
            ),
            # The banners take the place of the shift line while they say something:
            # the wall keeps its one-screen layout whatever the state.
            build_banner(view),
            build_offline_banner(),
            html.Div(
                [
                    html.Div(clock, id=ids.WALL_CLOCK, className="wall-clock"),
                    html.Div(
                        [
                            html.I(className="bi bi-clock-history"),
                            " ",
                            html.Span(view.data_time, id=ids.WALL_DATA_TIME),
                        ],
                        className="wall-data-time",
                    ),
                ],
                className="wall-time",
            ),
        ],
        className="wall-header",
    )


def build_banner(view: WallView) -> html.Div:
    """The stale / loading / failure banner (hidden while the data is fresh)."""
    banner = view.banner
    return html.Div(
        [
            html.I(id=f"{ids.WALL_BANNER}-icon", className=banner_icon_class(banner)),
            html.Span(banner.title, id=ids.WALL_BANNER_TEXT, className="banner-title"),
            html.Span(banner.detail, id=f"{ids.WALL_BANNER}-detail", className="banner-detail"),
        ],
        id=ids.WALL_BANNER,
        className=banner_class(banner),
        role="alert",
    )


def build_offline_banner() -> html.Div:
    """The banner the browser raises itself when the server stops answering."""
    return html.Div(
        [html.I(className="bi bi-wifi-off"), html.Span("", id=ids.WALL_OFFLINE_TEXT)],
        id=ids.WALL_OFFLINE,
        className="wall-banner wall-banner--offline wall-banner--hidden",
        role="alert",
    )


# --- the page --------------------------------------------------------------------------------
def make_wall_figures(view: WallView, pal: Palette) -> dict[str, Any]:
    """The charts of a view (for building the page), drawn in HTML (layouts/wall_charts.py)."""
    return {
        ids.SHIFTS_GRAPH: build_shifts_chart(ids.SHIFTS_GRAPH, view.shifts, pal, view.lang),
        ids.HOURLY_GRAPH: build_hourly_chart(ids.HOURLY_GRAPH, view.hourly, pal, view.lang),
    }


def figure_sources(view: WallView) -> dict[str, Any]:
    """What each chart shows (to tell whether it changed)."""
    return {ids.SHIFTS_GRAPH: view.shifts, ids.HOURLY_GRAPH: view.hourly}


def leaf_outputs() -> list[Leaf]:
    """The leaf properties a refresh may set, in a fixed order (the callback's outputs)."""
    leaves: list[Leaf] = [
        (ids.WALL, "className"),
        (ids.WALL_SHIFT, "children"),
        (ids.WALL_SHIFT_HOURS, "children"),
        (ids.WALL_DAY, "children"),
        (ids.WALL_DATA_TIME, "children"),
        (ids.WALL_BANNER, "className"),
        (f"{ids.WALL_BANNER}-icon", "className"),
        (ids.WALL_BANNER_TEXT, "children"),
        (f"{ids.WALL_BANNER}-detail", "children"),
    ]
    for key in ids.TILE_KEYS:
        leaves += [
            (ids.tile(key), "className"),
            (ids.tile_value(key), "children"),
            (ids.tile_note(key), "children"),
        ]
    for level in ids.URGENCY_KEYS:
        leaves += [(ids.urgency_value(level), "children"), (ids.urgency_bar(level), "style")]
    leaves.append((ids.OVERDUE_MORE, "children"))
    return leaves


def wall_leaves(view: WallView, rotate: int = 0) -> dict[Leaf, Any]:
    """Every leaf property a refresh may change, with its value in ``view``."""
    leaves: dict[Leaf, Any] = {
        (ids.WALL, "className"): wall_class(view, rotate),
        (ids.WALL_SHIFT, "children"): view.shift_label,
        (ids.WALL_SHIFT_HOURS, "children"): view.shift_hours,
        (ids.WALL_DAY, "children"): view.day_label,
        (ids.WALL_DATA_TIME, "children"): view.data_time,
        (ids.WALL_BANNER, "className"): banner_class(view.banner),
        (f"{ids.WALL_BANNER}-icon", "className"): banner_icon_class(view.banner),
        (ids.WALL_BANNER_TEXT, "children"): view.banner.title,
        (f"{ids.WALL_BANNER}-detail", "children"): view.banner.detail,
    }
    for tile in view.tiles:
        leaves[(ids.tile(tile.key), "className")] = tile_class(tile)
        leaves[(ids.tile_value(tile.key), "children")] = tile.value
        leaves[(ids.tile_note(tile.key), "children")] = tile.note
    for row in view.urgency:
        leaves[(ids.urgency_value(row.level), "children")] = row.value
        leaves[(ids.urgency_bar(row.level), "style")] = bar_style(row.share)
    leaves[(ids.OVERDUE_MORE, "children")] = view.overdue_more
    return leaves


def build_overdue_panel(view: WallView) -> html.Section:
    """The panel of overdue tickets: a table without personal data and a "more" line."""
    lang = view.lang
    return _panel(
        text(lang, "panel.overdue"),
        [
            html.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(text(lang, "overdue.code")),
                                html.Th(text(lang, "overdue.level")),
                                html.Th(
                                    [
                                        text(lang, "overdue.field"),
                                        html.Span(
                                            " · " + text(lang, "overdue.agency"),
                                            className="overdue-agency-head",
                                        ),
                                    ]
                                ),
                                html.Th(text(lang, "overdue.by"), className="overdue-by"),
                            ]
                        )
                    ),
                    html.Tbody(build_overdue_rows(view), id=ids.OVERDUE_BODY),
                ],
                className="overdue-table",
            ),
            html.Div(view.overdue_more, id=ids.OVERDUE_MORE, className="overdue-more"),
        ],
        class_name="panel-overdue",
    )


def build_wall_panels(view: WallView) -> html.Main:
    """The two panels of the wall: breakdowns, then charts, switchboard, overdue and alerts."""
    pal = palette(view.theme)
    lang = view.lang
    figures = make_wall_figures(view, pal)
    lists = bar_lists(view, pal)

    def list_panel(key: str, list_id: str, class_name: str) -> html.Section:
        body = build_bar_list(list_id, *lists[list_id])
        return _panel(text(lang, key), body, class_name=class_name, scope=view.scope)

    fields = list_panel("panel.fields", ids.FIELDS_LIST, "panel-fields")
    urgency = _panel(
        text(lang, "panel.urgency"),
        [build_urgency_row(row) for row in view.urgency],
        class_name="panel-urgency",
        scope=view.scope,
    )
    status = list_panel("panel.status", ids.STATUS_LIST, "panel-status")
    channel_line = _panel(
        text(lang, "panel.channel"),
        [
            build_bar_list(ids.CHANNEL_LIST, *lists[ids.CHANNEL_LIST]),
            html.H3(text(lang, "panel.line"), className="panel-subtitle"),
            build_bar_list(ids.LINE_LIST, *lists[ids.LINE_LIST]),
        ],
        class_name="panel-channel",
        scope=view.scope,
    )
    hourly = _panel(
        text(lang, "panel.hourly"),
        figures[ids.HOURLY_GRAPH],
        class_name="panel-hourly",
        scope=view.scope,
    )
    shifts = _panel(
        text(lang, "panel.shifts"),
        figures[ids.SHIFTS_GRAPH],
        class_name="panel-shifts",
    )
    overdue = build_overdue_panel(view)
    return html.Main(
        [
            html.Div(
                [
                    html.Div([fields, status], className="panel-column"),
                    html.Div([urgency, channel_line], className="panel-column"),
                ],
                className="wall-panel wall-panel--a",
            ),
            html.Div(
                [
                    html.Div([hourly, shifts], className="panel-pair"),
                    build_switchboard_panel(lang),
                    overdue,
                    build_wall_alerts(lang),
                ],
                className="wall-panel wall-panel--b",
            ),
        ],
        id=ids.WALL_MAIN,
        className="wall-main wall-main--show-0",
    )


def build_wall(
    view: WallView,
    *,
    config: dict[str, Any],
    meta: dict[str, Any],
    refresh_ms: int,
    rotate: int = 0,
    clock: str = "--:--:--",
) -> html.Div:
    """The wall page for a view: header, banners, KPI tiles and the panels; ``clock`` is the
    time it was built (the clock shows it until the browser's clock ticks)."""
    lang = view.lang
    return html.Div(
        [
            dcc.Store(id=ids.WALL_CONFIG, data=config),
            dcc.Store(id=ids.WALL_META, data=meta),
            dcc.Store(id=ids.WALL_REQUEST, data=0),
            dcc.Interval(id=ids.WALL_POLL, interval=refresh_ms),
            dcc.Interval(id=ids.WALL_CLOCK_TICK, interval=1000),
            dcc.Interval(
                id=ids.WALL_ROTATE_TICK, interval=max(1, rotate) * 1000, disabled=not rotate
            ),
            build_header(view, clock),
            build_incident_banner(meta.get("intel")),  # surges (issue 13)
            html.Section([build_tile(tile) for tile in view.tiles], className="wall-kpis"),
            build_wall_panels(view),
        ],
        id=ids.WALL,
        className=wall_class(view, rotate),
        lang=lang,
    )


def build_shell(
    pathname: str | None = None, search: str | None = None, page: Any = None
) -> html.Div:
    """The app's layout: a location and the page container a router fills.

    Given the address and its page (the first layout, see callbacks/router.py), the page
    comes filled and the location already knows where it is.
    """
    location = {} if pathname is None else {"pathname": pathname, "search": search or ""}
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False, **location),
            html.Div(page, id=ids.PAGE, className="page"),
        ],
        className="shell",
    )


def build_not_found(lang: str) -> html.Div:
    """The page of an unknown address."""
    return html.Div(
        [
            html.H1(text(lang, "page.not_found")),
            html.P(html.A(text(lang, "page.not_found_hint"), href="/")),
        ],
        className="not-found",
    )
