"""The wall's two charts drawn in HTML (no Plotly): received per hour, and the shifts.

Like the bar lists, a chart is a tree of ``html.Div`` whose bars have a height in percent
of the chart's scale; CSS (assets/wall-charts.css) lays them out. The wall therefore never
mounts a ``dcc.Graph`` and the browser never fetches Plotly (4.8 MB) for it.

A refresh updates a chart with a ``dash.Patch`` of its ``children`` that replaces only
the columns (hours, shifts) whose values differ from what the screen shows; a new scale
(a taller bar) or new labels replace every column, and only a different number of
columns rebuilds the chart. Each column carries its numbers as ``data-*`` attributes
(``data-value``, ``data-previous``: empty while there is none), which the browser tests
compare with the API.

Sizes are in the wall's design pixels (a 1920x1080 canvas scaled to the screen).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dash import Patch, html

from dashboard.formatting import format_count
from layouts.theme import Palette
from layouts.wall_view import SeriesView

CHART_PROP = "children"  # the property a refresh sets (a Patch or the whole chart)
HEADROOM = 1.22  # the shifts' tallest bar leaves room above it for its number
GRID_LINES = 4  # about this many horizontal lines on the hourly chart
AXIS_EVERY = 2  # an hour label under every second column
# Positions in a chart's children (the Patch paths follow them).
LEGEND, GRID, COLUMNS, AXIS = 0, 1, 2, 3


def _number(value: float | None) -> str:
    """A column's number for its data attribute: an integer or a decimal, empty when none."""
    if value is None:
        return ""
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _at(values: Sequence[Any], index: int, default: Any = None) -> Any:
    """The value at ``index``, or ``default`` where the series is shorter (still loading)."""
    return values[index] if index < len(values) else default


def _data(current: float | None, previous: float | None) -> dict[str, Any]:
    return {"data-value": _number(current), "data-previous": _number(previous)}


def _share(value: float | None, top: float) -> float:
    if value is None or top <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * float(value) / top))


def _pct(share: float) -> str:
    return f"{share:.1f}%"


def nice_step(top: float, lines: int = GRID_LINES) -> int:
    """A round step (1, 2, 5 x 10^n) giving about ``lines`` grid lines up to ``top``."""
    if top <= 0:
        return 1
    raw = top / max(1, lines)
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1, int(factor * power))
    return max(1, int(10 * power))


def hourly_scale(series: SeriesView) -> tuple[int, int]:
    """The top of the hourly chart's scale (a whole number of steps) and its step."""
    present = [float(v) for v in (*series.current, *series.previous) if v is not None]
    top = max(present, default=0.0)
    step = nice_step(top)
    steps = max(1, math.ceil(top / step)) if top > 0 else GRID_LINES
    if steps * step <= top:
        steps += 1
    return steps * step, step


def shifts_scale(series: SeriesView) -> float:
    """The top of the shifts chart's scale: the tallest bar with room for its number."""
    present = [float(v) for v in (*series.current, *series.previous) if v is not None]
    return max(1.0, max(present, default=0.0) * HEADROOM)


def _legend_item(swatch: str, name: str) -> html.Span:
    return html.Span(
        [html.Span(className=f"chart-swatch chart-swatch--{swatch}"), name],
        className="chart-legend-item",
    )


def _legend(series: SeriesView, current: str, previous: str) -> html.Div:
    """The legend in the order the eye meets the marks: the bars first, then the reference."""
    items = [
        _legend_item(current, series.current_name),
        _legend_item(previous, series.previous_name),
    ]
    if previous == "previous":  # grouped bars: the day before stands left of today
        items.reverse()
    return html.Div(items, className="chart-legend")


def _chart_style(pal: Palette) -> dict[str, str]:
    return {
        "--chart-bar": pal.accent,
        "--chart-previous": pal.previous,
        "--chart-average": pal.average,
        "--chart-grid": pal.grid,
        "--chart-hatch": _rgba(pal.background, 0.45),
    }


def _rgba(hex_colour: str, alpha: float) -> str:
    value = hex_colour.lstrip("#")
    if len(value) != 6:
        return hex_colour
    red, green, blue = (int(value[index : index + 2], 16) for index in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha})"


# --- received per hour: bars today, a mark for the average of past days ---------------------
def hourly_column(series: SeriesView, index: int, top: float) -> html.Div:
    """One hour: today's bar and the average's mark (hidden when there is none)."""
    current = _at(series.current, index)
    previous = _at(series.previous, index)
    mark_class = "chart-mark" if previous is not None else "chart-mark chart-mark--none"
    bar_class = "chart-bar" if current is not None else "chart-bar chart-bar--none"
    return html.Div(
        [
            html.Div(className=bar_class, style={"height": _pct(_share(current, top))}),
            html.Div(className=mark_class, style={"bottom": _pct(_share(previous, top))}),
        ],
        className="chart-col",
        **_data(current, previous),
    )


def hourly_grid(top: int, step: int, lang: str) -> list[html.Div]:
    """The horizontal lines of the hourly chart, each with its number."""
    return [
        html.Div(
            html.Span(format_count(value, lang), className="chart-grid-label"),
            className="chart-gridline",
            style={"bottom": _pct(_share(value, top))},
        )
        for value in range(0, top + 1, step)
    ]


def hourly_axis(series: SeriesView) -> list[html.Span]:
    """The hour labels, one every ``AXIS_EVERY`` columns (the others keep their place empty)."""
    return [
        html.Span(label if index % AXIS_EVERY == 0 else "", className="chart-tick")
        for index, label in enumerate(series.labels)
    ]


def build_hourly_children(series: SeriesView, lang: str) -> list[Any]:
    """The children of the hourly chart: legend, grid, columns, axis (in that order)."""
    top, step = hourly_scale(series)
    return [
        _legend(series, "bar", "average"),
        html.Div(hourly_grid(top, step, lang), className="chart-grid"),
        html.Div(
            [hourly_column(series, index, top) for index in range(len(series.labels))],
            className="chart-cols",
        ),
        html.Div(hourly_axis(series), className="chart-axis"),
    ]


def build_hourly_chart(chart_id: str, series: SeriesView, pal: Palette, lang: str) -> html.Div:
    """Received per local hour today (bars) against the average of past days (marks)."""
    return html.Div(
        build_hourly_children(series, lang),
        id=chart_id,
        className="wall-chart chart-hourly",
        style=_chart_style(pal),
    )


def make_hourly_update(series: SeriesView, before: SeriesView | None, lang: str) -> Any:
    """What a refresh sends for the hourly chart: a Patch of the columns that changed."""
    if before is None or len(before.labels) != len(series.labels):
        return build_hourly_children(series, lang)
    top, step = hourly_scale(series)
    old_top, _ = hourly_scale(before)
    patch = Patch()
    if before.current_name != series.current_name or before.previous_name != series.previous_name:
        patch[LEGEND] = _legend(series, "bar", "average")
    if top != old_top:
        patch[GRID]["props"]["children"] = hourly_grid(top, step, lang)
    for index in range(len(series.labels)):
        same = (
            top == old_top
            and _at(series.current, index) == _at(before.current, index)
            and _at(series.previous, index) == _at(before.previous, index)
        )
        if not same:
            patch[COLUMNS]["props"]["children"][index] = hourly_column(series, index, top)
    if before.labels != series.labels:
        patch[AXIS]["props"]["children"] = hourly_axis(series)
    return patch


# --- the shifts: yesterday's beside today's, the shift under way hatched --------------------
def shifts_group(series: SeriesView, index: int, top: float, lang: str) -> html.Div:
    """One shift: the day before's bar and today's, each with its number above it."""
    previous = _at(series.previous, index)
    current = _at(series.current, index)
    live = " chart-bar--live" if series.highlight == index else ""
    previous_text = "" if previous is None else format_count(round(previous), lang)
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        html.Span(previous_text, className="chart-bar-value"),
                        className="chart-bar chart-bar--previous"
                        + (" chart-bar--none" if previous is None else ""),
                        style={"height": _pct(_share(previous, top))},
                    ),
                    html.Div(
                        html.Span(
                            _at(series.current_texts, index, ""), className="chart-bar-value"
                        ),
                        className="chart-bar chart-bar--current"
                        + live
                        + (" chart-bar--none" if current is None else ""),
                        style={"height": _pct(_share(current, top))},
                    ),
                ],
                className="chart-group-bars",
            ),
            html.Div(series.labels[index], className="chart-group-label"),
        ],
        className="chart-group",
        **_data(current, previous),
    )


def build_shifts_children(series: SeriesView, lang: str) -> list[Any]:
    """The children of the shifts chart: legend, (no grid), groups."""
    top = shifts_scale(series)
    return [
        _legend(series, "current", "previous"),
        html.Div(className="chart-grid"),
        html.Div(
            [shifts_group(series, index, top, lang) for index in range(len(series.labels))],
            className="chart-cols chart-groups",
        ),
    ]


def build_shifts_chart(chart_id: str, series: SeriesView, pal: Palette, lang: str) -> html.Div:
    """Today's shifts beside the same shifts the day before (grouped bars with numbers)."""
    return html.Div(
        build_shifts_children(series, lang),
        id=chart_id,
        className="wall-chart chart-shifts",
        style=_chart_style(pal),
    )


def _group_key(series: SeriesView, index: int) -> tuple[Any, ...]:
    return (
        series.labels[index],
        _at(series.current, index),
        _at(series.current_texts, index, ""),
        _at(series.previous, index),
        series.highlight == index,
    )


def make_shifts_update(series: SeriesView, before: SeriesView | None, lang: str) -> Any:
    """What a refresh sends for the shifts chart: a Patch of the shifts that changed."""
    if before is None or len(before.labels) != len(series.labels):
        return build_shifts_children(series, lang)
    top = shifts_scale(series)
    same_scale = top == shifts_scale(before)
    patch = Patch()
    if before.current_name != series.current_name or before.previous_name != series.previous_name:
        patch[LEGEND] = _legend(series, "current", "previous")
    for index in range(len(series.labels)):
        if not same_scale or _group_key(series, index) != _group_key(before, index):
            patch[COLUMNS]["props"]["children"][index] = shifts_group(series, index, top, lang)
    return patch


def series_numbers(values: Sequence[float | None]) -> list[str]:
    """The data attributes a chart's columns carry for these values (for tests)."""
    return [_number(value) for value in values]
