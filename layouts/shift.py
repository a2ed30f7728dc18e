"""The shift supervisor's page (``/shift``) and the hand-over report (``/shift/report``).

Pure functions of a :class:`dashboard.shift_view.ShiftView` and the reference
names: no database, no callbacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.formatting import (
    format_average,
    format_clock,
    format_count,
    format_day,
    format_duration,
    format_rate,
    on_time_tone,
)
from dashboard.i18n import code_name, text
from dashboard.shift_view import URGENCY_KEYS, Backlog, OperatorWork, ShiftView
from dashboard.shifts import ShiftDef
from data_access.codes import CHANNELS, STATUSES, UNCLASSIFIED
from data_access.values import Filters
from layouts import views
from layouts.alerts import build_shift_alerts
from layouts.desk_charts import build_bars
from layouts.intelligence import build_repeat_candidates
from layouts.switchboard import (
    build_operator_calls_cell,
    build_operator_calls_head,
    build_report_calls,
    build_shift_calls,
)

REPORT_FIELDS = 7  # rows of the report's field table (the rest summed in the last one)
REPORT_OVERDUE = 6  # overdue tickets listed in the report


def shift_label(lang: str, shift: ShiftDef) -> str:
    """``Ca 2 (14:00–22:00)``."""
    return text(
        lang,
        "shift.label_hours",
        number=shift.number,
        start=shift.start.strftime("%H:%M"),
        end=shift.end.strftime("%H:%M"),
    )


def build_shift_page(
    *,
    day: date,
    shift: int,
    filters: Filters,
    shifts: Sequence[ShiftDef],
    names: views.Names,
    navbar: Any,
) -> html.Div:
    """The page: controls from the URL, its content and alerts empty.

    The page's builder (``callbacks.shift.shift_page``) sets the first content, subtitle
    and report link on it with what the callback ``update_shift`` answers (``fill_layout``),
    and the alerts' first rows. ``update_shift`` redraws the three when a control changes or
    the running shift's minute tick fires; the alerts callback refreshes the alerts.
    """
    lang = names.lang
    return views.build_view_page(
        "shift",
        lang=lang,
        navbar=navbar,
        stores=[dcc.Interval(id=ids.SHIFT_TICK, interval=60_000)],
        header=_shift_header(lang),
        controls=_shift_controls(day, shift, shifts, lang),
        filters=views.build_filters("shift", names, filters),
        body=[
            build_shift_alerts(lang),  # the alerts to acknowledge (issue 9)
            dcc.Loading(
                html.Div(id=ids.SHIFT_CONTENT, className="hv-shift-content"),
                type="dot",
                delay_show=400,
            ),
        ],
    )


def _shift_controls(day: date, shift: int, shifts: Sequence[ShiftDef], lang: str) -> dbc.Row:
    """The controls row: the day, the shift, the current-shift button and the clear button."""
    return dbc.Row(
        [
            views.build_control_col(
                text(lang, "filter.day"),
                views.build_slot(
                    dcc.DatePickerSingle(
                        id=ids.SHIFT_DAY, date=day.isoformat(), **views.DATE_PICKER
                    ),
                    "date",
                ),
            ),
            dbc.Col(
                [
                    dbc.Label(text(lang, "filter.shift"), class_name="hv-label"),
                    dbc.RadioItems(
                        id=ids.SHIFT_NUMBER,
                        options=[
                            {"label": shift_label(lang, s), "value": s.number} for s in shifts
                        ],
                        value=shift,
                        inline=True,
                        class_name="btn-group hv-shift-choice",
                        input_class_name="btn-check",
                        label_class_name="btn btn-outline-primary",
                        label_checked_class_name="active",
                    ),
                ],
                xs=12,
                md="auto",
            ),
            dbc.Col(
                dbc.Button(
                    [html.I(className="bi bi-clock-history me-1"), text(lang, "filter.current")],
                    id=ids.SHIFT_CURRENT,
                    color="primary",
                    outline=True,
                    class_name="hv-control-button",
                ),
                xs="auto",
                class_name="d-flex align-items-end",
            ),
            views.build_clear_col(ids.SHIFT_CLEAR, lang),
        ],
        class_name="g-3 mb-2",
    )


def _shift_header(lang: str) -> html.Div:
    """The title, the subtitle (the shift, set with the numbers) and the report's link."""
    return views.build_view_header(
        html.H1(text(lang, "nav.shift"), id=ids.SHIFT_TITLE, className="hv-title"),
        ids.SHIFT_SUBTITLE,
        html.Div(
            views.build_action_link(
                "bi-printer",
                text(lang, "report.button"),
                ids.SHIFT_REPORT_LINK,
                "/shift/report",
                "btn btn-primary",
            ),
            className="hv-actions",
        ),
    )


def shift_subtitle(view: ShiftView, lang: str) -> str:
    """``Ca 2 — Thứ Ba, 01/12/2026 · Từ 14:00 đến 22:00 · Ca đang diễn ra ...``."""
    zone = ZoneInfo(view.snapshot.timezone)
    parts = [
        text(lang, "shift.heading", number=view.shift, day=format_day(view.day, lang)),
        text(
            lang,
            "shift.hours_long",
            start=format_clock(view.snapshot.window.start, zone, seconds=False),
            end=format_clock(view.snapshot.window.end, zone, seconds=False),
        ),
    ]
    if view.state == "in_progress":
        parts.append(
            text(
                lang, "shift.in_progress", time=format_clock(view.snapshot.now, zone, seconds=False)
            )
        )
    elif view.state == "finished":
        parts.append(text(lang, "shift.finished"))
    else:
        parts.append(text(lang, "shift.not_started"))
    return " · ".join(parts)


def _minutes(value: float | None, lang: str) -> str:
    if value is None:
        return text(lang, "duration.none")
    if value < 1:
        return format_duration(0, lang) if value == 0 else f"< {format_duration(1, lang)}"
    return format_duration(round(value), lang)


def build_shift_kpis(view: ShiftView, lang: str) -> dbc.Row:
    """The shift's headline numbers, each with its comparison."""
    snap = view.snapshot
    comp = view.comparison
    same_time = f" {text(lang, 'compare.same_time')}" if comp.partial else ""
    received_notes = [
        text(lang, "compare.yesterday", value=format_count(comp.yesterday.received, lang))
        + same_time,
        text(lang, "compare.average", value=format_average(comp.average_received, lang)),
    ]
    backlog_out = view.backlog_out
    cards = [
        views.build_kpi(
            text(lang, "kpi.received"),
            format_count(snap.received, lang),
            received_notes,
            icon="bi-telephone-inbound-fill",
            kpi_id="shift-kpi-received",
        ),
        *(
            views.build_kpi(
                text(lang, f"kpi.{key}"),
                format_count(count, lang),
                [text(lang, "compare.yesterday", value=format_count(yesterday, lang))],
                icon=icon,
                kpi_id=f"shift-kpi-{key}",
            )
            for key, count, yesterday, icon in (
                ("forwarded", snap.forwarded, comp.yesterday.forwarded, "bi-send-fill"),
                ("resolved", snap.resolved_in_window, comp.yesterday.resolved, "bi-check2-circle"),
            )
        ),
        views.build_kpi(
            text(lang, "kpi.on_time"),
            format_rate(snap.on_time_rate, lang),
            tone=on_time_tone(snap.on_time_rate),
            icon="bi-stopwatch-fill",
            kpi_id="shift-kpi-on-time",
        ),
        _backlog_kpi(text(lang, "kpi.backlog_in"), view.backlog_in, lang, "shift-kpi-backlog-in"),
    ]
    if backlog_out is not None:
        label = text(lang, "kpi.backlog_out" if view.state == "finished" else "kpi.backlog_out_now")
        cards.append(_backlog_kpi(label, backlog_out, lang, "shift-kpi-backlog-out"))
    return dbc.Row([dbc.Col(card, xs=6, md=4, xl=2) for card in cards], class_name="g-3 hv-kpis")


def _backlog_kpi(label: str, backlog: Backlog, lang: str, kpi_id: str) -> html.Div:
    tone = "alert" if backlog.overdue or backlog.level4 else ""
    return views.build_kpi(
        label,
        format_count(backlog.open, lang),
        [
            text(
                lang,
                "backlog.detail",
                overdue=format_count(backlog.overdue, lang),
                level4=format_count(backlog.level4, lang),
            )
        ],
        tone=tone,
        icon="bi-inboxes-fill",
        kpi_id=kpi_id,
    )


def build_backlog_table(view: ShiftView, lang: str) -> dbc.Table:
    """Open tickets at the shift's start and end, by level, with the overdue ones."""
    zone = ZoneInfo(view.snapshot.timezone)
    rows: list[tuple[str, Backlog]] = [
        (
            text(lang, "backlog.in", time=format_clock(view.backlog_in.at, zone, seconds=False)),
            view.backlog_in,
        )
    ]
    if view.backlog_out is not None:
        key = "backlog.out" if view.state == "finished" else "backlog.out_now"
        time = format_clock(view.backlog_out.at, zone, seconds=False)
        rows.append((text(lang, key, time=time), view.backlog_out))
    header = html.Thead(
        html.Tr(
            [
                html.Th(text(lang, "backlog.when")),
                html.Th(text(lang, "backlog.open"), className="text-end"),
                html.Th(text(lang, "backlog.overdue"), className="text-end"),
                *[
                    html.Th(views.short_urgency(lang, key), className="text-end")
                    for key in URGENCY_KEYS
                ],
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Th(label, scope="row"),
                    html.Td(format_count(backlog.open, lang), className="text-end fw-bold"),
                    html.Td(
                        format_count(backlog.overdue, lang),
                        className="text-end" + (" hv-alert-text" if backlog.overdue else ""),
                    ),
                    *[
                        html.Td(
                            format_count(backlog.by_urgency.get(key, 0), lang), className="text-end"
                        )
                        for key in URGENCY_KEYS
                    ],
                ]
            )
            for label, backlog in rows
        ]
    )
    return dbc.Table(
        [header, body],
        bordered=False,
        hover=True,
        size="sm",
        class_name="hv-table",
        id="shift-backlog-table",
    )


def build_comparison_table(view: ShiftView, lang: str) -> dbc.Table:
    """This shift, the same shift yesterday and the previous 7 days' average."""
    comp = view.comparison
    same_time = f" {text(lang, 'compare.same_time')}" if comp.partial else ""
    rows = [
        ("kpi.received", comp.current.received, comp.yesterday.received, comp.average_received),
        ("kpi.forwarded", comp.current.forwarded, comp.yesterday.forwarded, comp.average_forwarded),
        ("trend.resolved", comp.current.resolved, comp.yesterday.resolved, comp.average_resolved),
    ]
    return dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(text(lang, "compare.measure")),
                        html.Th(text(lang, "compare.this_shift") + same_time, className="text-end"),
                        html.Th(text(lang, "compare.yesterday_col"), className="text-end"),
                        html.Th(text(lang, "compare.average_col"), className="text-end"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Th(text(lang, key), scope="row"),
                            html.Td(format_count(current, lang), className="text-end fw-bold"),
                            html.Td(format_count(yesterday, lang), className="text-end"),
                            html.Td(format_average(average, lang), className="text-end"),
                        ]
                    )
                    for key, current, yesterday, average in rows
                ]
            ),
        ],
        size="sm",
        hover=True,
        class_name="hv-table",
        id="shift-comparison-table",
    )


def build_operators_table(view: ShiftView, names: views.Names) -> Any:
    """Each operator's work in the shift, and the whole shift's."""
    lang = names.lang
    if not view.operators:
        return html.P(text(lang, "operators.empty"), className="text-muted")

    def row(work: OperatorWork, label: Any, *, total: bool = False) -> html.Tr:
        cells = [
            work.received,
            work.classified,
            work.forwarded,
            work.resolved,
        ]
        return html.Tr(
            [
                html.Th(label, scope="row"),
                *[html.Td(format_count(value, lang), className="text-end") for value in cells],
                html.Td(_minutes(work.median_forward_minutes, lang), className="text-end"),
                build_operator_calls_cell(view.snapshot.switchboard, work.operator, lang, total),
            ],
            className="hv-total" if total else "",
        )

    columns = (
        "operator.received",
        "operator.classified",
        "operator.forwarded",
        "operator.resolved",
    )
    return dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(text(lang, "operator.name")),
                        *[html.Th(text(lang, key), className="text-end") for key in columns],
                        html.Th(text(lang, "operator.median_forward"), className="text-end"),
                        build_operator_calls_head(lang),
                    ]
                )
            ),
            html.Tbody(
                [row(work, _operator_cell(work.operator, names)) for work in view.operators]
                + [row(view.operators_total, text(lang, "operator.total"), total=True)]
            ),
        ],
        size="sm",
        hover=True,
        striped=True,
        class_name="hv-table",
        id="shift-operators-table",
    )


def _operator_cell(code: str, names: views.Names) -> Any:
    """An operator's name (their intake id on hover); the id when no name is known."""
    name = names.operators.get(code)
    if name is None:
        return names.operator(code)
    return html.Span(name, title=code, className="text-nowrap")


def build_overdue_table(
    view: ShiftView, names: views.Names, limit: int | None = None, *, wide: bool = False
) -> Any:
    """The most overdue open tickets now (codes, never personal data).

    ``wide`` (the A4 report, full width): field and agency in their own columns, one
    line a ticket; otherwise field over agency in one cell, for a half-width panel.
    """
    lang = names.lang
    items = view.snapshot.overdue_list[:limit]
    if not items:
        return html.P(text(lang, "report.none_overdue"), className="text-muted")
    header = ["col.code", "col.category", "col.urgency", "col.agency"]
    overdue_class = "text-end hv-alert-text"

    def cells(item: Any) -> list[Any]:
        return [
            html.Td(names.category(item.category)),
            html.Td(views.short_urgency(lang, item.urgency)),
            html.Td(names.agency(item.agency)),
        ]

    if not wide:
        header = ["col.code", "col.category_agency", "col.urgency"]
        overdue_class = "text-end text-nowrap hv-alert-text"

        def cells(item: Any) -> list[Any]:
            return [
                # Field over agency in one cell: long agency names do not wrap.
                html.Td(
                    [
                        html.Div(names.category(item.category)),
                        html.Div(names.agency(item.agency), className="hv-muted"),
                    ]
                ),
                html.Td(views.short_urgency(lang, item.urgency), className="text-nowrap"),
            ]

    return dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [html.Th(text(lang, key)) for key in header]
                    + [html.Th(text(lang, "col.overdue"), className="text-end")]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(item.code, className="hv-code"),
                            *cells(item),
                            html.Td(
                                format_duration(item.overdue_minutes, lang),
                                className=overdue_class,
                            ),
                        ]
                    )
                    for item in items
                ]
            ),
        ],
        size="sm",
        class_name="hv-table",
        id="shift-overdue-table",
    )


def _hour_labels(view: ShiftView) -> list[str]:
    zone = ZoneInfo(view.snapshot.timezone)
    return [hour.astimezone(zone).strftime("%H:00") for hour, _ in view.snapshot.hourly]


def _panel_col(lang: str, key: str, body: Any, **width: Any) -> dbc.Col:
    """A column holding a panel titled ``key`` (``width``: the column's breakpoints)."""
    return dbc.Col(views.build_panel(text(lang, key), body), **width)


def build_shift_charts(view: ShiftView, names: views.Names) -> list[Any]:
    """Counts by level, field, status, channel and hour."""
    lang = names.lang
    snap = view.snapshot
    levels = list(URGENCY_KEYS)
    categories = [key for key, value in snap.by_category.items() if value]
    categories.sort(key=lambda key: (key == UNCLASSIFIED, -snap.by_category[key]))

    by_urgency = build_bars(
        "shift-chart-urgency",
        [views.short_urgency(lang, key) for key in levels],
        [snap.by_urgency.get(key, 0) for key in levels],
        lang,
        colors=views.urgency_colors(levels),
    )
    by_category = build_bars(
        "shift-chart-category",
        [names.category(key) for key in categories] or ["—"],
        [snap.by_category[key] for key in categories] or [0],
        lang,
    )
    by_status = build_bars(
        "shift-chart-status",
        [code_name(lang, "status", key) for key in STATUSES],
        [snap.by_status.get(key, 0) for key in STATUSES],
        lang,
        colors=views.status_colors(STATUSES),
    )
    by_channel = build_bars(
        "shift-chart-channel",
        [code_name(lang, "channel", key) for key in CHANNELS],
        [snap.by_channel.get(key, 0) for key in CHANNELS],
        lang,
    )
    by_hour = build_bars(
        "shift-chart-hourly",
        _hour_labels(view),
        [count for _, count in snap.hourly],
        lang,
        horizontal=False,
    )
    return [
        dbc.Row(
            [
                _panel_col(lang, "panel.by_urgency", by_urgency, lg=4),
                _panel_col(lang, "panel.by_status", by_status, lg=4),
                _panel_col(lang, "panel.by_channel", by_channel, lg=4),
            ],
            class_name="g-3",
        ),
        dbc.Row(
            [
                _panel_col(lang, "panel.by_category", by_category, lg=6),
                _panel_col(lang, "panel.by_hour", by_hour, lg=6),
            ],
            class_name="g-3",
        ),
    ]


def build_shift_content(view: ShiftView, names: views.Names) -> list[Any]:
    """Everything below the controls."""
    lang = names.lang
    return [
        build_shift_kpis(view, lang),
        dbc.Row(
            [
                _panel_col(lang, "panel.backlog", build_backlog_table(view, lang), lg=7),
                _panel_col(lang, "panel.comparison", build_comparison_table(view, lang), lg=5),
            ],
            class_name="g-3",
        ),
        *build_shift_charts(view, names),
        views.build_panel(
            text(lang, "sb.shift_title"), build_shift_calls(view.snapshot.switchboard, lang)
        ),
        dbc.Row(
            [
                _panel_col(lang, "panel.operators", build_operators_table(view, names), xl=6),
                _panel_col(lang, "panel.overdue", build_overdue_table(view, names), xl=6),
            ],
            class_name="g-3",
        ),
        build_repeat_candidates(  # level 3 candidates (issue 13)
            view.repeat_candidates,
            lang,
            {"categories": names.categories, "areas": names.areas},
            window_days=view.repeat_window_days,
        ),
    ]


# --- the hand-over report (A4) ------------------------------------------------------------


def _count_table(
    rows: Sequence[tuple[str, int]], total: int, lang: str, table_id: str
) -> dbc.Table:
    return dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(""),
                        html.Th(text(lang, "report.count"), className="text-end"),
                        html.Th(text(lang, "report.share"), className="text-end"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Th(label, scope="row"),
                            html.Td(format_count(count, lang), className="text-end"),
                            html.Td(
                                format_rate(count / total if total else None, lang),
                                className="text-end",
                            ),
                        ]
                    )
                    for label, count in rows
                ]
            ),
        ],
        size="sm",
        class_name="hv-table hv-report-table",
        id=table_id,
    )


def _report_section(lang: str, key: str, body: Any, *, width: str = "") -> html.Section:
    """One titled section of the hand-over report (``width``: "half" or "third" of the page)."""
    return html.Section(
        [html.H2(text(lang, key)), body],
        className=f"hv-report-section hv-{width}" if width else "hv-report-section",
    )


def _count_section(
    lang: str, name: str, rows: Sequence[tuple[str, int]], total: int, *, width: str
) -> html.Section:
    """A section of counts with their shares of ``total`` (its title ``report.<name>``)."""
    table = _count_table(rows, total, lang, f"shift-report-{name}")
    return _report_section(lang, f"report.{name}", table, width=width)


def _report_header(
    view: ShiftView, names: views.Names, *, user: str, generated_at: datetime
) -> html.Header:
    """The report's heading: the hotline, the shift and its hours, who printed it, the filters."""
    lang = names.lang
    zone = ZoneInfo(view.snapshot.timezone)
    start = format_clock(view.snapshot.window.start, zone, seconds=False)
    end = format_clock(view.snapshot.window.end, zone, seconds=False)
    generated = f"{generated_at.astimezone(zone).strftime('%d/%m/%Y %H:%M')}"
    return html.Header(
        [
            html.Div(text(lang, "report.hotline"), className="hv-report-org"),
            html.H1(text(lang, "report.heading"), className="hv-report-title"),
            html.Div(
                text(
                    lang,
                    "report.window",
                    number=view.shift,
                    day=view.day.strftime("%d/%m/%Y"),
                    start=start,
                    end=end,
                ),
                className="hv-report-window",
            ),
            html.Div(
                [
                    text(lang, "report.generated", time=generated, user=user)
                    if user
                    else text(lang, "report.generated_at", time=generated),
                    " · ",
                    text(
                        lang,
                        "report.filters",
                        filters=views.describe_filters(view.filters, names),
                    ),
                ],
                className="hv-report-meta",
            ),
        ]
    )


def _report_summary(view: ShiftView, lang: str) -> dbc.Table:
    """The report's headline numbers, one a row."""
    snap = view.snapshot
    summary_rows = [
        ("kpi.received", format_count(snap.received, lang)),
        ("kpi.forwarded", format_count(snap.forwarded, lang)),
        ("kpi.resolved", format_count(snap.resolved_in_window, lang)),
        ("kpi.on_time", format_rate(snap.on_time_rate, lang)),
        ("kpi.overdue_now", format_count(snap.overdue, lang)),
        ("kpi.level4_open", format_count(snap.level4_open, lang)),
    ]
    return dbc.Table(
        html.Tbody(
            [
                html.Tr(
                    [html.Th(text(lang, key), scope="row"), html.Td(value, className="text-end")]
                )
                for key, value in summary_rows
            ]
        ),
        size="sm",
        class_name="hv-table hv-report-table",
        id="shift-report-summary",
    )


def _report_fields(view: ShiftView, names: views.Names) -> list[tuple[str, int]]:
    """The fields received, largest first; beyond ``REPORT_FIELDS`` rows the rest in one."""
    fields = sorted(
        ((names.category(key), value) for key, value in view.snapshot.by_category.items() if value),
        key=lambda item: -item[1],
    )
    if len(fields) > REPORT_FIELDS:
        # One A4 page: the largest fields, then the rest together.
        rest = fields[REPORT_FIELDS - 1 :]
        label = text(names.lang, "report.other_fields", count=len(rest))
        fields = [*fields[: REPORT_FIELDS - 1], (label, sum(count for _, count in rest))]
    return fields


def _report_signatures(lang: str) -> dbc.Row:
    """Where the supervisors handing over and receiving the shift sign."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    html.Div(text(lang, key), className="fw-bold"),
                    html.Div(text(lang, "report.sign"), className="hv-sign-hint"),
                ],
                className="text-center",
            )
            for key in ("report.handing", "report.receiving")
        ],
        class_name="hv-signatures",
    )


def _report_actions(lang: str, back_href: str) -> html.Div:
    """Back to the shift view, and print (neither is printed)."""
    return html.Div(
        [
            html.A(
                [html.I(className="bi bi-arrow-left me-1"), text(lang, "report.back")],
                href=back_href,
                className="btn btn-outline-primary",
            ),
            html.Button(
                [html.I(className="bi bi-printer me-1"), text(lang, "report.print")],
                id=ids.SHIFT_PRINT,
                className="btn btn-primary",
            ),
        ],
        className="hv-report-actions d-print-none",
    )


def build_shift_report(
    view: ShiftView, names: views.Names, *, user: str, generated_at: datetime, back_href: str
) -> html.Div:
    """The hand-over report (Báo cáo giao ca): tables only, laid out for one A4 page."""
    lang = names.lang
    snap = view.snapshot
    levels = [(views.short_urgency(lang, key), snap.by_urgency.get(key, 0)) for key in URGENCY_KEYS]
    return html.Div(
        [
            dcc.Store(id=ids.SHIFT_PRINTED),
            _report_actions(lang, back_href),
            html.Article(
                [
                    _report_header(view, names, user=user, generated_at=generated_at),
                    _report_section(
                        lang, "report.summary", _report_summary(view, lang), width="third"
                    ),
                    _count_section(lang, "levels", levels, snap.received, width="third"),
                    _report_section(
                        lang,
                        "report.calls",
                        build_report_calls(view.snapshot.switchboard, lang),
                        width="third",
                    ),
                    _report_section(lang, "report.backlog", build_backlog_table(view, lang)),
                    _count_section(
                        lang, "fields", _report_fields(view, names), snap.received, width="half"
                    ),
                    _report_section(
                        lang, "report.comparison", build_comparison_table(view, lang), width="half"
                    ),
                    _report_section(lang, "report.operators", build_operators_table(view, names)),
                    _report_section(
                        lang,
                        "report.overdue",
                        build_overdue_table(view, names, REPORT_OVERDUE, wide=True),
                    ),
                    _report_section(lang, "report.notes", html.Div(className="hv-notes")),
                    _report_signatures(lang),
                ],
                className="hv-report",
                id="shift-report",
            ),
        ],
        className="hv-page hv-report-page",
        lang=lang,
    )
