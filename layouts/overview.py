"""The leaders' overview (``/overview``): range, accountability table, trend, heatmap, drill-down.

Pure functions of a :class:`dashboard.overview.Overview`, pages of tickets and
the reference names. The agency table is a sortable DataTable holding numbers
(sorting is numeric; the locale only formats them).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from babel.numbers import format_decimal
from dash import dcc, html
from dash.dash_table.DataTable import DataTable
from dash.dash_table.Format import Format, Group, Scheme, Symbol

from dashboard import ids
from dashboard.formatting import (
    format_average,
    format_count,
    format_duration,
    format_rate,
    format_short_day,
    on_time_tone,
)
from dashboard.i18n import code_name, locale_of, text
from dashboard.overview import AgencyRow, Drill, Overview, PeriodTotals
from data_access.codes import UNASSIGNED
from data_access.values import Filters, TicketHistory, TicketPage
from layouts import views
from layouts.desk_charts import TrendSeries, build_heatmap, build_trend
from layouts.intelligence import rereport_cell, rereport_column
from layouts.theme import FONT_FAMILY

QUICK_RANGES = (7, 30, 90)
DRILL_PAGE_SIZE = 25
# Dash stubs type these as TypedDicts; plain dicts of the same keys are what DataTable takes.
LOCALES: dict[str, Any] = {
    "vi": {"decimal": ",", "group": "."},
    "en": {"decimal": ".", "group": ","},
}
KPI_MEASURES = ("received", "forwarded", "resolved", "overdue_now")


def build_overview_page(
    *, first_day: date, last_day: date, filters: Filters, names: views.Names, navbar: Any
) -> html.Div:
    """The page: range and filters from the URL, its number panels empty.

    The page's builder (``callbacks.overview.overview_page``) sets the first numbers on it
    with what the callback ``update_overview`` answers (``fill_layout``); that callback
    redraws them when a control changes.
    """
    lang = names.lang
    return views.build_view_page(
        "overview",
        lang=lang,
        navbar=navbar,
        stores=[dcc.Store(id=ids.OVERVIEW_DRILL), dcc.Store(id=ids.OVERVIEW_AGENCY_ROWS)],
        header=_overview_header(lang),
        controls=_range_controls(first_day, last_day, lang),
        filters=views.build_filters("overview", names, filters),
        body=[
            html.Div(id=ids.OVERVIEW_MESSAGE),
            dcc.Loading(html.Div(id=ids.OVERVIEW_KPIS), type="dot", delay_show=400),
            _agencies_panel(lang),
            _charts_row(lang),
        ],
        after=[build_drill_modal(lang)],
    )


def _range_controls(first_day: date, last_day: date, lang: str) -> dbc.Row:
    """The controls row: the range picker, the last-N-days buttons and the clear button."""
    quick = dbc.ButtonGroup(
        [
            dbc.Button(
                text(lang, "filter.last_days", days=days),
                id={"type": ids.OVERVIEW_LAST_DAYS, "days": days},
                color="primary",
                outline=True,
                size="sm",
            )
            for days in QUICK_RANGES
        ],
        class_name="hv-quick",
    )
    return dbc.Row(
        [
            views.build_control_col(
                text(lang, "filter.range"),
                views.build_slot(
                    dcc.DatePickerRange(
                        id=ids.OVERVIEW_RANGE,
                        start_date=first_day.isoformat(),
                        end_date=last_day.isoformat(),
                        minimum_nights=0,
                        **views.DATE_PICKER,
                    ),
                    "range",
                ),
            ),
            dbc.Col(quick, xs="auto", class_name="d-flex align-items-end"),
            views.build_clear_col(ids.OVERVIEW_CLEAR, lang),
        ],
        class_name="g-3 mb-2",
    )


def _overview_header(lang: str) -> html.Div:
    """The title, the subtitle (the range, set with the numbers) and the two export links."""
    exports = html.Div(
        [
            views.build_action_link(
                "bi-download",
                text(lang, "export.tickets"),
                ids.OVERVIEW_EXPORT_TICKETS,
                "/export/tickets.csv",
                "btn btn-outline-primary btn-sm",
            ),
            views.build_action_link(
                "bi-table",
                text(lang, "export.agencies"),
                ids.OVERVIEW_EXPORT_AGENCIES,
                "/export/agencies.csv",
                "btn btn-outline-primary btn-sm",
            ),
        ],
        className="hv-actions",
    )
    return views.build_view_header(
        html.H1(text(lang, "nav.overview"), className="hv-title"), ids.OVERVIEW_SUBTITLE, exports
    )


def _agencies_panel(lang: str) -> html.Section:
    """The accountability panel: its hint, the idle-agencies switch and the table."""
    return views.build_panel(
        text(lang, "panel.agencies"),
        html.Div(
            [
                html.Div(
                    [
                        html.Span(text(lang, "agency.hint"), className="hv-hint"),
                        dbc.Switch(
                            id=ids.OVERVIEW_SHOW_IDLE,
                            label=text(lang, "agency.show_idle"),
                            value=False,
                            class_name="hv-switch d-print-none",
                        ),
                    ],
                    className="hv-panel-tools",
                ),
                views.build_slot(build_agency_table(lang), "table", id=ids.OVERVIEW_AGENCIES_SLOT),
            ]
        ),
        panel_id="overview-agencies-panel",
    )


def _charts_row(lang: str) -> dbc.Row:
    """The trend over the heatmap, their charts drawn with the numbers."""
    trend = views.build_chart_panel(
        text(lang, "panel.trend"), text(lang, "trend.hint"), ids.OVERVIEW_TREND
    )
    heatmap = views.build_chart_panel(
        text(lang, "panel.heatmap"), text(lang, "heatmap.hint"), ids.OVERVIEW_HEATMAP
    )
    # The trend has the row to itself: each day is a button at least 24 px wide (WCAG
    # 2.5.8); a range longer than the card scrolls inside it (assets/views).
    return dbc.Row([dbc.Col(trend, xs=12), dbc.Col(heatmap, xs=12)], class_name="g-3")


# --- numbers --------------------------------------------------------------------------------


def _change(current: float | None, previous: float | None, lang: str, *, rate: bool) -> str:
    """``+12,5%`` (relative change of a count) or ``+3,1 điểm`` (of a rate)."""
    if current is None or previous is None:
        return ""
    if rate:
        points = (current - previous) * 100
        sign = "+" if points > 0 else ""
        unit = "điểm" if lang == "vi" else "pts"
        return f" ({sign}{format_average(points, lang)} {unit})"
    if not previous:
        return ""
    change = (current - previous) / previous
    sign = "+" if change > 0 else ""
    return f" ({sign}{format_rate(change, lang)})"


def _previous_note(lang: str, shown: str, change: str) -> str:
    return text(lang, "delta.previous", value=shown) + change


def _drill_button(lang: str, measure: str) -> html.Button:
    return html.Button(
        [html.I(className="bi bi-list-ul me-1"), text(lang, f"drill.measure.{measure}")],
        id={"type": ids.OVERVIEW_KPI_DRILL, "measure": measure},
        className="btn btn-link btn-sm hv-kpi-drill d-print-none",
        title=text(lang, "drill.history_hint"),
    )


def build_overview_kpis(overview: Overview, lang: str) -> dbc.Row:
    """The range's headline numbers against the previous range of the same length."""
    current, previous = overview.current, overview.previous

    def count_card(key: str, measure: str, value: int, before: int, icon: str) -> html.Div:
        note = _previous_note(
            lang, format_count(before, lang), _change(value, before, lang, rate=False)
        )
        return views.build_kpi(
            text(lang, key),
            format_count(value, lang),
            [note],
            icon=icon,
            kpi_id=f"overview-kpi-{measure}",
            action=_drill_button(lang, measure),
        )

    cards = [
        count_card(
            "kpi.received_range", "received", current.received, previous.received, "bi-inbox-fill"
        ),
        count_card(
            "kpi.forwarded_range",
            "forwarded",
            current.forwarded,
            previous.forwarded,
            "bi-send-fill",
        ),
        count_card(
            "kpi.resolved_range",
            "resolved",
            current.resolved,
            previous.resolved,
            "bi-check2-circle",
        ),
        views.build_kpi(
            text(lang, "kpi.on_time_range"),
            format_rate(current.on_time_rate, lang),
            [
                _previous_note(
                    lang,
                    format_rate(previous.on_time_rate, lang),
                    _change(current.on_time_rate, previous.on_time_rate, lang, rate=True),
                )
            ],
            tone=on_time_tone(current.on_time_rate),
            icon="bi-stopwatch-fill",
            kpi_id="overview-kpi-on-time",
        ),
        views.build_kpi(
            text(lang, "kpi.median_handling"),
            _duration(current.median_handling_minutes, lang),
            icon="bi-hourglass-split",
            kpi_id="overview-kpi-median",
        ),
        views.build_kpi(
            text(lang, "kpi.satisfaction"),
            _satisfaction(current, lang),
            [_previous_note(lang, _satisfaction(previous, lang), "")],
            icon="bi-emoji-smile",
            kpi_id="overview-kpi-satisfaction",
        ),
        views.build_kpi(
            text(lang, "kpi.overdue_serious"),
            format_count(overview.overdue_serious_now, lang),
            [text(lang, "agency.overdue_now") + ": " + format_count(overview.overdue_now, lang)],
            tone="alert" if overview.overdue_serious_now else "good",
            icon="bi-exclamation-octagon-fill",
            kpi_id="overview-kpi-overdue",
            action=_drill_button(lang, "overdue_now"),
        ),
    ]
    return dbc.Row([dbc.Col(card, xs=6, md=4, xl=True) for card in cards], class_name="g-3 hv-kpis")


def _duration(minutes: float | None, lang: str) -> str:
    if minutes is None:
        return text(lang, "duration.none")
    return format_duration(round(minutes), lang)


def _satisfaction(totals: PeriodTotals, lang: str) -> str:
    value = totals.average_satisfaction
    if value is None:
        return "—"
    return format_decimal(value, format="0.00", locale=locale_of(lang)) + "/5"


def overview_subtitle(overview: Overview, lang: str) -> str:
    """``01/11/2026 – 30/11/2026 (30 ngày) · So với ...``."""
    current, previous = overview.current, overview.previous

    def day(value: date) -> str:
        return value.strftime("%d/%m/%Y")

    return " · ".join(
        [
            f"{day(current.first_day)} – {day(current.last_day)}"
            f" ({text(lang, 'overview.days', days=current.days)})",
            text(
                lang,
                "overview.previous",
                first=day(previous.first_day),
                last=day(previous.last_day),
            ),
        ]
    )


# --- the agency table -----------------------------------------------------------------------

AGENCY_COUNT_COLUMNS = ("forwarded", "resolved", "overdue_now", "overdue_serious")


def _list_table(font_size: str, padding: str, **cell: str) -> dict[str, Any]:
    """What both tables share: selectable cells, lines between rows only, scrolling sideways."""
    return {
        "cell_selectable": True,
        "style_as_list_view": True,
        "style_table": {"overflowX": "auto"},
        "style_cell": {
            "fontFamily": FONT_FAMILY,
            "fontSize": font_size,
            "padding": padding,
            "border": "none",
            "borderBottom": f"1px solid {views.desk_palette().grid}",
            **cell,
        },
    }


def build_agency_table(lang: str) -> DataTable:
    """The accountability table (numeric, sortable), built without rows.

    The page's builder (``callbacks.overview.overview_page``) sets its first rows on the
    layout; the callback ``show_rows`` the later ones (new numbers, the idle switch).
    """
    return DataTable(
        id=ids.OVERVIEW_AGENCIES,
        columns=_agency_columns(lang),
        data=[],
        sort_action="native",
        sort_by=[{"column_id": "overdue_serious", "direction": "desc"}],
        sort_as_null=["", None],  # type: ignore[list-item]  # None is valid; the stub omits it
        locale_format=LOCALES.get(lang, LOCALES["vi"]),
        **_list_table("14px", "6px 10px", textAlign="right", whiteSpace="normal", height="auto"),
        style_cell_conditional=[
            {"if": {"column_id": "agency"}, "textAlign": "left", "minWidth": "220px"},
            {"if": {"column_id": "flag"}, "textAlign": "left", "whiteSpace": "nowrap"},
        ],
        style_header={
            "fontWeight": "600",
            "backgroundColor": views.desk_palette().background,
            "color": views.desk_palette().text,
            "whiteSpace": "normal",
        },
        style_data_conditional=_agency_highlights(),
        css=[{"selector": ".dash-spreadsheet td div", "rule": "line-height: 1.3;"}],
    )


def _numeric_column(lang: str, column_id: str, name_key: str, number: Format) -> dict[str, Any]:
    """A column of numbers, headed by ``name_key`` and shown in ``number``'s format."""
    return {"id": column_id, "name": text(lang, name_key), "type": "numeric", "format": number}


def _agency_columns(lang: str) -> list[Any]:
    """The table's columns: the flag, the agency, then its numbers in the locale's format."""
    count = Format(group=Group.yes, precision=0, scheme=Scheme.fixed)
    hours = Format(
        group=Group.yes,
        precision=1,
        scheme=Scheme.fixed,
        symbol=Symbol.yes,
        symbol_suffix=" giờ" if lang == "vi" else " h",
    )
    return [
        {"id": "flag", "name": text(lang, "agency.flag"), "type": "text"},
        {"id": "agency", "name": text(lang, "agency.name"), "type": "text"},
        _numeric_column(lang, "forwarded", "agency.forwarded", count),
        _numeric_column(lang, "resolved", "agency.resolved", count),
        _numeric_column(
            lang,
            "on_time_rate",
            "agency.on_time_rate",
            Format(precision=1, scheme=Scheme.percentage),
        ),
        rereport_column(lang),  # issue 13: beside the on-time rate
        _numeric_column(lang, "overdue_now", "agency.overdue_now", count),
        _numeric_column(lang, "overdue_serious", "agency.overdue_serious", count),
        _numeric_column(lang, "median_hours", "agency.median_handling", hours),
        _numeric_column(
            lang, "satisfaction", "agency.satisfaction", Format(precision=2, scheme=Scheme.fixed)
        ),
    ]


def _agency_highlights() -> list[dict[str, Any]]:
    """The rows of agencies holding serious overdue tickets marked; the counts that list
    their tickets look clickable; the active cell."""
    serious = "{overdue_serious} > 0"
    return [
        {"if": {"filter_query": serious}, "backgroundColor": "#fdf0f0"},
        {
            "if": {"filter_query": serious, "column_id": "flag"},
            "color": views.desk_palette().alert,
            "fontWeight": "600",
        },
        {"if": {"filter_query": serious, "column_id": "agency"}, "fontWeight": "600"},
        {
            "if": {"filter_query": serious, "column_id": "overdue_serious"},
            "color": views.desk_palette().alert,
            "fontWeight": "700",
        },
        *({"if": {"column_id": column}, "cursor": "pointer"} for column in AGENCY_COUNT_COLUMNS),
        {"if": {"state": "active"}, "backgroundColor": "#dbe8f8", "border": "none"},
    ]


def agency_rows(
    overview: Overview, names: views.Names, *, show_idle: bool = False
) -> list[dict[str, Any]]:
    """The rows of the agency table (numbers stay numbers: the table sorts them)."""
    lang = names.lang
    rows = []
    for row in overview.agencies:
        if row.is_empty and not row.overdue_now and not show_idle:
            continue
        rows.append(
            _agency_row(row, names, lang) | rereport_cell(overview.rereport_rates, row.agency)
        )
    return rows


def _agency_row(row: AgencyRow, names: views.Names, lang: str) -> dict[str, Any]:
    serious = row.overdue_serious
    return {
        "id": row.agency,
        "flag": f"⚠ {text(lang, 'agency.flag_text')}" if serious else "",
        "agency": names.agency(None if row.agency == UNASSIGNED else row.agency),
        "forwarded": row.forwarded,
        "resolved": row.resolved,
        "on_time_rate": row.on_time_rate,
        "overdue_now": row.overdue_now,
        "overdue_serious": serious,
        "median_hours": None
        if row.median_handling_minutes is None
        else round(row.median_handling_minutes / 60, 2),
        "satisfaction": row.average_satisfaction,
    }


# --- charts (HTML: layouts/desk_charts.py) -------------------------------------------------


def build_overview_trend(overview: Overview, lang: str) -> Any:
    """Received, forwarded and resolved per operating day; each day a button (its tickets)."""
    days = [format_short_day(point.day, lang) for point in overview.daily]
    keys = [point.day.isoformat() for point in overview.daily]
    series = [
        TrendSeries(
            text(lang, "trend.received"),
            tuple(p.received for p in overview.daily),
            views.desk_palette().accent,
        ),
        TrendSeries(
            text(lang, "trend.forwarded"),
            tuple(p.forwarded for p in overview.daily),
            views.desk_palette().average,
        ),
        TrendSeries(
            text(lang, "trend.resolved"),
            tuple(p.resolved for p in overview.daily),
            views.desk_palette().good,
        ),
    ]
    return build_trend(f"{ids.OVERVIEW_TREND}-chart", days, keys, series, lang)


def build_overview_heatmap(overview: Overview, names: views.Names) -> Any:
    """Fields (rows) by levels (columns); each non-empty cell a button (its tickets)."""
    lang = names.lang
    categories = [c for c in overview.categories if any(overview.heatmap[c].values())]
    if not categories:
        categories = list(overview.categories[:1])
    return build_heatmap(
        f"{ids.OVERVIEW_HEATMAP}-table",
        [(c, names.category(c)) for c in categories],
        [(key, views.short_urgency(lang, key)) for key in views.URGENCY_KEYS],
        [[overview.heatmap[c][key] for key in views.URGENCY_KEYS] for c in categories],
        lang,
        corner=f"{text(lang, 'heatmap.category')} / {text(lang, 'heatmap.level')}",
    )


# --- drill-down -----------------------------------------------------------------------------


def build_drill_modal(lang: str) -> dbc.Modal:
    """The list of tickets behind a count, and a ticket's history (filled by callbacks)."""
    columns: list[Any] = [
        {"id": "code", "name": text(lang, "col.code")},
        {"id": "category", "name": text(lang, "col.category")},
        {"id": "urgency", "name": text(lang, "col.urgency")},
        {"id": "agency", "name": text(lang, "col.agency")},
        {"id": "area", "name": text(lang, "col.area")},
        {"id": "status", "name": text(lang, "col.status")},
        {"id": "received_at", "name": text(lang, "col.received_at")},
        {"id": "forwarded_at", "name": text(lang, "col.forwarded_at")},
        {"id": "due_at", "name": text(lang, "col.due_at")},
        {"id": "resolved_at", "name": text(lang, "col.resolved_at")},
    ]
    table = DataTable(
        id=ids.OVERVIEW_DRILL_TABLE,
        columns=columns,
        data=[],
        page_action="custom",
        page_current=0,
        page_size=DRILL_PAGE_SIZE,
        page_count=1,
        **_list_table("13px", "4px 6px", whiteSpace="nowrap", textAlign="left"),
        style_header={"fontWeight": "600", "backgroundColor": views.desk_palette().background},
        style_data_conditional=[
            {
                "if": {"column_id": "code"},
                "color": views.desk_palette().accent,
                "cursor": "pointer",
                "textDecoration": "underline",
                "fontFamily": "ui-monospace, monospace",
            },
        ],
    )
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(id=ids.OVERVIEW_DRILL_TITLE)),
            dbc.ModalBody(
                [
                    html.Div(id=ids.OVERVIEW_DRILL_COUNT, className="hv-drill-count"),
                    html.Div(text(lang, "drill.history_hint"), className="hv-hint"),
                    # Above the list: a ticket's history shows where the eye already is.
                    html.Div(id=ids.OVERVIEW_HISTORY, className="hv-history"),
                    table,
                ]
            ),
            dbc.ModalFooter(
                dbc.Button(
                    text(lang, "drill.close"), id=ids.OVERVIEW_DRILL_CLOSE, color="secondary"
                )
            ),
        ],
        id=ids.OVERVIEW_DRILL_MODAL,
        size="xl",
        dialog_class_name="hv-drill-dialog",
        scrollable=True,
        is_open=False,
    )


def drill_title(drill: Drill, names: views.Names) -> str:
    """``Đã xử lý: Sở Giao thông vận tải · 01/11–30/11``."""
    lang = names.lang
    scope = []
    if drill.agency:
        scope.append(names.agency(None if drill.agency == UNASSIGNED else drill.agency))
    if drill.category:
        scope.append(names.category(drill.category))
    if drill.urgency:
        scope.append(views.short_urgency(lang, drill.urgency))
    if drill.measure not in ("open_now", "overdue_now"):
        first, last = drill.first_day.strftime("%d/%m/%Y"), drill.last_day.strftime("%d/%m/%Y")
        scope.append(first if first == last else f"{first} – {last}")
    return text(
        lang,
        "drill.title",
        measure=text(lang, f"drill.measure.{drill.measure}"),
        scope=" · ".join(scope) or text(lang, "drill.scope.all"),
    )


def drill_count(page: TicketPage, lang: str) -> str:
    """``42 phiếu · trang 1/2``."""
    if not page.total:
        return text(lang, "drill.empty")
    return text(
        lang,
        "drill.count",
        total=format_count(page.total, lang),
        page=page.page,
        pages=page.pages,
    )


def _local(value: datetime | None, zone: ZoneInfo) -> str:
    # Two-digit years keep ten columns inside the dialog; the title names the whole range.
    return value.astimezone(zone).strftime("%d/%m/%y %H:%M") if value else ""


def drill_rows(page: TicketPage, names: views.Names, zone: ZoneInfo) -> list[dict[str, Any]]:
    """The rows of one page of tickets: codes, names and local times (no personal data)."""
    lang = names.lang
    return [
        {
            "id": row.code,
            "code": row.code,
            "category": names.category(row.category),
            "urgency": views.short_urgency(
                lang, "unclassified" if row.urgency is None else str(row.urgency)
            ),
            "agency": names.agency(row.agency),
            "area": names.area(row.area),
            "status": code_name(lang, "status", row.status),
            "received_at": _local(row.received_at, zone),
            "forwarded_at": _local(row.forwarded_at, zone),
            "due_at": _local(row.due_at, zone),
            "resolved_at": _local(row.resolved_at, zone),
        }
        for row in page.rows
    ]


ACTOR_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,40}")


def actor_name(actor: str | None, names: views.Names) -> str:
    """Who made a status change: an operator's or an agency's name, else what was written."""
    if not actor:
        return ""
    if actor in names.operators:
        return names.operator(actor)
    if actor in names.agencies:
        return names.agency(actor)
    # Anything else is shown only when it looks like a system id, never free text (a name).
    return actor if ACTOR_CODE.fullmatch(actor) else "—"


def build_history(
    history: TicketHistory | None, code: str, names: views.Names, zone: ZoneInfo
) -> Any:
    """A ticket's status changes, oldest first (no notes: they may hold personal data)."""
    lang = names.lang
    if history is None:
        return html.P(text(lang, "history.unknown", code=code), className="text-muted")
    title = html.H3(
        text(lang, "panel.history", code=history.ticket.code), className="hv-history-title"
    )
    if not history.events:
        return html.Div([title, html.P(text(lang, "history.empty"), className="text-muted")])
    rows = [
        html.Tr(
            [
                html.Td(_local(event.at, zone)),
                html.Td(code_name(lang, "status", event.status)),
                html.Td(actor_name(event.actor, names)),
            ]
        )
        for event in history.events
    ]
    header = html.Thead(
        html.Tr(
            [html.Th(text(lang, key)) for key in ("history.at", "history.status", "history.actor")]
        )
    )
    return html.Div(
        [
            title,
            dbc.Table(
                [header, html.Tbody(rows)],
                size="sm",
                class_name="hv-table",
                id="overview-history-table",
            ),
        ]
    )


def measures_of_column(column: str) -> str | None:
    """The measure a click on an agency-table column lists."""
    return {
        "forwarded": "forwarded",
        "resolved": "resolved",
        "on_time_rate": "resolved",
        "median_hours": "resolved",
        "satisfaction": "resolved",
        "overdue_now": "overdue_now",
        "overdue_serious": "overdue_now",
        "flag": "overdue_now",
        "agency": "forwarded",
    }.get(column)
