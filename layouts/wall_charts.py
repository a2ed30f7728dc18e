"""The wall's two charts drawn in HTML (no Plotly): received per hour, and the shifts.

Like the bar lists, a chart is a tree of ``html.Div`` whose bars have a height in percent
of the chart's scale; CSS (assets/wall-charts.css) lays them out. The wall therefore never
mounts a ``dcc.Graph`` and the browser never fetches Plotly (4.8 MB) for it.

A refresh sets leaf properties only, like the bar lists: each column's parts have
pattern-matching ids (``{"type": part, "list": chart, "index": i}``) and a refresh sends
the new height of the bars that changed, ``no_update`` for the others (a new ``children``
makes the renderer walk the new tree and costs a visible pause on a busy screen). The grid
of the hourly chart is sent again only when its scale changes; the whole chart only when
the number of columns on the screen differs. Each column carries its numbers as ``data-*``
attributes (``data-value``, ``data-previous``: empty while there is none), which the browser
tests compare with the API.

Sizes are in the wall's design pixels (a 1920x1080 canvas scaled to the screen).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dash import ALL, html, no_update

from dashboard import ids
from dashboard.formatting import format_count
from layouts.theme import Palette
from layouts.wall_view import SeriesView, WallView

HEADROOM = 1.22  # the shifts' tallest bar leaves room above it for its number
GRID_LINES = 4  # about this many horizontal lines on the hourly chart
AXIS_EVERY = 2  # an hour label under every second column
COUNTED_PART = "chart-col"  # one per column: how many columns a screen has
Part = tuple[str, str]  # (id type, property)
HOURLY_PARTS: tuple[Part, ...] = (
    (COUNTED_PART, "data-value"),
    (COUNTED_PART, "data-previous"),
    ("chart-bar", "style"),
    ("chart-mark", "style"),
)
SHIFTS_PARTS: tuple[Part, ...] = (
    (COUNTED_PART, "data-value"),
    (COUNTED_PART, "data-previous"),
    ("chart-prev", "style"),
    ("chart-cur", "style"),
    ("chart-cur", "className"),
    ("chart-prev-text", "children"),
    ("chart-cur-text", "children"),
)


def part_id(part: str, chart_id: str, index: int | object) -> dict[str, object]:
    """Pattern-matching id of one part of one column of a chart (like a bar list's rows)."""
    return {"type": part, "list": chart_id, "index": index}


def grid_id(chart_id: str) -> str:
    """The id of a chart's grid lines (sent again when the scale changes)."""
    return f"{chart_id}-grid"


def _number(value: float | None) -> str:
    """A column's number for its data attribute: an integer or a decimal, empty when none."""
    if value is None:
        return ""
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _at(values: Sequence[Any], index: int, default: Any = None) -> Any:
    """The value at ``index``, or ``default`` where the series is shorter (still loading)."""
    return values[index] if index < len(values) else default


def _share(value: float | None, top: float) -> float:
    if value is None or top <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * float(value) / top))


def _pct(share: float) -> str:
    return f"{share:.1f}%"


def _bar_style(value: float | None, top: float) -> dict[str, str]:
    """A bar's height on the scale (hidden where there is no value)."""
    return {
        "height": _pct(_share(value, top)),
        "visibility": "hidden" if value is None else "visible",
    }


def _counted(current: float | None, previous: float | None) -> dict[Part, Any]:
    """The numbers a column carries in its data attributes."""
    return {
        (COUNTED_PART, "data-value"): _number(current),
        (COUNTED_PART, "data-previous"): _number(previous),
    }


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


def _wall_chart(chart_id: str, children: list[Any], kind: str, pal: Palette) -> html.Div:
    """A chart's frame: its children, the class of its kind and the palette's colours."""
    return html.Div(
        children, id=chart_id, className=f"wall-chart chart-{kind}", style=_chart_style(pal)
    )


def _rgba(hex_colour: str, alpha: float) -> str:
    value = hex_colour.lstrip("#")
    if len(value) != 6:
        return hex_colour
    red, green, blue = (int(value[index : index + 2], 16) for index in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha})"


# --- received per hour: bars today, a mark for the average of past days ---------------------
def hourly_parts(series: SeriesView, index: int, top: float) -> dict[Part, Any]:
    """The value of each part of one hour's column (the page and its refresh share them)."""
    current = _at(series.current, index)
    previous = _at(series.previous, index)
    return {
        **_counted(current, previous),
        ("chart-bar", "style"): _bar_style(current, top),
        ("chart-mark", "style"): {
            "bottom": _pct(_share(previous, top)),
            "display": "none" if previous is None else "block",
        },
    }


def hourly_column(chart_id: str, series: SeriesView, index: int, top: float) -> html.Div:
    """One hour: today's bar and the average's mark (hidden when there is none)."""
    parts = hourly_parts(series, index, top)
    return html.Div(
        [
            html.Div(
                id=part_id("chart-bar", chart_id, index),
                className="chart-bar",
                style=parts[("chart-bar", "style")],
            ),
            html.Div(
                id=part_id("chart-mark", chart_id, index),
                className="chart-mark",
                style=parts[("chart-mark", "style")],
            ),
        ],
        id=part_id(COUNTED_PART, chart_id, index),
        className="chart-col",
        **_data_attributes(parts),
    )


def _data_attributes(parts: dict[Part, Any]) -> dict[str, Any]:
    return {
        "data-value": parts[(COUNTED_PART, "data-value")],
        "data-previous": parts[(COUNTED_PART, "data-previous")],
    }


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


def build_hourly_children(chart_id: str, series: SeriesView, lang: str) -> list[Any]:
    """The children of the hourly chart: legend, grid, columns, axis."""
    top, step = hourly_scale(series)
    return [
        _legend(series, "bar", "average"),
        html.Div(hourly_grid(top, step, lang), id=grid_id(chart_id), className="chart-grid"),
        html.Div(
            [hourly_column(chart_id, series, index, top) for index in range(len(series.labels))],
            className="chart-cols",
        ),
        html.Div(hourly_axis(series), className="chart-axis"),
    ]


def build_hourly_chart(chart_id: str, series: SeriesView, pal: Palette, lang: str) -> html.Div:
    """Received per local hour today (bars) against the average of past days (marks)."""
    return _wall_chart(chart_id, build_hourly_children(chart_id, series, lang), "hourly", pal)


# --- the shifts: yesterday's beside today's, the shift under way hatched --------------------
def shifts_parts(series: SeriesView, index: int, top: float, lang: str) -> dict[Part, Any]:
    """The value of each part of one shift's group."""
    previous = _at(series.previous, index)
    current = _at(series.current, index)
    live = " chart-bar--live" if series.highlight == index else ""
    return {
        **_counted(current, previous),
        ("chart-prev", "style"): _bar_style(previous, top),
        ("chart-cur", "style"): _bar_style(current, top),
        ("chart-cur", "className"): "chart-bar chart-bar--current" + live,
        ("chart-prev-text", "children"): (
            "" if previous is None else format_count(round(previous), lang)
        ),
        ("chart-cur-text", "children"): _at(series.current_texts, index, ""),
    }


def shifts_group(chart_id: str, series: SeriesView, index: int, top: float, lang: str) -> html.Div:
    """One shift: the day before's bar and today's, each with its number above it."""
    parts = shifts_parts(series, index, top, lang)

    def bar(part: str, class_name: str) -> html.Div:
        return html.Div(
            html.Span(
                parts[(f"{part}-text", "children")],
                id=part_id(f"{part}-text", chart_id, index),
                className="chart-bar-value",
            ),
            id=part_id(part, chart_id, index),
            className=class_name,
            style=parts[(part, "style")],
        )

    return html.Div(
        [
            html.Div(
                [
                    bar("chart-prev", "chart-bar chart-bar--previous"),
                    bar("chart-cur", parts[("chart-cur", "className")]),
                ],
                className="chart-group-bars",
            ),
            html.Div(series.labels[index], className="chart-group-label"),
        ],
        id=part_id(COUNTED_PART, chart_id, index),
        className="chart-group",
        **_data_attributes(parts),
    )


def build_shifts_children(chart_id: str, series: SeriesView, lang: str) -> list[Any]:
    """The children of the shifts chart: legend and groups."""
    top = shifts_scale(series)
    return [
        _legend(series, "current", "previous"),
        html.Div(
            [
                shifts_group(chart_id, series, index, top, lang)
                for index in range(len(series.labels))
            ],
            className="chart-cols chart-groups",
        ),
    ]


def build_shifts_chart(chart_id: str, series: SeriesView, pal: Palette, lang: str) -> html.Div:
    """Today's shifts beside the same shifts the day before (grouped bars with numbers)."""
    return _wall_chart(chart_id, build_shifts_children(chart_id, series, lang), "shifts", pal)


# --- what a refresh sends --------------------------------------------------------------------
def chart_outputs() -> list[tuple[Any, str]]:
    """The (component id, property) of every chart output of the refresh, in a fixed order."""
    outputs: list[tuple[Any, str]] = []
    for chart_id in ids.GRAPHS:
        outputs.append((chart_id, "children"))
        if chart_id == ids.HOURLY_GRAPH:
            outputs.append((grid_id(chart_id), "children"))
        parts = HOURLY_PARTS if chart_id == ids.HOURLY_GRAPH else SHIFTS_PARTS
        outputs += [(part_id(part, chart_id, ALL), prop) for part, prop in parts]
    return outputs


def _series(view: WallView, chart_id: str) -> SeriesView:
    return view.hourly if chart_id == ids.HOURLY_GRAPH else view.shifts


def _all_parts(chart_id: str, series: SeriesView, lang: str) -> list[dict[Part, Any]]:
    if chart_id == ids.HOURLY_GRAPH:
        top, _ = hourly_scale(series)
        return [hourly_parts(series, index, top) for index in range(len(series.labels))]
    scale = shifts_scale(series)
    return [shifts_parts(series, index, scale, lang) for index in range(len(series.labels))]


def _same_frame(series: SeriesView, before: SeriesView) -> bool:
    return (series.labels, series.current_name, series.previous_name) == (
        before.labels,
        before.current_name,
        before.previous_name,
    )


def chart_updates(
    view: WallView, before: WallView | None, shown: dict[str, int] | None = None
) -> list[Any]:
    """The values of ``chart_outputs()``: only the parts that differ from ``before``.

    ``before`` is the view the screen shows (None: unknown, every part is sent); ``shown``
    is how many columns each chart has on the screen (the wildcard outputs want one value
    per column there). A screen with another number of columns, or other labels, gets the
    chart's children instead.
    """
    shown = shown or {}
    values: list[Any] = []
    for chart_id in ids.GRAPHS:
        series = _series(view, chart_id)
        old = _series(before, chart_id) if before is not None else None
        parts = HOURLY_PARTS if chart_id == ids.HOURLY_GRAPH else SHIFTS_PARTS
        count = shown.get(chart_id, 0)
        hourly = chart_id == ids.HOURLY_GRAPH
        if count != len(series.labels) or (old is not None and not _same_frame(series, old)):
            build = build_hourly_children if hourly else build_shifts_children
            values.append(build(chart_id, series, view.lang))
            if hourly:
                values.append(no_update)
            values += [[no_update] * count for _ in parts]
            continue
        if old is not None and old == series:  # unchanged: nothing to send
            values += [no_update] * (2 if hourly else 1) + [[no_update] * count for _ in parts]
            continue
        values.append(no_update)
        if hourly:
            top, step = hourly_scale(series)
            same_scale = old is not None and hourly_scale(old) == (top, step)
            values.append(no_update if same_scale else hourly_grid(top, step, view.lang))
        new_parts = _all_parts(chart_id, series, view.lang)
        old_parts = _all_parts(chart_id, old, view.lang) if old is not None else None
        for key in parts:
            values.append(
                [
                    no_update
                    if old_parts is not None and old_parts[index][key] == new_parts[index][key]
                    else new_parts[index][key]
                    for index in range(count)
                ]
            )
    return values


def columns_on_screen(outputs_list: Any) -> dict[str, int]:
    """How many columns each chart has on the screen, from a callback's wildcard outputs."""
    counts: dict[str, int] = {}
    for spec in outputs_list if isinstance(outputs_list, list) else []:
        if not isinstance(spec, list):
            continue
        for item in spec:
            component = item.get("id") if isinstance(item, dict) else None
            if (
                isinstance(component, dict)
                and component.get("type") == COUNTED_PART
                and item.get("property") == "data-value"
            ):
                chart_id = str(component.get("list"))
                counts[chart_id] = counts.get(chart_id, 0) + 1
    return counts
