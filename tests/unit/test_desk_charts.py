"""The desk views' HTML charts: numbers, labels, ids, scale, contrast, and the drill they ask."""

from __future__ import annotations

import json
from typing import Any

import plotly.utils

from callbacks.overview import drill_of
from dashboard import ids
from layouts.desk_charts import (
    HEAT_SHADES,
    TrendSeries,
    build_bars,
    build_heatmap,
    build_trend,
    heat_shade,
    label_every,
    trend_scale,
)
from tests.support.components import props_of_id_type, props_where

BASE = {"first": "2026-11-01", "last": "2026-11-30", "filters": {}}


def plain(component: Any) -> dict[str, Any]:
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def nodes(tree: Any, class_name: str) -> list[dict[str, Any]]:
    """The props of every component whose className holds ``class_name``, in order."""
    return props_where(tree, lambda props: class_name in str(props.get("className", "")).split())


def by_type(tree: Any, kind: str) -> list[dict[str, Any]]:
    return props_of_id_type(tree, kind)


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- bars ---------------------------------------------------------------------------------
def test_horizontal_bars_write_each_number_with_a_bar_proportional_to_the_largest():
    chart = plain(build_bars("c", ["Mức 1", "Mức 2", "Mức 3"], [1234, 617, 0], "vi"))
    assert chart["props"]["id"] == "c" and chart["props"]["role"] == "list"
    rows = nodes(chart, "hv-bar-row")
    assert [row["data-value"] for row in rows] == ["1234", "617", "0"]
    assert [n["children"] for n in nodes(chart, "hv-bar-label")] == ["Mức 1", "Mức 2", "Mức 3"]
    assert [n["children"] for n in nodes(chart, "hv-bar-value")] == ["1.234", "617", "0"]
    widths = [n["style"]["width"] for n in nodes(chart, "hv-bar-fill")]
    assert widths == ["100.0%", "50.0%", "0.0%"]
    assert all(t["aria-hidden"] == "true" for t in nodes(chart, "hv-bar-track"))


def test_bars_take_the_colours_given_and_english_grouping():
    chart = plain(build_bars("c", ["a", "b"], [1500, 3000], "en", colors=["#111111", "#222222"]))
    fills = nodes(chart, "hv-bar-fill")
    assert [f["style"]["background"] for f in fills] == ["#111111", "#222222"]
    assert [n["children"] for n in nodes(chart, "hv-bar-value")] == ["1,500", "3,000"]


def test_vertical_bars_stand_their_number_on_the_bar():
    chart = plain(build_bars("h", ["14:00", "15:00"], [8, 2], "vi", horizontal=False))
    assert "hv-cols" in chart["props"]["className"]
    assert [f["style"]["height"] for f in nodes(chart, "hv-bar-fill")] == ["100.0%", "25.0%"]
    values = nodes(chart, "hv-bar-value")
    assert [(v["children"], v["style"]["bottom"]) for v in values] == [
        ("8", "100.0%"),
        ("2", "25.0%"),
    ]


def test_bars_of_nothing_are_empty_bars_not_a_division_by_zero():
    chart = plain(build_bars("c", ["—"], [0], "vi"))
    assert nodes(chart, "hv-bar-fill")[0]["style"]["width"] == "0.0%"


# --- the trend -----------------------------------------------------------------------------
def _trend(days: int = 3) -> dict[str, Any]:
    labels = [f"{day + 1:02d}/11" for day in range(days)]
    keys = [f"2026-11-{day + 1:02d}" for day in range(days)]
    series = [
        TrendSeries("Tiếp nhận", tuple(100 + 10 * d for d in range(days)), "#1c6fd1"),
        TrendSeries("Đã chuyển", tuple(50 + d for d in range(days)), "#b7791f"),
    ]
    return plain(build_trend("t", labels, keys, series, "vi"))


def test_each_day_of_the_trend_is_a_button_naming_the_day_and_its_values():
    chart = _trend()
    days = by_type(chart, ids.OVERVIEW_TREND_DAY)
    assert [day["id"]["day"] for day in days] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert days[1]["aria-label"] == "02/11: Tiếp nhận 110, Đã chuyển 51"
    assert days[1]["title"] == days[1]["aria-label"]
    assert all(day["type"] == "button" for day in days)
    # a dot per series and day (a background layer each); a line per series through them
    dots = nodes(chart, "hv-trend-dots")
    assert [dot["style"]["background"].count("radial-gradient(") for dot in dots] == [3, 3]
    lines = nodes(chart, "hv-trend-line")
    assert [line["style"]["clipPath"].count("calc(") for line in lines] == [6, 6]
    assert [line["style"]["background"] for line in lines] == ["#1c6fd1", "#b7791f"]
    # the marks are drawn over the day buttons, which hold nothing
    assert all(day.get("children") is None for day in days)
    single = plain(
        build_trend("t", ["01/11"], ["2026-11-01"], [TrendSeries("a", (5,), "#000")], "vi")
    )
    assert nodes(single, "hv-trend-line") == [] and len(nodes(single, "hv-trend-dots")) == 1


def test_the_trend_scale_is_round_and_places_the_dots():
    chart = _trend()
    assert chart["props"]["data-top"] == "150"  # 120 at most, in steps of 50
    assert trend_scale([TrendSeries("a", (120,), "#000")]) == (150, 50)
    assert trend_scale([TrendSeries("a", (0, 0), "#000")]) == (4, 1)
    # the first day of the first series, 100 of 150: a third of the plot down from its top,
    # at the centre of the first of three days
    dots = nodes(chart, "hv-trend-dots")
    first_dot = dots[0]["style"]["background"].split("radial-gradient(")[1]
    assert first_dot.startswith(f"circle at 16.67% calc(8px + (100% - 16px) * {1 / 3:.4f})")
    line = nodes(chart, "hv-trend-line")[0]["style"]["clipPath"]
    assert line.startswith(f"polygon(16.67% calc({100 - 100 * 100 / 150:.1f}% - 1.5px), 50.00%")
    assert line.endswith(f"16.67% calc({100 - 100 * 100 / 150:.1f}% + 1.5px))")
    labels = [n["children"] for n in nodes(chart, "hv-trend-grid-label")]
    assert labels == ["0", "50", "100", "150"]
    legend = [item["children"][1] for item in nodes(chart, "hv-legend-item")]
    assert legend == ["Tiếp nhận", "Đã chuyển"]


def test_the_day_labels_are_thinned_to_about_sixteen():
    assert label_every(7) == 1 and label_every(30) == 2 and label_every(90) == 6
    chart = _trend(90)
    written = [n["children"] for n in nodes(chart, "hv-trend-tick-text")]
    assert 14 <= len(written) <= 16
    assert written[:2] == ["01/11", "07/11"]
    assert len(nodes(chart, "hv-trend-tick")) == 90
    assert "hv-trend--dense" in chart["props"]["className"]


# --- the heatmap ---------------------------------------------------------------------------
def _heatmap() -> dict[str, Any]:
    return plain(
        build_heatmap(
            "h",
            [("dien", "Điện"), ("nuoc", "Nước")],
            [("1", "Mức 1"), ("4", "Mức 4")],
            [[1200, 0], [3, 40]],
            "vi",
            corner="Lĩnh vực / Mức độ",
        )
    )


def test_the_heatmap_is_a_table_with_a_button_per_non_empty_cell():
    chart = _heatmap()
    cells = nodes(chart, "hv-heat-cell")
    assert [c["data-value"] for c in cells] == ["1200", "0", "3", "40"]
    buttons = by_type(chart, ids.OVERVIEW_HEAT_CELL)
    assert [(b["id"]["category"], b["id"]["urgency"]) for b in buttons] == [
        ("dien", "1"),
        ("nuoc", "1"),
        ("nuoc", "4"),
    ]
    assert [b["children"] for b in buttons] == ["1.200", "3", "40"]
    assert buttons[0]["aria-label"] == "Điện · Mức 1: 1.200"
    assert cells[1]["children"] == "0"  # an empty cell is text, not a button
    heads = [n["children"] for n in nodes(chart, "hv-heat-row")]
    assert heads == ["Điện", "Nước"]


def test_heat_shades_grow_with_the_value_and_keep_their_text_readable():
    assert heat_shade(0, 100) == HEAT_SHADES[0]
    assert heat_shade(100, 100) == HEAT_SHADES[-1]
    assert heat_shade(1, 100) == HEAT_SHADES[1]  # a count is never shown as empty
    shades = [heat_shade(value, 100) for value in range(0, 101)]
    order = [HEAT_SHADES.index(shade) for shade in shades]
    assert order == sorted(order)
    for background, text in HEAT_SHADES:
        assert contrast(background, text) >= 4.5, (background, text)
    chart = _heatmap()
    styles = [c["style"] for c in nodes(chart, "hv-heat-cell")]
    assert styles[0] == {"background": HEAT_SHADES[-1][0], "color": HEAT_SHADES[-1][1]}


# --- what a click asks for (callbacks/overview.py) ------------------------------------------
def test_a_trend_day_drills_into_that_day_received():
    trigger = {"type": ids.OVERVIEW_TREND_DAY, "day": "2026-11-07"}
    drill = drill_of(trigger, BASE, None, True, [])
    assert drill == {**BASE, "measure": "received", "first": "2026-11-07", "last": "2026-11-07"}
    assert drill_of(trigger, BASE, None, False, []) is None  # drawn, not clicked
    assert drill_of({**trigger, "day": "07/11"}, BASE, None, True, []) is None


def test_a_heatmap_cell_drills_into_its_field_and_level():
    trigger = {"type": ids.OVERVIEW_HEAT_CELL, "category": "dien", "urgency": "4"}
    drill = drill_of(trigger, BASE, None, True, [])
    assert drill == {**BASE, "measure": "received", "category": "dien", "urgency": "4"}
    assert drill_of(trigger, BASE, None, False, []) is None
    assert drill_of({**trigger, "urgency": 4}, BASE, None, True, []) is None
