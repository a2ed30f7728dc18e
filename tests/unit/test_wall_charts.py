"""The wall's HTML charts: their numbers, their scale, and refreshes that send only changes."""

from __future__ import annotations

import json

import plotly.utils
from dash import no_update

from dashboard import ids
from layouts.theme import palette
from layouts.wall_charts import (
    COUNTED_PART,
    HOURLY_PARTS,
    SHIFTS_PARTS,
    build_hourly_chart,
    build_shifts_chart,
    chart_outputs,
    chart_updates,
    columns_on_screen,
    hourly_scale,
    nice_step,
)
from layouts.wall_view import SeriesView
from tests.support.components import props_of_id_type

HOURS = tuple(f"{(6 + hour) % 24:02d}" for hour in range(24))


def hourly(current, previous=None) -> SeriesView:
    current = tuple(current) + (None,) * (24 - len(current))
    previous = tuple(previous) if previous is not None else tuple(float(n % 7) for n in range(24))
    return SeriesView(
        labels=HOURS,
        current=current,
        current_texts=tuple("" if v is None else str(v) for v in current),
        previous=previous,
        current_name="Hôm nay",
        previous_name="TB 7 ngày trước",
    )


def shifts(current, previous, highlight=1) -> SeriesView:
    return SeriesView(
        labels=("Ca 1", "Ca 2", "Ca 3"),
        current=tuple(current),
        current_texts=tuple("" if v is None else f"{v:,}".replace(",", ".") for v in current),
        previous=tuple(previous),
        current_name="Hôm nay",
        previous_name="Hôm qua",
        highlight=highlight,
    )


class View:
    """The two series of a wall view (chart_updates reads nothing else)."""

    def __init__(self, hourly_series: SeriesView, shifts_series: SeriesView, lang="vi") -> None:
        self.hourly = hourly_series
        self.shifts = shifts_series
        self.lang = lang


def plain(component) -> dict:
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def columns(tree, part=COUNTED_PART):
    return props_of_id_type(tree, part)


def test_each_column_carries_its_numbers_and_future_hours_are_empty():
    series = hourly([3, 12, 0, 7])
    chart = plain(build_hourly_chart(ids.HOURLY_GRAPH, series, palette("dark"), "vi"))
    cols = columns(chart)
    assert [c["data-value"] for c in cols] == ["3", "12", "0", "7"] + [""] * 20
    assert [c["data-previous"] for c in cols][:3] == ["0", "1", "2"]
    bars = columns(chart, "chart-bar")
    assert bars[20]["style"]["visibility"] == "hidden"
    top, _ = hourly_scale(series)
    assert bars[1]["style"]["height"] == f"{100 * 12 / top:.1f}%"


def test_the_shift_under_way_is_hatched_and_numbers_stand_on_the_bars():
    chart = plain(
        build_shifts_chart(
            ids.SHIFTS_GRAPH, shifts([300, 83, None], [259, 214, 35]), palette("light"), "vi"
        )
    )
    groups = columns(chart)
    assert [g["data-value"] for g in groups] == ["300", "83", ""]
    assert [g["data-previous"] for g in groups] == ["259", "214", "35"]
    current = columns(chart, "chart-cur")
    assert "chart-bar--live" in current[1]["className"]
    assert "chart-bar--live" not in current[0]["className"]
    texts = [t["children"] for t in columns(chart, "chart-cur-text")]
    assert texts == ["300", "83", ""]
    # The tallest bar leaves room above it for its number.
    assert max(float(c["style"]["height"][:-1]) for c in current) < 85


def test_the_scale_is_a_round_number_above_the_tallest_bar():
    assert nice_step(61) == 20 and nice_step(7) == 2 and nice_step(0) == 1
    assert hourly_scale(hourly([61])) == (80, 20)
    assert hourly_scale(hourly([0], previous=[0.0] * 24))[0] >= 1


def _outputs(updates):
    return dict(
        zip(
            [json.dumps(o, sort_keys=True, default=str) for o in chart_outputs()],
            updates,
            strict=True,
        )
    )


def test_an_unchanged_view_sends_nothing_and_a_new_ticket_only_its_hour():
    before = View(hourly([3, 12, 0, 7]), shifts([300, 83, None], [259, 214, 35]))
    shown = {ids.HOURLY_GRAPH: 24, ids.SHIFTS_GRAPH: 3}
    unchanged = chart_updates(before, before, shown)
    assert len(unchanged) == len(chart_outputs())
    for value in unchanged:
        assert value is no_update or value == [no_update] * len(value)

    after = View(hourly([3, 12, 0, 8]), shifts([300, 84, None], [259, 214, 35]))
    updates = chart_updates(after, before, shown)
    sent = {
        (json.dumps(spec[0], sort_keys=True, default=str), spec[1]): value
        for spec, value in zip(chart_outputs(), updates, strict=True)
    }
    for (component, prop), value in sent.items():
        if component.startswith("{"):
            changed = [i for i, item in enumerate(value) if item is not no_update]
            if '"graph-hourly"' in component:
                moved = prop == "data-value" or '"chart-bar"' in component
                assert changed == ([3] if moved else []), (component, prop)  # the mark stays
            elif prop in ("data-previous",) or '"chart-prev' in component or prop == "className":
                assert changed == [], (component, prop)  # the day before and the hatch stay
            else:
                assert changed == [1], (component, prop)
        else:
            assert value is no_update, component  # no chart is rebuilt, no grid redrawn
    hourly_values = next(
        value
        for (component, prop), value in sent.items()
        if '"graph-hourly"' in component and COUNTED_PART in component and prop == "data-value"
    )
    assert hourly_values[3] == "8"


def test_a_taller_bar_redraws_the_grid_and_every_bar_but_not_the_chart():
    before = View(hourly([3, 12]), shifts([1, 2, 3], [1, 2, 3]))
    after = View(hourly([3, 95]), shifts([1, 2, 3], [1, 2, 3]))
    shown = {ids.HOURLY_GRAPH: 24, ids.SHIFTS_GRAPH: 3}
    updates = dict(
        zip(
            [(str(c), p) for c, p in chart_outputs()],
            chart_updates(after, before, shown),
            strict=True,
        )
    )
    assert updates[(ids.HOURLY_GRAPH, "children")] is no_update
    assert updates[(f"{ids.HOURLY_GRAPH}-grid", "children")] is not no_update
    bar_key = next(k for k in updates if "chart-bar" in k[0] and "graph-hourly" in k[0])
    # Every bar with a number is redrawn to the new scale; the empty future hours stay.
    assert [value is not no_update for value in updates[bar_key]] == [True, True] + [False] * 22


def test_a_screen_with_other_columns_or_an_unknown_view_gets_everything():
    view = View(hourly([3, 12]), shifts([1, 2, 3], [1, 2, 3]))
    rebuilt = chart_updates(view, None, {ids.HOURLY_GRAPH: 0, ids.SHIFTS_GRAPH: 3})
    outputs = chart_outputs()
    by_key = dict(zip([(str(c), p) for c, p in outputs], rebuilt, strict=True))
    assert isinstance(by_key[(ids.HOURLY_GRAPH, "children")], list)  # rebuilt: no columns shown
    assert by_key[(ids.SHIFTS_GRAPH, "children")] is no_update
    shift_parts = [v for (c, _), v in by_key.items() if "graph-shifts" in c and c.startswith("{")]
    assert len(shift_parts) == len(SHIFTS_PARTS)
    assert all(item is not no_update for part in shift_parts for item in part)  # every part sent
    assert len(
        [c for c, _ in outputs if "graph-hourly" in str(c) and str(c).startswith("{")]
    ) == len(HOURLY_PARTS)


def test_columns_on_screen_counts_each_chart_once_per_column():
    outputs_list = [
        {"id": "wall", "property": "className"},
        [
            {
                "id": {"type": COUNTED_PART, "list": ids.HOURLY_GRAPH, "index": i},
                "property": "data-value",
            }
            for i in range(24)
        ],
        [
            {
                "id": {"type": COUNTED_PART, "list": ids.HOURLY_GRAPH, "index": i},
                "property": "data-previous",
            }
            for i in range(24)
        ],
        [
            {
                "id": {"type": COUNTED_PART, "list": ids.SHIFTS_GRAPH, "index": i},
                "property": "data-value",
            }
            for i in range(3)
        ],
        "junk",
        [None, {"id": 5}],
    ]
    assert columns_on_screen(outputs_list) == {ids.HOURLY_GRAPH: 24, ids.SHIFTS_GRAPH: 3}
    assert columns_on_screen(None) == {}
