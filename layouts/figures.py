"""Plotly figures of the wall, themed like the page, and the Patches that refresh them.

A figure is built once with the page; each refresh sends a ``dash.Patch`` that
replaces only the data arrays (and the axis range), not the figure.
Sizes are in the wall's design pixels (a 1920x1080 canvas scaled to the screen).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from dash import Patch, dcc

from dashboard.formatting import format_count
from layouts.theme import FONT_FAMILY, Palette
from layouts.wall_view import SeriesView

FONT_SIZE = 19
BAR_TEXT_SIZE = 20
HEADROOM = 1.22  # room right of / above the longest bar for its number

# Plotly's separators: decimal mark then thousands separator.
SEPARATORS = {"vi": ",.", "en": ".,"}

GRAPH_CONFIG: dcc.Graph.Config = {"staticPlot": True, "displayModeBar": False, "responsive": True}


def _base_layout(pal: Palette, lang: str, *, legend: bool = False) -> dict[str, Any]:
    return {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": pal.text},
        "separators": SEPARATORS.get(lang, ".,"),
        "showlegend": legend,
        "hovermode": False,
        "dragmode": False,
        "transition": {"duration": 0},
    }


def _range(values: Sequence[float | None]) -> list[float]:
    present = [value for value in values if value is not None]
    top = max(present, default=0)
    return [0, max(1.0, float(top) * HEADROOM)]


def _shift_patterns(series: SeriesView) -> list[str]:
    # The shift under way is hatched: its bar is still growing.
    return ["/" if series.highlight == index else "" for index in range(len(series.labels))]


def make_shifts_figure(series: SeriesView, pal: Palette, lang: str) -> go.Figure:
    """Today's shifts beside the same shifts the day before (grouped bars)."""
    figure = go.Figure(
        [
            go.Bar(
                name=series.previous_name,
                x=list(series.labels),
                y=list(series.previous),
                text=[_text(value, lang) for value in series.previous],
                textposition="outside",
                cliponaxis=False,
                textfont={"size": BAR_TEXT_SIZE - 2, "color": pal.muted},
                marker={"color": pal.previous},
            ),
            go.Bar(
                name=series.current_name,
                x=list(series.labels),
                y=list(series.current),
                text=list(series.current_texts),
                textposition="outside",
                cliponaxis=False,
                textfont={"size": BAR_TEXT_SIZE, "color": pal.text},
                marker={
                    "color": pal.accent,
                    "pattern": {
                        "shape": _shift_patterns(series),
                        "fgcolor": pal.background,
                        "fgopacity": 0.45,
                        "size": 14,
                    },
                },
            ),
        ]
    )
    figure.update_layout(
        **_base_layout(pal, lang, legend=True),
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": FONT_SIZE - 2, "color": pal.muted},
        },
        barmode="group",
        bargap=0.3,
        bargroupgap=0.08,
        margin={"l": 4, "r": 4, "t": 34, "b": 4, "pad": 2},
        xaxis={"showgrid": False, "ticks": "", "tickfont": {"size": FONT_SIZE}, "fixedrange": True},
        yaxis={
            "visible": False,
            "range": _range([*series.current, *series.previous]),
            "fixedrange": True,
        },
    )
    return figure


def _text(value: float | None, lang: str) -> str:
    return "" if value is None else format_count(round(value), lang)


def make_shifts_patch(series: SeriesView, pal: Palette, lang: str) -> Patch:
    """The update of the shifts figure."""
    patch = Patch()
    patch["data"][0]["x"] = list(series.labels)
    patch["data"][0]["y"] = list(series.previous)
    patch["data"][0]["text"] = [_text(value, lang) for value in series.previous]
    patch["data"][1]["x"] = list(series.labels)
    patch["data"][1]["y"] = list(series.current)
    patch["data"][1]["text"] = list(series.current_texts)
    patch["data"][1]["marker"]["pattern"]["shape"] = _shift_patterns(series)
    patch["layout"]["yaxis"]["range"] = _range([*series.current, *series.previous])
    return patch


def make_hourly_figure(series: SeriesView, pal: Palette, lang: str) -> go.Figure:
    """Received per local hour today (bars) against the average of past days (line)."""
    figure = go.Figure(
        [
            go.Bar(
                name=series.current_name,
                x=list(series.labels),
                y=list(series.current),
                marker={"color": pal.accent},
            ),
            go.Scatter(
                name=series.previous_name,
                x=list(series.labels),
                y=list(series.previous),
                mode="lines+markers",
                line={"color": pal.average, "width": 3, "dash": "dot", "shape": "spline"},
                marker={"size": 6, "color": pal.average},
                connectgaps=True,
            ),
        ]
    )
    figure.update_layout(
        **_base_layout(pal, lang, legend=True),
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": FONT_SIZE - 2, "color": pal.muted},
        },
        bargap=0.18,
        margin={"l": 4, "r": 4, "t": 34, "b": 4, "pad": 2},
        xaxis={
            "type": "category",
            "tickangle": 0,
            "dtick": 2,
            "showgrid": False,
            "ticks": "",
            "tickfont": {"size": FONT_SIZE - 3, "color": pal.muted},
            "fixedrange": True,
            "automargin": True,
        },
        yaxis={
            "gridcolor": pal.grid,
            "zeroline": False,
            "tickfont": {"size": FONT_SIZE - 3, "color": pal.muted},
            "rangemode": "tozero",
            "nticks": 5,
            "automargin": True,
            "fixedrange": True,
        },
    )
    return figure


def make_hourly_patch(series: SeriesView) -> Patch:
    """The update of the hourly figure."""
    patch = Patch()
    patch["data"][0]["x"] = list(series.labels)
    patch["data"][0]["y"] = list(series.current)
    patch["data"][1]["x"] = list(series.labels)
    patch["data"][1]["y"] = list(series.previous)
    return patch
