"""Callbacks of the shift view (``/shift``) and its hand-over report (``/shift/report``)."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import Any

from dash import Dash, Input, Output, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks import views
from callbacks.alerts import shift_alert_rows
from callbacks.views import Board, require
from dashboard import ids
from dashboard.i18n import normalise_language
from dashboard.i18n_views import vtext
from dashboard.params import ParameterError
from dashboard.shifts import utc_now
from dashboard.view_params import ShiftParams, parse_search, parse_shift_params, shift_query
from data_access.queries import Filters
from layouts.alerts import SHIFT_ALERTS_BODY
from layouts.shift import build_shift_content, build_shift_page, build_shift_report, shift_subtitle
from layouts.views import FILTER_FIELDS, build_alert, build_forbidden

log = logging.getLogger(__name__)

FINISHED_GRACE_SECONDS = 600  # late writes: a just-finished shift keeps refreshing a while
PRINT_JS = "function(clicks) { if (clicks) { window.print(); } return clicks || 0; }"
# What update_shift answers: set by the callback, and on the first layout by the page.
SHIFT_OUTPUTS = (
    Output(ids.SHIFT_CONTENT, "children"),
    Output(ids.SHIFT_SUBTITLE, "children"),
    Output(ids.SHIFT_REPORT_LINK, "href"),
    Output(ids.SHIFT_QUERY, "data"),
)
# What it reads first (then the filters, the tick and the language).
SHIFT_CONTROLS = (Input(ids.SHIFT_DAY, "date"), Input(ids.SHIFT_NUMBER, "value"))


def _bad_parameter(lang: str, exc: ParameterError) -> Any:
    return views.bad_parameter_alert(lang, exc, "shift-error")


def read_params(board: Board, search: str) -> tuple[ShiftParams, ParameterError | None]:
    """The shift asked for in a query string; the current one (and the error) when invalid."""
    calendar = board.service.calendar
    now = utc_now()
    try:
        choices = views.filter_choices(board.service)
        return parse_shift_params(parse_search(search), calendar, now, choices), None
    except ParameterError as exc:
        day, shift = calendar.locate(now)
        return ShiftParams(day, shift, filters=Filters(), lang=views.search_lang(search)), exc


def shift_page(board: Board, search: str) -> Any:
    """The page ``/shift``: its controls set from the URL, with its numbers."""
    lang = views.search_lang(search)
    if not board.access.allows("shift"):
        return build_forbidden(lang, "shift")
    params, error = read_params(board, search)
    navbar = views.page_navbar(board, "shift", "/shift", search, lang)
    layout = build_shift_page(
        day=params.day,
        shift=params.shift,
        filters=params.filters,
        shifts=board.service.calendar.shifts,
        names=views.page_names(board.service, lang),
        navbar=navbar,
    )
    answer = shift_outputs(
        board,
        params.day.isoformat(),
        params.shift,
        views.control_values(layout, "shift"),
        lang,
        ticked=False,
    )
    views.fill_layout(layout, SHIFT_OUTPUTS, answer)
    layout[SHIFT_ALERTS_BODY].children = shift_alert_rows(board.alerts, board.access, lang)
    if error is not None:
        views.insert_notice(layout, _bad_parameter(lang, error))
    return layout


def shift_report(board: Board, search: str) -> Any:
    """The page ``/shift/report``: the printable hand-over report of a shift."""
    lang = views.search_lang(search)
    if not board.access.allows("shift"):
        return build_forbidden(lang, "shift")
    params, error = read_params(board, search)
    if error is not None:
        return html.Div(_bad_parameter(lang, error), className="hv-page container py-4")
    names = views.page_names(board.service, lang)
    try:
        view = board.service.shift_view(params.day, params.shift, params.filters)
    except Exception as exc:  # noqa: BLE001 - say the database failed, never zeros
        log.error("shift report failed: %s", exc.__class__.__name__)
        return html.Div(
            build_alert(vtext(lang, "page.database_error")), className="hv-page container py-4"
        )
    return build_shift_report(
        view,
        names,
        user=board.access.viewer_name(),
        generated_at=utc_now(),
        back_href="/shift" + shift_query(params),
    )


def update_shift(board: Board, day: Any, shift: Any, *rest: Any) -> tuple[Any, ...]:
    """The shift view's content, subtitle, report link and query for its controls."""
    *values, _tick, lang = rest
    return shift_outputs(board, day, shift, values, lang, ticked=ctx.triggered_id == ids.SHIFT_TICK)


def shift_outputs(
    board: Board, day: Any, shift: Any, values: list[Any], lang: Any, *, ticked: bool
) -> tuple[Any, ...]:
    """What :func:`update_shift` answers (``ticked``: the refresh tick asks, not a control)."""
    require(board.access, "shift")
    service = board.service
    lang = normalise_language(lang)
    now = utc_now()
    try:
        if not isinstance(day, str | None) or not isinstance(shift, int | str | None):
            raise ParameterError("day", "'day' and 'shift' must be a date and a number")
        args = {"day": day or "", "shift": "" if shift is None else str(shift)}
        args |= views.filter_args(dict(zip(FILTER_FIELDS, values, strict=True)))
        parsed = parse_shift_params(args, service.calendar, now, views.filter_choices(service))
        params = replace(parsed, lang=lang)
    except ParameterError as exc:
        return _bad_parameter(lang, exc), "", no_update, no_update
    if ticked:
        window = service.calendar.window(params.day, params.shift)
        if (now - window.end).total_seconds() > FINISHED_GRACE_SECONDS or now < window.start:
            raise PreventUpdate  # a past or future shift does not change
    try:
        view = service.shift_view(params.day, params.shift, params.filters)
    except Exception as exc:  # noqa: BLE001 - say the database failed, never zeros
        log.error("shift view failed: %s", exc.__class__.__name__)
        return build_alert(vtext(lang, "page.database_error")), "", no_update, no_update
    query = shift_query(params)
    return (
        build_shift_content(view, views.page_names(service, lang)),
        shift_subtitle(view, lang),
        "/shift/report" + query,
        query,
    )


def to_current(board: Board, _clicks: Any) -> tuple[str, int]:
    """The current operating day and shift (the "now" button)."""
    require(board.access, "shift")
    day, shift = board.service.calendar.locate(utc_now())
    return day.isoformat(), shift


def register(app: Dash, board: Board) -> None:
    """Register the shift view's callbacks (its pages are declared in ``dashboard.routes``)."""
    ticks = (Input(ids.SHIFT_TICK, "n_intervals"),)  # a running shift recomputes
    views.register_view(
        app,
        board,
        "shift",
        update_shift,
        outputs=SHIFT_OUTPUTS,
        controls=SHIFT_CONTROLS,
        ticks=ticks,
    )
    app.callback(
        Output(ids.SHIFT_DAY, "date"),
        Output(ids.SHIFT_NUMBER, "value"),
        Input(ids.SHIFT_CURRENT, "n_clicks"),
        prevent_initial_call=True,
    )(partial(to_current, board))
    app.clientside_callback(
        PRINT_JS,
        Output(ids.SHIFT_PRINTED, "data"),
        Input(ids.SHIFT_PRINT, "n_clicks"),
        prevent_initial_call=True,
    )
