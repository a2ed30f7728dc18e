"""Callbacks of the shift view (``/shift``) and its hand-over report (``/shift/report``)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from dash import Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.views import (
    Page,
    ReferenceCache,
    filter_args,
    nav_context,
    register_url_sync,
    require,
    search_lang,
)
from dashboard import ids
from dashboard.auth import AccessControl
from dashboard.i18n_views import vtext
from dashboard.params import ParameterError
from dashboard.service import SnapshotService
from dashboard.shift_view import ShiftView, compute_shift_view
from dashboard.shifts import utc_now
from dashboard.view_params import ShiftParams, parse_search, parse_shift_params, shift_query
from data_access.queries import Filters
from layouts.navbar import build_navbar, is_kiosk
from layouts.shift import build_shift_content, build_shift_page, build_shift_report, shift_subtitle
from layouts.views import FILTER_FIELDS, build_alert, build_forbidden

log = logging.getLogger(__name__)

FINISHED_GRACE_SECONDS = 600  # late writes: a just-finished shift keeps refreshing a while


def _bad_parameter(lang: str, exc: ParameterError) -> Any:
    return build_alert(
        f"{vtext(lang, 'page.bad_parameter')}: {exc.message}",
        tone="warning",
        alert_id="shift-error",
    )


def register(
    app: Dash,
    service: SnapshotService,
    access: AccessControl,
    reference: ReferenceCache,
    pages: dict[str, Page],
) -> None:
    """Register the shift view's pages and callbacks."""
    calendar = service.calendar
    settings = service.settings

    def compute(params: ShiftParams) -> ShiftView:
        return compute_shift_view(
            service.engine,
            calendar,
            params.day,
            params.shift,
            utc_now(),
            params.filters,
            intake_limit_minutes=settings.intake_limit_minutes,
            overdue_limit=settings.overdue_list_size,
            repeat_window_days=settings.repeat_window_days,
        )

    def read_params(search: str) -> tuple[ShiftParams, ParameterError | None]:
        now = utc_now()
        try:
            return parse_shift_params(
                parse_search(search), calendar, now, reference.choices()
            ), None
        except ParameterError as exc:
            day, shift = calendar.locate(now)
            return ShiftParams(day, shift, Filters(), search_lang(search)), exc

    def page(search: str) -> Any:
        lang = search_lang(search)
        if not access.allows("shift"):
            return build_forbidden(lang, "shift")
        params, error = read_params(search)
        navbar = (
            None
            if is_kiosk(search)
            else build_navbar("shift", "/shift", search, nav_context(access, lang))
        )
        layout = build_shift_page(
            day=params.day,
            shift=params.shift,
            filters=params.filters,
            shifts=calendar.shifts,
            names=reference.names(lang),
            navbar=navbar,
        )
        if error is not None:
            layout.children.insert(
                1, html.Div(_bad_parameter(lang, error), className="container-fluid pt-3")
            )
        return layout

    def report(search: str) -> Any:
        lang = search_lang(search)
        if not access.allows("shift"):
            return build_forbidden(lang, "shift")
        params, error = read_params(search)
        if error is not None:
            return html.Div(_bad_parameter(lang, error), className="hv-page container py-4")
        names = reference.names(lang)
        try:
            view = compute(params)
        except Exception as exc:  # noqa: BLE001 - say the database failed, never zeros
            log.error("shift report failed: %s", exc.__class__.__name__)
            return html.Div(
                build_alert(vtext(lang, "page.database_error")), className="hv-page container py-4"
            )
        return build_shift_report(
            view,
            names,
            user=access.viewer_name(),
            generated_at=utc_now(),
            back_href="/shift" + shift_query(params),
        )

    pages["/shift"] = page
    pages["/shift/report"] = report

    filter_inputs = [Input(ids.filter_id("shift", field), "value") for field in FILTER_FIELDS]

    @app.callback(
        Output(ids.SHIFT_CONTENT, "children"),
        Output(ids.SHIFT_SUBTITLE, "children"),
        Output(ids.SHIFT_REPORT_LINK, "href"),
        Output(ids.SHIFT_QUERY, "data"),
        Input(ids.SHIFT_DAY, "date"),
        Input(ids.SHIFT_NUMBER, "value"),
        *filter_inputs,
        Input(ids.SHIFT_TICK, "n_intervals"),
        State(ids.SHIFT_LANG, "data"),
    )
    def update(day: Any, shift: Any, *rest: Any) -> tuple[Any, ...]:
        require(access, "shift")
        *values, _tick, lang = rest
        lang = "en" if lang == "en" else "vi"
        now = utc_now()
        try:
            if not isinstance(day, str | None) or not isinstance(shift, int | str | None):
                raise ParameterError("day", "'day' and 'shift' must be a date and a number")
            args = {"day": day or "", "shift": "" if shift is None else str(shift)}
            args |= filter_args(dict(zip(FILTER_FIELDS, values, strict=True)))
            params = replace(
                parse_shift_params(args, calendar, now, reference.choices()), lang=lang
            )
        except ParameterError as exc:
            return _bad_parameter(lang, exc), "", no_update, no_update
        if ctx.triggered_id == ids.SHIFT_TICK:
            window = calendar.window(params.day, params.shift)
            if (now - window.end).total_seconds() > FINISHED_GRACE_SECONDS or now < window.start:
                raise PreventUpdate  # a past or future shift does not change
        try:
            view = compute(params)
        except Exception as exc:  # noqa: BLE001 - say the database failed, never zeros
            log.error("shift view failed: %s", exc.__class__.__name__)
            return build_alert(vtext(lang, "page.database_error")), "", no_update, no_update
        query = shift_query(params)
        names = reference.names(lang)
        return (
            build_shift_content(view, names),
            shift_subtitle(view, lang),
            "/shift/report" + query,
            query,
        )

    @app.callback(
        Output(ids.SHIFT_DAY, "date"),
        Output(ids.SHIFT_NUMBER, "value"),
        Input(ids.SHIFT_CURRENT, "n_clicks"),
        prevent_initial_call=True,
    )
    def to_current(_clicks: Any) -> tuple[str, int]:
        require(access, "shift")
        day, shift = calendar.locate(utc_now())
        return day.isoformat(), shift

    @app.callback(
        *[Output(ids.filter_id("shift", field), "value") for field in FILTER_FIELDS],
        Input(ids.SHIFT_CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def clear(_clicks: Any) -> list[list[str]]:
        require(access, "shift")
        return [[] for _ in FILTER_FIELDS]

    register_url_sync(app, ids.SHIFT_QUERY, ids.SHIFT_URL_SYNC)
    app.clientside_callback(
        "function(clicks) { if (clicks) { window.print(); } return clicks || 0; }",
        Output(ids.SHIFT_PRINTED, "data"),
        Input(ids.SHIFT_PRINT, "n_clicks"),
        prevent_initial_call=True,
    )
