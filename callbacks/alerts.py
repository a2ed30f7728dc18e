"""The alerts' callbacks: the wall's strip and chime, the shift view's list and acknowledge."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from dash import ALL, Dash, Input, Output, State, callback_context, no_update
from dash.exceptions import PreventUpdate

from callbacks.views import unless_shown
from dashboard import ids
from dashboard.alerts.service import AlertService
from dashboard.alerts.view import AlertsView, make_alerts_view
from dashboard.auth import AccessControl, access_of
from dashboard.i18n import normalise_language, text
from dashboard.shifts import utc_now
from layouts import alerts as layout

log = logging.getLogger(__name__)

# The chime plays when a level-4 alert or an escalation not seen before appears, and only on
# a screen started with ?sound=1 (a kiosk browser needs --autoplay-policy=no-user-gesture-required).
CHIME_SCRIPT = """
function(token, search, previous) {
    var wanted = /[?&]sound=(1|true|yes)(&|$)/.test(search || "");
    if (token === null || token === undefined) { return window.dash_clientside.no_update; }
    if (wanted && previous !== null && previous !== undefined) {
        var before = new Set(String(previous).split(",").filter(Boolean));
        var fresh = String(token).split(",").filter(Boolean).some(function (id) {
            return !before.has(id);
        });
        if (fresh) {
            try {
                var audio = new Audio("CHIME_FILE");
                var played = audio.play();
                if (played && played.catch) { played.catch(function () {}); }
            } catch (e) {}
        }
    }
    return String(token);
}
""".replace("CHIME_FILE", layout.CHIME_FILE)


def _lang(search: Any) -> str:
    args = dict(parse_qsl(search.lstrip("?")[:2000])) if isinstance(search, str) else {}
    return normalise_language(args.get("lang"))


def current_view(alerts: AlertService, lang: str) -> AlertsView:
    """The active alerts as screens show them."""
    names = alerts.snapshots.names().get("agencies")
    agency_names = (names.en if lang == "en" else names.vi) if names is not None else {}
    return make_alerts_view(alerts.active(), utc_now(), lang, agency_names, alerts.settings.zone)


# What the wall's alert panel shows: set by the callback, and on the first layout by the page.
WALL_ALERTS_OUTPUTS = (
    Output(layout.WALL_ALERTS_BODY, "children"),
    Output(layout.WALL_ALERTS_COUNT, "children"),
    Output(layout.WALL_ALERTS_CHIME, "data"),
    Output(layout.WALL_ALERTS_SHOWN, "data"),
)


def wall_alert_outputs(alerts: AlertService, lang: str, shown: Any = None) -> tuple[Any, ...]:
    """The wall's alert items, their count, the chime's token and their digest (``no_update``
    for all when the strip shows them already)."""
    view = current_view(alerts, lang)
    count = f"({view.unacknowledged})" if view.items else ""
    return unless_shown((layout.build_wall_alert_items(view, lang), count, view.chime), shown)


def shift_alert_rows(alerts: AlertService, access: AccessControl, lang: str) -> Any:
    """The shift view's rows of active alerts (acknowledge buttons for who may press them)."""
    can_ack = access.role() in ("open", "supervisor")
    return layout.build_shift_alert_rows(current_view(alerts, lang), lang, can_ack=can_ack)


def register_alerts(app: Dash, alerts: AlertService) -> None:
    """Register the alerts' callbacks on ``app``."""

    @app.callback(
        *WALL_ALERTS_OUTPUTS,
        Input(ids.WALL_META, "data"),
        State(ids.URL, "search"),
        State(layout.WALL_ALERTS_SHOWN, "data"),
        prevent_initial_call=True,  # the wall comes with its alerts (callbacks.pages)
    )
    def refresh_wall_alerts(_meta: Any, search: Any, shown: Any) -> tuple[Any, ...]:
        return wall_alert_outputs(alerts, _lang(search), shown)

    app.clientside_callback(
        CHIME_SCRIPT,
        Output(layout.WALL_ALERTS_SOUND, "data"),
        Input(layout.WALL_ALERTS_CHIME, "data"),
        State(ids.URL, "search"),
        State(layout.WALL_ALERTS_SOUND, "data"),
    )

    @app.callback(
        Output(layout.SHIFT_ALERTS_BODY, "children"),
        Output(layout.SHIFT_ALERTS_NOTICE, "children"),
        Input(layout.SHIFT_ALERTS_TICK, "n_intervals"),
        Input({"type": layout.ACK_BUTTON, "alert": ALL}, "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,  # the shift page comes with its rows (shift_page)
    )
    def refresh_shift_alerts(_tick: Any, _clicks: Any, search: Any) -> tuple[Any, Any]:
        lang = _lang(search)
        access = access_of(app)
        can_ack = access.role() in ("open", "supervisor")
        notice: Any = no_update
        triggered = callback_context.triggered_id
        if isinstance(triggered, dict) and triggered.get("type") == layout.ACK_BUTTON:
            clicked = [t for t in callback_context.triggered if t.get("value")]
            if not clicked:
                # New rows bring new buttons, which re-trigger this callback: redrawing them
                # again would loop for ever (the page froze). Only a real click acts.
                raise PreventUpdate
            alert_id = triggered.get("alert")
            if clicked and isinstance(alert_id, int) and not isinstance(alert_id, bool):
                if not can_ack:
                    notice = text(lang, "alert.ack_forbidden")
                else:
                    who = access.viewer_name() or text(lang, "role.supervisor_anonymous")
                    changed = alerts.acknowledge([alert_id], who)
                    notice = text(lang, "alert.ack_done", count=len(changed))
        return shift_alert_rows(alerts, access, lang), notice
