"""Callbacks of the leaders' overview (``/overview``): numbers, drill-down, history."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.intelligence import linked_block
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
from dashboard.overview import Drill, compute_overview, default_range, list_drill, read_history
from dashboard.params import ParameterError, parse_day, parse_filters
from dashboard.service import SnapshotService
from dashboard.shifts import utc_now
from dashboard.view_params import RangeParams, parse_range_params, parse_search, range_query
from data_access.overview import MEASURES
from data_access.queries import Filters
from layouts.navbar import build_navbar, is_kiosk
from layouts.overview import (
    DRILL_PAGE_SIZE,
    agency_rows,
    build_history,
    build_overview_kpis,
    build_overview_page,
    drill_count,
    drill_rows,
    drill_title,
    make_overview_heatmap,
    make_overview_trend,
    measures_of_column,
    overview_subtitle,
    parse_cell,
)
from layouts.views import FILTER_FIELDS, URGENCY_KEYS, build_alert, build_forbidden

log = logging.getLogger(__name__)
MAX_DRILL_PAGE = 100_000

TICKET_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
REFERENCE_CODE = re.compile(r"[a-z0-9_]{1,40}")


def _message(lang: str, text: str, tone: str = "warning") -> Any:
    return build_alert(text, tone=tone, alert_id="overview-error")


def register(
    app: Dash,
    service: SnapshotService,
    access: AccessControl,
    reference: ReferenceCache,
    pages: dict[str, Page],
) -> None:
    """Register the overview's page and callbacks."""
    calendar = service.calendar

    def page(search: str) -> Any:
        lang = search_lang(search)
        if not access.allows("overview"):
            return build_forbidden(lang, "overview")
        now = utc_now()
        error = None
        try:
            params = parse_range_params(parse_search(search), calendar, now, reference.choices())
        except ParameterError as exc:
            first, last = default_range(calendar, now)
            params, error = RangeParams(first, last, Filters(), lang), exc
        navbar = (
            None
            if is_kiosk(search)
            else build_navbar("overview", "/overview", search, nav_context(access, lang))
        )
        layout = build_overview_page(
            first_day=params.first_day,
            last_day=params.last_day,
            filters=params.filters,
            names=reference.names(lang),
            navbar=navbar,
        )
        if error is not None:
            alert = _message(lang, f"{vtext(lang, 'page.bad_parameter')}: {error.message}")
            layout.children.insert(1, html.Div(alert, className="container-fluid pt-3"))
        return layout

    pages["/overview"] = page

    filter_inputs = [Input(ids.filter_id("overview", field), "value") for field in FILTER_FIELDS]
    filter_states = [State(ids.filter_id("overview", field), "value") for field in FILTER_FIELDS]

    def read_params(start: Any, end: Any, values: list[Any], lang: str) -> RangeParams:
        if not isinstance(start, str | None) or not isinstance(end, str | None):
            raise ParameterError("from", "'from' and 'to' must be dates")
        args = {"from": start or "", "to": end or ""}
        args |= filter_args(dict(zip(FILTER_FIELDS, values, strict=True)))
        params = parse_range_params(args, calendar, utc_now(), reference.choices())
        return replace(params, lang=lang)

    @app.callback(
        Output(ids.OVERVIEW_SUBTITLE, "children"),
        Output(ids.OVERVIEW_MESSAGE, "children"),
        Output(ids.OVERVIEW_KPIS, "children"),
        Output(ids.OVERVIEW_AGENCY_ROWS, "data"),
        Output(ids.OVERVIEW_TREND, "figure"),
        Output(ids.OVERVIEW_HEATMAP, "figure"),
        Output(ids.OVERVIEW_EXPORT_TICKETS, "href"),
        Output(ids.OVERVIEW_EXPORT_AGENCIES, "href"),
        Output(ids.OVERVIEW_QUERY, "data"),
        Input(ids.OVERVIEW_RANGE, "start_date"),
        Input(ids.OVERVIEW_RANGE, "end_date"),
        *filter_inputs,
        State(ids.OVERVIEW_LANG, "data"),
    )
    def update(start: Any, end: Any, *rest: Any) -> tuple[Any, ...]:
        require(access, "overview")
        *values, lang = rest
        lang = "en" if lang == "en" else "vi"
        unchanged = (no_update,) * 7
        try:
            params = read_params(start, end, list(values), lang)
        except ParameterError as exc:
            text = f"{vtext(lang, 'page.bad_parameter')}: {exc.message}"
            return (no_update, _message(lang, text), *unchanged)
        try:
            overview = compute_overview(
                service.engine,
                calendar,
                params.first_day,
                params.last_day,
                utc_now(),
                params.filters,
                repeat_window_days=service.settings.repeat_window_days,
            )
        except Exception as exc:  # noqa: BLE001 - say the database failed, never zeros
            log.error("overview failed: %s", exc.__class__.__name__)
            # The subtitle says so too: the numbers below belong to the previous range.
            return (
                vtext(lang, "page.database_error"),
                _message(lang, vtext(lang, "page.database_error"), "danger"),
                *unchanged,
            )
        names = reference.names(lang)
        query = range_query(params)
        rows = agency_rows(overview, names, show_idle=True)
        idle = {row.agency for row in overview.agencies if row.is_empty and not row.overdue_now}
        for row in rows:
            row["idle"] = row["id"] in idle
        return (
            overview_subtitle(overview, lang),
            None,
            build_overview_kpis(overview, lang),
            rows,
            make_overview_trend(overview, lang),
            make_overview_heatmap(overview, names),
            "/export/tickets.csv" + query,
            "/export/agencies.csv" + query,
            query,
        )

    @app.callback(
        Output(ids.OVERVIEW_AGENCIES, "data"),
        Input(ids.OVERVIEW_AGENCY_ROWS, "data"),
        Input(ids.OVERVIEW_SHOW_IDLE, "value"),
    )
    def show_rows(rows: Any, show_idle: Any) -> list[dict[str, Any]]:
        require(access, "overview")
        if not isinstance(rows, list):
            return []
        return [row for row in rows if isinstance(row, dict) and (show_idle or not row.get("idle"))]

    @app.callback(
        Output(ids.OVERVIEW_RANGE, "start_date"),
        Output(ids.OVERVIEW_RANGE, "end_date"),
        Input({"type": ids.OVERVIEW_LAST_DAYS, "days": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def last_days(_clicks: Any) -> tuple[str, str]:
        require(access, "overview")
        trigger = ctx.triggered_id
        days = trigger.get("days") if isinstance(trigger, dict) else None
        if not isinstance(days, int) or not 1 <= days <= 366 or not any(_clicks or []):
            raise PreventUpdate
        first, last = default_range(calendar, utc_now(), days)
        return first.isoformat(), last.isoformat()

    @app.callback(
        *[Output(ids.filter_id("overview", field), "value") for field in FILTER_FIELDS],
        Input(ids.OVERVIEW_CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def clear(_clicks: Any) -> list[list[str]]:
        require(access, "overview")
        return [[] for _ in FILTER_FIELDS]

    # --- drill-down ---------------------------------------------------------------------------

    @app.callback(
        Output(ids.OVERVIEW_DRILL, "data"),
        Output(ids.OVERVIEW_DRILL_MODAL, "is_open"),
        Output(ids.OVERVIEW_DRILL_TABLE, "page_current"),
        Output(ids.OVERVIEW_AGENCIES, "active_cell"),
        Input(ids.OVERVIEW_AGENCIES, "active_cell"),
        Input(ids.OVERVIEW_TREND, "clickData"),
        Input(ids.OVERVIEW_HEATMAP, "clickData"),
        Input({"type": ids.OVERVIEW_KPI_DRILL, "measure": ALL}, "n_clicks"),
        State(ids.OVERVIEW_RANGE, "start_date"),
        State(ids.OVERVIEW_RANGE, "end_date"),
        *filter_states,
        prevent_initial_call=True,
    )
    def open_drill(cell: Any, trend: Any, heat: Any, _kpi: Any, start: Any, end: Any, *values: Any):  # type: ignore[no-untyped-def]
        require(access, "overview")
        try:
            params = read_params(start, end, list(values), "vi")
        except ParameterError:
            raise PreventUpdate from None
        first, last = params.first_day.isoformat(), params.last_day.isoformat()
        base = {
            "first": first,
            "last": last,
            "filters": filter_args(dict(zip(FILTER_FIELDS, values, strict=True))),
        }
        trigger = ctx.triggered_id
        drill: dict[str, Any] | None = None
        if trigger == ids.OVERVIEW_AGENCIES and isinstance(cell, dict):
            measure = measures_of_column(str(cell.get("column_id")))
            agency = cell.get("row_id")
            if measure and isinstance(agency, str):
                drill = {**base, "measure": measure, "agency": agency}
                if cell.get("column_id") in ("overdue_serious", "flag"):
                    drill["urgencies"] = ["3", "4"]
        elif trigger == ids.OVERVIEW_TREND and isinstance(trend, dict):
            day = _point_custom(trend)
            if day:
                series = _point_curve(trend)
                measure = (
                    ("received", "forwarded", "resolved")[series]
                    if series in (0, 1, 2)
                    else "received"
                )
                drill = {**base, "measure": measure, "first": day, "last": day}
        elif trigger == ids.OVERVIEW_HEATMAP and isinstance(heat, dict):
            cell_codes = parse_cell(_point_custom(heat) or "")
            if cell_codes:
                drill = {
                    **base,
                    "measure": "received",
                    "category": cell_codes[0],
                    "urgency": cell_codes[1],
                }
        elif isinstance(trigger, dict) and trigger.get("type") == ids.OVERVIEW_KPI_DRILL:
            if any(_kpi or []):
                drill = {**base, "measure": trigger.get("measure")}
        if drill is None:
            raise PreventUpdate
        return drill, True, 0, None

    @app.callback(
        Output(ids.OVERVIEW_DRILL_TITLE, "children"),
        Output(ids.OVERVIEW_DRILL_COUNT, "children"),
        Output(ids.OVERVIEW_DRILL_TABLE, "data"),
        Output(ids.OVERVIEW_DRILL_TABLE, "page_count"),
        Output(ids.OVERVIEW_HISTORY, "children"),
        Output(ids.OVERVIEW_DRILL_TABLE, "active_cell"),
        Input(ids.OVERVIEW_DRILL, "data"),
        Input(ids.OVERVIEW_DRILL_TABLE, "page_current"),
        State(ids.OVERVIEW_LANG, "data"),
        prevent_initial_call=True,
    )
    def drill_page(stored: Any, page_current: Any, lang: Any) -> tuple[Any, ...]:
        require(access, "overview")
        lang = "en" if lang == "en" else "vi"
        try:
            drill, filters = parse_drill(stored, reference)
        except ParameterError as exc:
            text = f"{vtext(lang, 'page.bad_parameter')}: {exc.message}"
            return text, "", [], 1, None, None
        page_number = page_current + 1 if isinstance(page_current, int) and page_current >= 0 else 1
        page_number = min(page_number, MAX_DRILL_PAGE)  # a forged page must not overflow OFFSET
        try:
            page = list_drill(
                service.engine,
                calendar,
                drill,
                utc_now(),
                filters,
                page=page_number,
                page_size=DRILL_PAGE_SIZE,
            )
        except Exception as exc:  # noqa: BLE001
            log.error("drill-down failed: %s", exc.__class__.__name__)
            return (
                drill_title(drill, reference.names(lang)),
                vtext(lang, "page.database_error"),
                [],
                1,
                None,
                None,
            )
        names = reference.names(lang)
        return (
            drill_title(drill, names),
            drill_count(page, lang),
            drill_rows(page, names, calendar.zone),
            page.pages,
            None,
            None,
        )

    @app.callback(
        Output(ids.OVERVIEW_HISTORY, "children", allow_duplicate=True),
        Input(ids.OVERVIEW_DRILL_TABLE, "active_cell"),
        State(ids.OVERVIEW_DRILL_TABLE, "data"),
        State(ids.OVERVIEW_LANG, "data"),
        prevent_initial_call=True,
    )
    def history(cell: Any, rows: Any, lang: Any) -> Any:
        require(access, "overview")
        lang = "en" if lang == "en" else "vi"
        if not isinstance(cell, dict) or not isinstance(rows, list):
            raise PreventUpdate
        code = cell.get("row_id")
        if not isinstance(code, str) or not TICKET_CODE.fullmatch(code):
            raise PreventUpdate
        try:
            found = read_history(service.engine, code)
        except Exception as exc:  # noqa: BLE001
            log.error("ticket history failed: %s", exc.__class__.__name__)
            return build_alert(vtext(lang, "page.database_error"))
        names = reference.names(lang)
        # The ticket's linked reports (issue 13) under its history.
        return [build_history(found, code, names, calendar.zone), linked_block(service, code, lang)]

    @app.callback(
        Output(ids.OVERVIEW_DRILL_MODAL, "is_open", allow_duplicate=True),
        Input(ids.OVERVIEW_DRILL_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    def close(_clicks: Any) -> bool:
        require(access, "overview")
        return False

    register_url_sync(app, ids.OVERVIEW_QUERY, ids.OVERVIEW_URL_SYNC)


def _point_custom(click: dict[str, Any]) -> str | None:
    points = click.get("points")
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    value = points[0].get("customdata")
    return value if isinstance(value, str) and len(value) <= 100 else None


def _point_curve(click: dict[str, Any]) -> int | None:
    points = click.get("points") or [{}]
    value = points[0].get("curveNumber") if isinstance(points[0], dict) else None
    return value if isinstance(value, int) else None


def parse_drill(stored: Any, reference: ReferenceCache) -> tuple[Drill, Filters]:
    """A drill from the page's store, checked like URL parameters (the store can be forged)."""
    if not isinstance(stored, dict):
        raise ParameterError("drill", "no drill-down asked")
    measure = stored.get("measure")
    if measure not in MEASURES:
        raise ParameterError("measure", "unknown measure")
    first = parse_day(_text(stored.get("first")), "from")
    last = parse_day(_text(stored.get("last")), "to")
    if first is None or last is None or last < first or (last - first) > timedelta(days=366):
        raise ParameterError("to", "the range is not valid")
    choices = reference.choices()
    raw_filters = stored.get("filters") or {}
    if not isinstance(raw_filters, dict):
        raise ParameterError("filters", "filters must be an object")
    filters = parse_filters({k: _text(v) or "" for k, v in raw_filters.items()}, choices)
    agency = _code(stored.get("agency"), "agency")
    category = _code(stored.get("category"), "category")
    urgency = _code(stored.get("urgency"), "urgency")
    if urgency is not None and urgency not in URGENCY_KEYS:
        raise ParameterError("urgency", "unknown level")
    levels = stored.get("urgencies") or []
    if not isinstance(levels, list) or not all(level in URGENCY_KEYS for level in levels):
        raise ParameterError("urgency", "unknown level")
    drill = Drill(
        measure,
        first,
        last,
        agency=agency,
        category=category,
        urgency=urgency,
        urgencies=tuple(levels),
    )
    return drill, filters


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) <= 400 else None


def _code(value: Any, field: str) -> str | None:
    # Codes of the agency table may be unknown to the reference data: any well-formed code.
    if value is None:
        return None
    if not isinstance(value, str) or not REFERENCE_CODE.fullmatch(value):
        raise ParameterError(field, f"'{field}' holds an invalid code")
    return value
