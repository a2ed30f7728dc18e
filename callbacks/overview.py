"""Callbacks of the leaders' overview (``/overview``): numbers, drill-down, history."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import views
from callbacks.intelligence import linked_block
from callbacks.views import Board, require
from dashboard import ids
from dashboard.i18n import normalise_language
from dashboard.i18n_views import vtext
from dashboard.overview import Drill, default_range
from dashboard.params import ParameterError, parse_day, parse_filters
from dashboard.service import SnapshotService
from dashboard.shifts import utc_now
from dashboard.view_params import RangeParams, parse_range_params, parse_search, range_query
from data_access.overview import MEASURES
from data_access.queries import Filters
from layouts.overview import (
    DRILL_PAGE_SIZE,
    agency_rows,
    build_history,
    build_overview_heatmap,
    build_overview_kpis,
    build_overview_page,
    build_overview_trend,
    drill_count,
    drill_rows,
    drill_title,
    measures_of_column,
    overview_subtitle,
)
from layouts.views import FILTER_FIELDS, URGENCY_KEYS, build_alert, build_forbidden

log = logging.getLogger(__name__)
MAX_DRILL_PAGE = 100_000

TICKET_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
REFERENCE_CODE = re.compile(r"[a-z0-9_]{1,40}")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# What update_overview answers: set by the callback, and on the first layout by the page.
OVERVIEW_OUTPUTS = (
    Output(ids.OVERVIEW_SUBTITLE, "children"),
    Output(ids.OVERVIEW_MESSAGE, "children"),
    Output(ids.OVERVIEW_KPIS, "children"),
    Output(ids.OVERVIEW_AGENCY_ROWS, "data"),
    Output(ids.OVERVIEW_TREND, "children"),
    Output(ids.OVERVIEW_HEATMAP, "children"),
    Output(ids.OVERVIEW_EXPORT_TICKETS, "href"),
    Output(ids.OVERVIEW_EXPORT_AGENCIES, "href"),
    Output(ids.OVERVIEW_QUERY, "data"),
)
# Where the agency rows (every one, idle included) stand in what it answers.
AGENCY_ROWS_AT = OVERVIEW_OUTPUTS.index(Output(ids.OVERVIEW_AGENCY_ROWS, "data"))
# What it reads first (then the filters and the language).
OVERVIEW_CONTROLS = (Input(ids.OVERVIEW_RANGE, "start_date"), Input(ids.OVERVIEW_RANGE, "end_date"))


def _lang(value: Any) -> str:
    return normalise_language(value)


def overview_page(board: Board, search: str) -> Any:
    """The page ``/overview``: its controls set from the URL, with their numbers."""
    lang = views.search_lang(search)
    if not board.access.allows("overview"):
        return build_forbidden(lang, "overview")
    calendar = board.service.calendar
    now = utc_now()
    error = None
    try:
        choices = views.filter_choices(board.service)
        params = parse_range_params(parse_search(search), calendar, now, choices)
    except ParameterError as exc:
        first, last = default_range(calendar, now)
        params, error = RangeParams(first, last, filters=Filters(), lang=lang), exc
    navbar = views.page_navbar(board, "overview", "/overview", search, lang)
    layout = build_overview_page(
        first_day=params.first_day,
        last_day=params.last_day,
        filters=params.filters,
        names=views.page_names(board.service, lang),
        navbar=navbar,
    )
    answer = update_overview(
        board,
        params.first_day.isoformat(),
        params.last_day.isoformat(),
        *views.control_values(layout, "overview"),
        lang,
    )
    views.fill_layout(layout, OVERVIEW_OUTPUTS, answer)
    shown = show_rows(board, answer[AGENCY_ROWS_AT], False)
    layout[ids.OVERVIEW_AGENCIES].data = shown
    layout[ids.OVERVIEW_AGENCIES_SLOT].style = {"--rows": str(len(shown))}  # its height
    if error is not None:
        views.insert_notice(layout, views.bad_parameter_alert(lang, error, "overview-error"))
    return layout


def read_range(
    service: SnapshotService, start: Any, end: Any, values: list[Any], lang: str
) -> RangeParams:
    """The range and filters of the overview's controls (ParameterError when invalid)."""
    if not isinstance(start, str | None) or not isinstance(end, str | None):
        raise ParameterError("from", "'from' and 'to' must be dates")
    args = {"from": start or "", "to": end or ""}
    args |= views.filter_args(dict(zip(FILTER_FIELDS, values, strict=True)))
    params = parse_range_params(args, service.calendar, utc_now(), views.filter_choices(service))
    return replace(params, lang=lang)


def update_overview(board: Board, start: Any, end: Any, *rest: Any) -> tuple[Any, ...]:
    """The overview's numbers, charts, export links and query for its controls."""
    require(board.access, "overview")
    service = board.service
    *values, raw_lang = rest
    lang = _lang(raw_lang)
    unchanged = (no_update,) * 7
    try:
        params = read_range(service, start, end, list(values), lang)
    except ParameterError as exc:
        return (no_update, views.bad_parameter_alert(lang, exc, "overview-error"), *unchanged)
    try:
        overview = service.overview(params.first_day, params.last_day, params.filters)
    except Exception as exc:  # noqa: BLE001 - say the database failed, never zeros
        log.error("overview failed: %s", exc.__class__.__name__)
        # The subtitle says so too: the numbers below belong to the previous range.
        return (
            vtext(lang, "page.database_error"),
            build_alert(vtext(lang, "page.database_error"), alert_id="overview-error"),
            *unchanged,
        )
    names = views.page_names(service, lang)
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
        build_overview_trend(overview, lang),
        build_overview_heatmap(overview, names),
        "/export/tickets.csv" + query,
        "/export/agencies.csv" + query,
        query,
    )


def show_rows(board: Board, rows: Any, show_idle: Any) -> list[dict[str, Any]]:
    """The agency rows shown (idle agencies only when asked)."""
    require(board.access, "overview")
    if not isinstance(rows, list):
        return []
    return [row for row in rows if isinstance(row, dict) and (show_idle or not row.get("idle"))]


def last_days(board: Board, clicks: Any) -> tuple[str, str]:
    """The range of the last N days (the quick buttons)."""
    require(board.access, "overview")
    trigger = ctx.triggered_id
    days = trigger.get("days") if isinstance(trigger, dict) else None
    if not isinstance(days, int) or not 1 <= days <= 366 or not any(clicks or []):
        raise PreventUpdate
    first, last = default_range(board.service.calendar, utc_now(), days)
    return first.isoformat(), last.isoformat()


# --- drill-down ---------------------------------------------------------------------------
def drill_of(
    trigger: Any, base: dict[str, Any], cell: Any, clicked: bool, kpi: Any
) -> dict[str, Any] | None:
    """The drill a click asks for (a table cell, a trend day, a heatmap cell, a KPI).

    ``clicked``: the triggering button's ``n_clicks`` is set (a button drawn anew, as a new
    range redraws the charts, triggers a pattern-matching input without being clicked).
    """
    if trigger == ids.OVERVIEW_AGENCIES and isinstance(cell, dict):
        measure = measures_of_column(str(cell.get("column_id")))
        agency = cell.get("row_id")
        if not measure or not isinstance(agency, str):
            return None
        drill = {**base, "measure": measure, "agency": agency}
        if cell.get("column_id") in ("overdue_serious", "flag"):
            drill["urgencies"] = ["3", "4"]
        return drill
    kind = trigger.get("type") if isinstance(trigger, dict) else None
    if kind == ids.OVERVIEW_TREND_DAY and clicked:
        day = trigger.get("day")
        if not isinstance(day, str) or not DAY.fullmatch(day):
            return None
        return {**base, "measure": "received", "first": day, "last": day}
    if kind == ids.OVERVIEW_HEAT_CELL and clicked:
        category, urgency = trigger.get("category"), trigger.get("urgency")
        if not isinstance(category, str) or not isinstance(urgency, str):
            return None
        return {**base, "measure": "received", "category": category, "urgency": urgency}
    if kind == ids.OVERVIEW_KPI_DRILL:
        return {**base, "measure": trigger.get("measure")} if any(kpi or []) else None
    return None


def open_drill(
    board: Board, cell: Any, _days: Any, _cells: Any, kpi: Any, start: Any, end: Any, *values: Any
) -> tuple[dict[str, Any], bool, int, None]:
    """Open the drill-down of what was clicked, with the range and filters of the page."""
    require(board.access, "overview")
    try:
        params = read_range(board.service, start, end, list(values), "vi")
    except ParameterError:
        raise PreventUpdate from None
    base = {
        "first": params.first_day.isoformat(),
        "last": params.last_day.isoformat(),
        "filters": views.filter_args(dict(zip(FILTER_FIELDS, values, strict=True))),
    }
    clicked = any(isinstance(item, dict) and item.get("value") for item in ctx.triggered)
    drill = drill_of(ctx.triggered_id, base, cell, clicked, kpi)
    if drill is None:
        raise PreventUpdate
    return drill, True, 0, None


def drill_page(board: Board, stored: Any, page_current: Any, raw_lang: Any) -> tuple[Any, ...]:
    """A page of the drill-down's tickets (codes and public columns only)."""
    require(board.access, "overview")
    service = board.service
    lang = _lang(raw_lang)
    try:
        drill, filters = parse_drill(stored, service)
    except ParameterError as exc:
        return views.bad_parameter_text(lang, exc), "", [], 1, None, None
    page_number = page_current + 1 if isinstance(page_current, int) and page_current >= 0 else 1
    page_number = min(page_number, MAX_DRILL_PAGE)  # a forged page must not overflow OFFSET
    try:
        page = service.drill_page(drill, filters, page_number, DRILL_PAGE_SIZE)
    except Exception as exc:  # noqa: BLE001
        log.error("drill-down failed: %s", exc.__class__.__name__)
        title = drill_title(drill, views.page_names(service, lang))
        return title, vtext(lang, "page.database_error"), [], 1, None, None
    names = views.page_names(service, lang)
    return (
        drill_title(drill, names),
        drill_count(page, lang),
        drill_rows(page, names, service.calendar.zone),
        page.pages,
        None,
        None,
    )


def history(board: Board, cell: Any, rows: Any, raw_lang: Any) -> Any:
    """The history of the ticket clicked in the drill-down."""
    require(board.access, "overview")
    lang = _lang(raw_lang)
    if not isinstance(cell, dict) or not isinstance(rows, list):
        raise PreventUpdate
    code = cell.get("row_id")
    if not isinstance(code, str) or not TICKET_CODE.fullmatch(code):
        raise PreventUpdate
    service = board.service
    try:
        found = service.ticket_history(code)
    except Exception as exc:  # noqa: BLE001
        log.error("ticket history failed: %s", exc.__class__.__name__)
        return build_alert(vtext(lang, "page.database_error"))
    names = views.page_names(service, lang)
    # The ticket's linked reports (issue 13) under its history.
    return [
        build_history(found, code, names, service.calendar.zone),
        linked_block(service, code, lang),
    ]


def close_drill(board: Board, _clicks: Any) -> bool:
    """Close the drill-down."""
    require(board.access, "overview")
    return False


def register(app: Dash, board: Board) -> None:
    """Register the overview's callbacks (its page is declared in ``dashboard.routes``)."""
    filter_states = [State(ids.filter_id("overview", field), "value") for field in FILTER_FIELDS]
    views.register_view(
        app,
        board,
        "overview",
        update_overview,
        outputs=OVERVIEW_OUTPUTS,
        controls=OVERVIEW_CONTROLS,
    )
    app.callback(
        Output(ids.OVERVIEW_AGENCIES, "data"),
        Input(ids.OVERVIEW_AGENCY_ROWS, "data"),
        Input(ids.OVERVIEW_SHOW_IDLE, "value"),
        prevent_initial_call=True,
    )(partial(show_rows, board))
    app.callback(
        Output(ids.OVERVIEW_RANGE, "start_date"),
        Output(ids.OVERVIEW_RANGE, "end_date"),
        Input({"type": ids.OVERVIEW_LAST_DAYS, "days": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )(partial(last_days, board))
    app.callback(
        Output(ids.OVERVIEW_DRILL, "data"),
        Output(ids.OVERVIEW_DRILL_MODAL, "is_open"),
        Output(ids.OVERVIEW_DRILL_TABLE, "page_current"),
        Output(ids.OVERVIEW_AGENCIES, "active_cell"),
        Input(ids.OVERVIEW_AGENCIES, "active_cell"),
        Input({"type": ids.OVERVIEW_TREND_DAY, "day": ALL}, "n_clicks"),
        Input({"type": ids.OVERVIEW_HEAT_CELL, "category": ALL, "urgency": ALL}, "n_clicks"),
        Input({"type": ids.OVERVIEW_KPI_DRILL, "measure": ALL}, "n_clicks"),
        State(ids.OVERVIEW_RANGE, "start_date"),
        State(ids.OVERVIEW_RANGE, "end_date"),
        *filter_states,
        prevent_initial_call=True,
    )(partial(open_drill, board))
    app.callback(
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
    )(partial(drill_page, board))
    app.callback(
        Output(ids.OVERVIEW_HISTORY, "children", allow_duplicate=True),
        Input(ids.OVERVIEW_DRILL_TABLE, "active_cell"),
        State(ids.OVERVIEW_DRILL_TABLE, "data"),
        State(ids.OVERVIEW_LANG, "data"),
        prevent_initial_call=True,
    )(partial(history, board))
    app.callback(
        Output(ids.OVERVIEW_DRILL_MODAL, "is_open", allow_duplicate=True),
        Input(ids.OVERVIEW_DRILL_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )(partial(close_drill, board))


def parse_drill(stored: Any, service: SnapshotService) -> tuple[Drill, Filters]:
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
    choices = views.filter_choices(service)
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
