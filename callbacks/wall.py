"""Callbacks of the wall: a refresh that only reads memory and sends only what changed.

How a screen stays live without load and without piling up (Dash issue 2198:
a ``dcc.Interval`` fires whether or not the previous callback has returned):

1. The database is read by the scheduled job only (``SnapshotService.refresh``,
   once per interval, never overlapping). A screen's refresh reads the last
   snapshots from memory, so it answers in milliseconds even when the
   database hangs, and 50 screens cost the database what 1 costs.
2. In the browser, the interval does not call the server directly: a
   client-side guard (``wall.guard`` in assets/wall.js) lets a tick through
   only when the previous refresh has answered (or has been lost for longer
   than the stale limit), so each screen has at most one request in flight.
   ``running=`` is not used for this: the renderer does not reset it when a
   request fails at the network level, which would stop the refresh for good.
3. Each view of the data gets a key; the screen sends back the key of what it
   shows, and the refresh answers ``no_update`` for every leaf property and
   figure that is the same in both views, ``Patch`` for figures that changed
   (their data arrays only), and the new key (``callbacks.wall_presenter``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import ALL, Dash, Input, Output, State, callback_context

from callbacks.intelligence import record_wall_poll
from callbacks.kiosk import options_from_args, options_to_args
from callbacks.wall_presenter import WallPresenter, rows_on_screen
from dashboard import ids
from layouts.wall import leaf_outputs
from layouts.wall_charts import chart_outputs

__all__ = ["WallPresenter", "refresh_outputs", "refresh_wall", "register"]

# What the wall's callbacks read of their screen: its options, and the key of what it shows.
SCREEN_STATE = (State(ids.WALL_CONFIG, "data"), State(ids.WALL_META, "data"))
GUARD_JS = "function(n, config, meta) { return window.hotlineWall.guard(n, meta, config); }"
CLOCK_JS = "function(n, config, meta) { return window.hotlineWall.clock(n, meta, config); }"
ROTATE_JS = "function(n) { return window.hotlineWall.rotate(n); }"


def refresh_outputs() -> list[Output]:
    """The outputs of the refresh callback, in the order ``WallPresenter.refresh`` fills."""
    outputs = [Output(component, prop) for component, prop in leaf_outputs()]
    outputs += [Output(component, prop) for component, prop in chart_outputs()]
    for list_id in ids.BAR_LISTS:
        outputs.append(Output(list_id, "children"))
        outputs += [Output(ids.bar_part(part, list_id, ALL), prop) for part, prop in ids.BAR_PARTS]
    outputs += [Output(ids.OVERDUE_BODY, "children"), Output(ids.WALL_META, "data")]
    return outputs


def refresh_wall(
    presenter: WallPresenter, shift_count: int, _request: Any, config: Any, meta: Any
) -> list[Any]:
    """A screen's refresh: its options and the key of what it shows, re-checked, then the diff."""
    args = config.get("options") if isinstance(config, dict) else None
    options = options_from_args(args if isinstance(args, dict) else {}, shift_count)
    key = meta.get("key") if isinstance(meta, dict) else None
    record_wall_poll(_request, options_to_args(options))  # the screen's heartbeat (issue 13)
    return presenter.refresh(
        options, key if isinstance(key, str) else None, rows_on_screen(callback_context)
    )


def register(app: Dash, presenter: WallPresenter) -> None:
    """Register the wall's callbacks on ``app`` (the router shows ``presenter.page``)."""
    shift_count = len(presenter.calendar.shifts)
    # The in-flight guard (see the module docstring): a tick becomes a request only when
    # the previous one has answered.
    app.clientside_callback(
        GUARD_JS,
        Output(ids.WALL_REQUEST, "data"),
        Input(ids.WALL_POLL, "n_intervals"),
        *SCREEN_STATE,
        prevent_initial_call=True,
    )
    app.callback(
        refresh_outputs(),
        Input(ids.WALL_REQUEST, "data"),
        *SCREEN_STATE,
        prevent_initial_call=True,
    )(partial(refresh_wall, presenter, shift_count))
    # Clock, offline watchdog and scheduled soft reload: in the browser, once a second.
    app.clientside_callback(
        CLOCK_JS,
        Output(ids.WALL_CLOCK, "children"),
        Output(ids.WALL_OFFLINE, "className"),
        Output(ids.WALL_OFFLINE_TEXT, "children"),
        Input(ids.WALL_CLOCK_TICK, "n_intervals"),
        *SCREEN_STATE,
    )
    # ?rotate=N: the lower panels take turns; the header and the tiles stay.
    app.clientside_callback(
        ROTATE_JS,
        Output(ids.WALL_MAIN, "className"),
        Input(ids.WALL_ROTATE_TICK, "n_intervals"),
        prevent_initial_call=True,
    )
