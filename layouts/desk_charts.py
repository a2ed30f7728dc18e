"""The desk views' charts drawn in HTML (no Plotly): count bars, the daily trend, the heatmap.

Like the wall's charts (layouts/wall_charts.py), each chart is a tree of Dash html
components whose bars and dots are placed in percent of the chart's scale; CSS
(assets/views/desk-charts.css) lays them out. No ``dcc.Graph`` is mounted on /shift or
/overview, so the browser never fetches Plotly for them.

Every number is written as text (screen readers and the printed page read it); the bars
and dots are decoration (``aria-hidden``). What a Plotly click drilled into is now a real
button: a day of the trend (``{"type": ids.OVERVIEW_TREND_DAY, "day": iso}``) and a cell of
the heatmap (``{"type": ids.OVERVIEW_HEAT_CELL, "category": c, "urgency": k}``), each with
an ``aria-label`` naming what it holds, reachable with the keyboard.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.formatting import format_count
from layouts.theme import ARIA_HIDDEN, palette
from layouts.wall_charts import nice_step

TREND_LABELS = 16  # about this many day labels under the trend
TREND_DENSE_DAYS = 45  # beyond this many days the trend's dots get smaller
GRID_LINES = 4
DOTS_BLEED = 8  # px the dots' box stands beyond the plot (assets/views/desk-charts.css)
MIN_TARGET_PX = 24  # the smallest a day button may be (WCAG 2.5.8, target size)
# The heatmap's shades, lightest first, each with the text colour it carries (contrast
# >= 4.5:1, checked by tests/unit/test_desk_charts.py); a cell takes the shade of its share
# of the largest cell.
HEAT_SHADES: tuple[tuple[str, str], ...] = (
    ("#f4f7fb", "#111827"),
    ("#dce9f8", "#111827"),
    ("#b9d3f1", "#111827"),
    ("#8db8ea", "#111827"),
    ("#1c6fd1", "#ffffff"),
    ("#1c5fb3", "#ffffff"),
    ("#0f4488", "#ffffff"),
)


@dataclass(frozen=True)
class TrendSeries:
    """One series of the trend: its name, a value per day and its colour."""

    name: str
    values: tuple[int, ...]
    color: str


def _attrs(values: dict[str, str]) -> dict[str, Any]:
    """Dashed attributes (``aria-*``, ``data-*``) as keyword arguments (Dash's stubs lack them)."""
    return values


def _share(value: float, top: float) -> float:
    if top <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * float(value) / top))


def _pct(share: float) -> str:
    return f"{share:.1f}%"


# --- count bars (the shift view) ----------------------------------------------------------
def build_bars(
    chart_id: str,
    labels: Sequence[str],
    values: Sequence[int],
    lang: str,
    *,
    colors: Sequence[str] | None = None,
    horizontal: bool = True,
) -> html.Div:
    """Counts as bars proportional to the largest, each with its label and its number."""
    top = max([*values, 1])
    rows = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        color = colors[index] if colors else palette("light").accent
        share = _pct(_share(value, top))
        size = "width" if horizontal else "height"
        track = html.Span(
            html.Span(className="hv-bar-fill", style={size: share, "background": color}),
            className="hv-bar-track",
            **ARIA_HIDDEN,
        )
        name = html.Span(label, className="hv-bar-label")
        if horizontal:
            number = html.Span(format_count(value, lang), className="hv-bar-value")
            parts = [name, track, number]
        else:  # the number stands on its bar
            number = html.Span(
                format_count(value, lang), className="hv-bar-value", style={"bottom": share}
            )
            parts = [html.Span([track, number], className="hv-col-plot"), name]
        rows.append(
            html.Div(
                parts,
                className="hv-bar-row" if horizontal else "hv-col",
                role="listitem",
                **_attrs({"data-value": str(value)}),
            )
        )
    kind = "hv-bars" if horizontal else "hv-cols"
    return html.Div(rows, id=chart_id, className=f"hv-chart {kind}", role="list")


# --- the daily trend (the overview) --------------------------------------------------------
def trend_scale(series: Sequence[TrendSeries]) -> tuple[int, int]:
    """The top of the trend's scale (a whole number of steps) and its step."""
    top = max((value for one in series for value in one.values), default=0)
    step = nice_step(top, GRID_LINES)
    steps = max(1, math.ceil(top / step)) if top > 0 else GRID_LINES
    if steps * step <= top:
        steps += 1
    return steps * step, step


def label_every(days: int, labels: int = TREND_LABELS) -> int:
    """Write a day's label under every n-th day, so that about ``labels`` are written."""
    return max(1, math.ceil(days / labels))


def day_label(day: str, series: Sequence[TrendSeries], index: int, lang: str) -> str:
    """``01/11: Tiếp nhận 120, Đã chuyển 100, Đã xử lý 90`` (a day button's aria-label)."""
    values = ", ".join(f"{one.name} {format_count(one.values[index], lang)}" for one in series)
    return f"{day}: {values}"


def _centre(index: int, days: int) -> str:
    """The horizontal centre of day ``index`` of ``days`` (the days share the width)."""
    return f"{100 * (index + 0.5) / days:.2f}%"


def _line_style(shares: Sequence[float], color: str) -> dict[str, str]:
    """One series' line through every day's value: a 3 px band clipped from the plot."""

    def edge(sign: str) -> list[str]:
        days = len(shares)
        return [
            f"{_centre(i, days)} calc({100 - s:.1f}% {sign} 1.5px)" for i, s in enumerate(shares)
        ]

    points = edge("-") + edge("+")[::-1]  # along the top edge, back along the bottom one
    return {"clipPath": f"polygon({', '.join(points)})", "background": color}


def _dots_style(shares: Sequence[float], color: str, dense: bool) -> dict[str, str]:
    """One series' dots, a ringed disc at each day's value: one background layer a day."""
    radius, ring = (3.2, 1.0) if dense else (4.8, 2.0)
    days = len(shares)
    # The box stands DOTS_BLEED px beyond the plot above and below, so that a dot at 0 or at
    # the top is drawn whole: a value's height is measured within the plot.
    layers = [
        f"radial-gradient(circle at {_centre(i, days)} calc({DOTS_BLEED}px + (100% - "
        f"{2 * DOTS_BLEED}px) * {(100 - share) / 100:.4f}), {color} {radius}px,"
        f" #fff {radius}px {radius + ring}px, transparent {radius + ring}px)"
        for i, share in enumerate(shares)
    ]
    return {"background": ", ".join(layers)}


def _trend_marks(series: Sequence[TrendSeries], top: int, dense: bool) -> html.Div:
    """The lines and dots of every series over the day buttons (two elements a series, not
    two per day and series: the page draws some 150 components fewer at 30 days)."""
    marks: list[Any] = []
    for one in series:
        shares = [_share(value, top) for value in one.values]
        if len(shares) > 1:
            marks.append(html.Span(className="hv-trend-line", style=_line_style(shares, one.color)))
        marks.append(
            html.Span(className="hv-trend-dots", style=_dots_style(shares, one.color, dense))
        )
    return html.Div(marks, className="hv-trend-marks", **ARIA_HIDDEN)


def _trend_day(
    days: Sequence[str], keys: Sequence[str], series: Sequence[TrendSeries], index: int, lang: str
) -> html.Button:
    """One day: a button as tall as the chart (its marks are drawn over the days)."""
    label = day_label(days[index], series, index, lang)
    return html.Button(
        id={"type": ids.OVERVIEW_TREND_DAY, "day": keys[index]},
        type="button",
        className="hv-trend-day",
        title=label,
        **_attrs({"aria-label": label, "data-day": keys[index]}),
    )


def build_trend(
    chart_id: str,
    days: Sequence[str],
    keys: Sequence[str],
    series: Sequence[TrendSeries],
    lang: str,
) -> html.Div:
    """Daily lines with a dot per day; each day is a button (its ``day`` is ``keys[i]``)."""
    top, step = trend_scale(series)
    dense = len(days) > TREND_DENSE_DAYS
    columns = [_trend_day(days, keys, series, index, lang) for index in range(len(days))]
    every = label_every(len(days))
    ticks = [
        html.Span(
            html.Span(day, className="hv-trend-tick-text") if index % every == 0 else None,
            className="hv-trend-tick" + (" hv-trend-tick--odd" if (index // every) % 2 else ""),
        )
        for index, day in enumerate(days)
    ]
    grid = [
        html.Div(
            html.Span(format_count(value, lang), className="hv-trend-grid-label"),
            className="hv-trend-gridline",
            style={"bottom": _pct(_share(value, top))},
        )
        for value in range(0, top + 1, step)
    ]
    legend = html.Div(
        [
            html.Span(
                [html.Span(className="hv-swatch", style={"background": one.color}), one.name],
                className="hv-legend-item",
            )
            for one in series
        ],
        className="hv-legend",
    )
    return html.Div(
        [
            legend,
            html.Div(
                [
                    html.Div(grid, className="hv-trend-grid", **ARIA_HIDDEN),
                    html.Div(
                        [*columns, _trend_marks(series, top, dense)], className="hv-trend-days"
                    ),
                ],
                className="hv-trend-plot",
            ),
            html.Div(ticks, className="hv-trend-axis", **ARIA_HIDDEN),
        ],
        id=chart_id,
        className="hv-chart hv-trend" + (" hv-trend--dense" if dense else ""),
        # Each day a target of at least 24 px (WCAG 2.5.8): a long range scrolls in its card.
        style={"minWidth": f"calc(3.25rem + {len(days) * MIN_TARGET_PX}px)"},
        role="group",
        **_attrs({"data-top": str(top), "data-days": str(len(days))}),
    )


# --- the heatmap (the overview) ------------------------------------------------------------
def heat_shade(value: int, top: int) -> tuple[str, str]:
    """The background and text colour of a cell holding ``value`` (``top``: the largest)."""
    if value <= 0 or top <= 0:
        return HEAT_SHADES[0]
    steps = len(HEAT_SHADES) - 1
    return HEAT_SHADES[max(1, min(steps, math.ceil(steps * value / top)))]


def build_heatmap(
    chart_id: str,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    values: Sequence[Sequence[int]],
    lang: str,
    *,
    corner: str = "",
) -> html.Div:
    """A table of counts (rows: (code, name) of fields; columns: (key, name) of levels).

    Each cell is shaded by its count; a non-empty cell is a button asking for its tickets.
    """
    top = max((value for row in values for value in row), default=0)
    head = html.Thead(
        html.Tr(
            [
                html.Th(corner, scope="col", className="hv-heat-corner"),
                *[html.Th(name, scope="col") for _, name in columns],
            ]
        )
    )
    body = []
    for (code, name), counts in zip(rows, values, strict=True):
        cells: list[Any] = [html.Th(name, scope="row", className="hv-heat-row")]
        for (key, level), value in zip(columns, counts, strict=True):
            background, color = heat_shade(value, top)
            number = format_count(value, lang)
            content: Any = number
            if value > 0:
                content = html.Button(
                    number,
                    id={"type": ids.OVERVIEW_HEAT_CELL, "category": code, "urgency": key},
                    type="button",
                    className="hv-heat-button",
                    title=f"{name} · {level}: {number}",
                    **_attrs(
                        {"aria-label": f"{name} · {level}: {number}", "data-cell": f"{code}|{key}"}
                    ),
                )
            cells.append(
                html.Td(
                    content,
                    className="hv-heat-cell" + ("" if value else " hv-heat-cell--empty"),
                    style={"background": background, "color": color},
                    **_attrs({"data-value": str(value)}),
                )
            )
        body.append(html.Tr(cells))
    return html.Div(
        html.Table([head, html.Tbody(body)], className="hv-heat"),
        id=chart_id,
        className="hv-chart hv-heat-wrap",
    )
