"""The alerts on the wall (a strip under the overdue list) and in the shift view."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.alerts.view import AlertItem, AlertsView
from dashboard.i18n import text

WALL_ALERTS = "wall-alerts"
WALL_ALERTS_BODY = "wall-alerts-body"
WALL_ALERTS_COUNT = "wall-alerts-count"
WALL_ALERTS_CHIME = "wall-alerts-chime"
WALL_ALERTS_SOUND = "wall-alerts-sound"
# Shift-view ids start with "shift-": the access guard gives their callbacks the shift area.
SHIFT_ALERTS = "shift-alerts"
SHIFT_ALERTS_BODY = "shift-alerts-body"
SHIFT_ALERTS_TICK = "shift-alerts-tick"
SHIFT_ALERTS_NOTICE = "shift-alerts-notice"
WALL_ALERTS_SHOWN = "wall-alerts-shown"  # the digest of what the strip shows
ACK_BUTTON = "shift-alert-ack"
SHIFT_ALERT_ROWS = 8  # the shift view's alert rows (its key figures stay near the top)
CHIME_FILE = "/assets/alerts-chime.wav"
# The wall's strip is three lines high: this many alerts, then the count of the others.
WALL_ITEMS = 2


def _chip(item: AlertItem, lang: str) -> html.Div:
    classes = ["wall-alert", f"wall-alert--{item.state}"]
    if item.escalated:
        classes.append("wall-alert--escalated")
    parts: list[Any] = [
        html.I(className="bi bi-bell-fill wall-alert-icon", **{"aria-hidden": "true"}),  # type: ignore[arg-type]
        html.Span(item.rule_label, className="wall-alert-rule"),
    ]
    if item.escalated:
        parts.append(html.Span(text(lang, "alert.escalated"), className="wall-alert-escalated"))
    where = " · ".join(
        part
        for part in (
            item.agency_label,
            item.tickets_text,
            text(lang, "alert.level", level=item.level) if item.level else "",
        )
        if part
    )
    parts.append(html.Span(where, className="wall-alert-where"))
    # The age last and never cut: a long agency name or ticket list gives way first.
    parts.append(html.Span(item.age_text, className="wall-alert-age"))
    return html.Div(parts, className=" ".join(classes), id=f"wall-alert-{item.id}")


def build_wall_alert_items(view: AlertsView, lang: str) -> list[Any]:
    """The chips of the wall's alert strip (the first few; a count of the rest).

    Unacknowledged alerts come first (a stable sort: the view's order otherwise), so that
    an acknowledged one never hides a new one on a strip with room for two.
    """
    if not view.items:
        return [html.Div(text(lang, "alert.none"), className="wall-alert-none")]
    ordered = sorted(view.items, key=lambda item: item.state == "acknowledged")
    shown = [_chip(item, lang) for item in ordered[:WALL_ITEMS]]
    rest = len(view.items) - WALL_ITEMS
    if rest > 0:
        shown.append(html.Div(text(lang, "alert.more", count=rest), className="wall-alert-more"))
    return shown


def build_wall_alerts(lang: str) -> html.Section:
    """The wall's alert strip, built saying "none": the wall's page (``callbacks.pages``)
    sets its first chips, the alerts callback redraws them on a refresh that changes them."""
    return html.Section(
        [
            html.H2(
                [
                    text(lang, "alert.panel"),
                    " ",
                    html.Span("", id=WALL_ALERTS_COUNT, className="wall-alerts-count"),
                ],
                className="panel-title",
            ),
            html.Div(
                [html.Div(text(lang, "alert.none"), className="wall-alert-none")],
                id=WALL_ALERTS_BODY,
                className="wall-alerts-body",
            ),
            dcc.Store(id=WALL_ALERTS_CHIME, data=None),
            dcc.Store(id=WALL_ALERTS_SOUND, data=None),
            dcc.Store(id=WALL_ALERTS_SHOWN, data=None),
        ],
        id=WALL_ALERTS,
        className="panel panel-alerts",
        **{"aria-live": "polite"},  # type: ignore[arg-type]
    )


def build_shift_alert_rows(view: AlertsView, lang: str, *, can_ack: bool) -> list[Any]:
    """The rows of the shift view's alert table, with an acknowledge button each."""
    if not view.items:
        return [html.Tr(html.Td(text(lang, "alert.none"), colSpan=6))]
    rows = []
    # The first rows only (unacknowledged first): thousands of rows redrawn every tick froze a
    # tablet's browser, and the whole list is on /alerts.
    for item in view.items[:SHIFT_ALERT_ROWS]:
        button: Any = ""
        if item.state in ("firing", "pending") and can_ack:
            button = dbc.Button(
                text(lang, "alert.ack"),
                id={"type": ACK_BUTTON, "alert": item.id},
                size="sm",
                color="primary",
                n_clicks=0,
            )
        state = item.state_label + (" · " + text(lang, "alert.escalated") if item.escalated else "")
        rows.append(
            html.Tr(
                [
                    html.Td(item.rule_label),
                    html.Td(item.agency_label),
                    html.Td(item.tickets_text),
                    html.Td(item.age_text),
                    html.Td([state, html.Div(item.acked_text, className="small text-muted")]),
                    html.Td(button),
                ],
                className="table-danger" if item.escalated else "",
                id=f"shift-alert-row-{item.id}",
            )
        )
    hidden = len(view.items) - SHIFT_ALERT_ROWS
    if hidden > 0:
        more = html.A(text(lang, "alert.more", count=hidden), href="/alerts")
        rows.append(html.Tr(html.Td(more, colSpan=6), id="shift-alert-more"))
    return rows


def build_shift_alerts(lang: str) -> html.Section:
    """The shift view's panel of alerts, built without rows: ``callbacks.shift.shift_page``
    sets the first ones, the alerts callback refreshes them (its tick, an acknowledgement)."""
    head = [
        text(lang, key)
        for key in (
            "alert.col.rule",
            "alert.col.agency",
            "alert.col.tickets",
            "alert.col.since",
            "alert.col.state",
            "alert.col.ack",
        )
    ]
    return html.Section(
        [
            html.H2(text(lang, "alert.shift_panel"), className="h5"),
            html.Div(id=SHIFT_ALERTS_NOTICE, role="status"),
            html.Table(
                [
                    html.Thead(html.Tr([html.Th(label, scope="col") for label in head])),
                    html.Tbody(id=SHIFT_ALERTS_BODY),
                ],
                className="table table-sm align-middle",
            ),
            html.A(
                text(lang, "alert.history"), href="/alerts" + ("?lang=en" if lang == "en" else "")
            ),
            dcc.Interval(id=SHIFT_ALERTS_TICK, interval=5000),
        ],
        id=SHIFT_ALERTS,
        className="hv-shift-alerts mb-4",
    )
