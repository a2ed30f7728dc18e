"""The alerts' web routes and their installation on the app.

``GET /api/alerts`` the active alerts as JSON; ``/alerts`` the history with filters (rule,
state, agency, period) and ``/alerts.csv``; ``/alerts/ack/<token>`` acknowledges from the
signed, expiring link of a message (a confirmation page, then a POST: a mail scanner that
opens links does not acknowledge anything).
"""

from __future__ import annotations

import atexit
import csv
import html
import io
import logging
import os
import secrets
import threading
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from dash import Dash
from flask import Blueprint, Response, jsonify, request

from dashboard.alerts.links import AckLinks, LinkError
from dashboard.alerts.notify import NotifyError, load_notify
from dashboard.alerts.providers import install_providers
from dashboard.alerts.rules import KNOWN_RULES, RulesError, load_rules
from dashboard.alerts.service import AlertService
from dashboard.auth import access_of
from dashboard.i18n import text
from dashboard.intelligence.screens import ScreenRegistry
from dashboard.service import SnapshotService
from dashboard.settings import PROJECT_ROOT, Settings, SettingsError, env_name
from dashboard.store import SharedSnapshotService
from data_access.alert_store import AlertRecord, make_alert_engine
from data_access.board_tables import ALERT_STATES

log = logging.getLogger(__name__)

KEY_FILE = PROJECT_ROOT / "var" / "alert-link.key"
HISTORY_LIMIT = 1000
CSV_LIMIT = 100_000


def alert_json(alert: AlertRecord) -> dict[str, Any]:
    """The API form of an alert (codes only)."""
    return {
        "id": alert.id,
        "rule": alert.rule,
        "state": alert.state,
        "since": alert.since.isoformat(),
        "tickets": list(alert.tickets),
        "agency": alert.agency,
        "urgency": alert.urgency,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "escalated": alert.escalated,
    }


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _secret(settings: Settings, app: Dash) -> str:
    """The key of the acknowledge links: the board's secret, else a key file of its own."""
    if settings.secret_key:
        return settings.secret_key
    access = access_of(app)
    if access.enabled and access.data().secret_key:
        return str(access.data().secret_key)
    path = Path(KEY_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        try:
            # Exclusive creation: workers starting together all end up with the first key.
            with open(path, "x", encoding="utf-8", opener=_private) as handle:
                handle.write(key)
            return key
        except FileExistsError:
            for _ in range(50):
                existing = path.read_text(encoding="utf-8").strip()
                if existing:
                    return existing
                time.sleep(0.02)  # another worker is writing it
            raise OSError("empty key file") from None
    except OSError as exc:
        log.warning("no alert link key file (%s): links last until restart", exc.strerror)
        return secrets.token_urlsafe(32)


def build_alert_service(app: Dash, settings: Settings, service: SnapshotService) -> AlertService:
    """Load and check the rules and the notify file (a clear start-up error), build the service."""
    try:
        rules = load_rules(settings.alert_rules_file)
    except RulesError as exc:
        raise SettingsError(f"{env_name('alert_rules_file')}: {exc}") from None
    try:
        notify = load_notify(settings.notify_file)
    except NotifyError as exc:
        raise SettingsError(f"{env_name('notify_file')}: {exc}") from None
    engine = make_alert_engine(
        settings.alerts_database_url or settings.database_url, settings.statement_timeout_ms
    )
    links = AckLinks(_secret(settings, app), settings.alert_ack_link_hours)
    if isinstance(service, SharedSnapshotService):
        store = service.store
        return AlertService(
            settings,
            service,
            rules,
            notify,
            engine,
            links,
            is_leader=store.is_leader,
            owner=lambda: store.owner,
        )
    return AlertService(settings, service, rules, notify, engine, links)


def install_alerts(
    app: Dash,
    settings: Settings,
    service: SnapshotService,
    screens: ScreenRegistry,
    *,
    start_jobs: bool = True,
) -> AlertService:
    """The alert service, its providers, its routes and (when jobs run) its evaluation and
    delivery jobs."""
    alerts = build_alert_service(app, settings, service)
    # The wall's surges and the silent screens become alerts through the same lifecycle.
    install_providers(alerts, service, screens)
    app.server.config["HOTLINE_ALERTS"] = alerts
    register_alert_routes(app, alerts)
    if start_jobs and settings.alerts_enabled:
        # Kept on the server so that whoever stops the app (a test) can stop the loop too.
        app.server.config["HOTLINE_ALERT_JOBS"] = start_alert_jobs(settings, alerts)
    return alerts


class AlertJobs:
    """A thread that ticks the alert service every second (lease holder only).

    A plain loop rather than a scheduler job: an evaluation longer than a second (a large
    backlog) simply delays the next tick instead of logging a skipped run every second.
    """

    def __init__(self, alerts: AlertService, period: float = 1.0) -> None:
        self.alerts = alerts
        self.period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)

    @property
    def running(self) -> bool:
        """Whether the loop runs."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Start ticking."""
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                self.alerts.tick()
            except Exception as exc:  # noqa: BLE001 - the loop must survive anything
                log.error("alert tick failed: %s", exc.__class__.__name__)

    def shutdown(self, wait: bool = False) -> None:
        """Stop ticking (and wait for the current tick when asked)."""
        self._stop.set()
        if wait and self.running and threading.current_thread() is not self._thread:
            self._thread.join(timeout=30)


def start_alert_jobs(settings: Settings, alerts: AlertService) -> AlertJobs:
    """Tick every second (lease holder only): evaluate after each snapshot, deliver, retry."""
    jobs = AlertJobs(alerts)
    jobs.start()

    def stop() -> None:
        jobs.shutdown(wait=False)
        alerts.close()

    atexit.register(stop)
    return jobs


# --- pages ---------------------------------------------------------------------------------
def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "vi"


def _page(lang: str, title: str, body: str, status: int = 200) -> Response:
    page = f"""<!doctype html>
<html lang="{lang}" data-bs-theme="light"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="/assets/favicon.ico">
<link rel="stylesheet" href="/assets/vendor/themes/flatly.min.css">
<link rel="stylesheet" href="/assets/vendor/be-vietnam-pro/be-vietnam-pro.css">
</head><body class="hv-alerts"><main class="container-fluid py-3">
<h1 class="h3 mb-3">{html.escape(title)}</h1>
{body}
</main></body></html>"""
    return Response(page, status=status, mimetype="text/html")


def _notice(tone: str, message: str) -> str:
    return f'<div class="alert alert-{tone}" role="alert">{html.escape(message)}</div>'


class FilterError(ValueError):
    """A bad filter parameter of /alerts."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_history_filters(args: Any, settings: Settings) -> dict[str, Any]:
    """The filters of /alerts from its query string (FilterError for a bad one)."""
    filters: dict[str, Any] = {}
    rule = (args.get("rule") or "").strip()
    if rule:
        if rule not in KNOWN_RULES:
            raise FilterError("rule", f"unknown rule {rule[:40]!r}")
        filters["rule"] = rule
    state = (args.get("state") or "").strip()
    if state:
        if state not in ALERT_STATES:
            raise FilterError("state", f"unknown state {state[:40]!r}")
        filters["state"] = state
    for name in ("agency", "ticket"):
        value = (args.get(name) or "").strip()
        if value:
            if len(value) > 60 or not all(c.isalnum() or c in "-_." for c in value):
                raise FilterError(name, f"not a valid {name} code")
            filters[name] = value
    for name, key in (("from", "start"), ("to", "end")):
        value = (args.get(name) or "").strip()
        if value:
            try:
                day = date.fromisoformat(value[:10])
            except ValueError:
                raise FilterError(name, "a date is YYYY-MM-DD") from None
            local = datetime(day.year, day.month, day.day, tzinfo=settings.zone)
            filters[key] = local + (timedelta(days=1) if key == "end" else timedelta(0))
    return filters


def _row_cells(alert: AlertRecord, lang: str, settings: Settings) -> list[str]:
    def clock(value: datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")

    ack = ""
    if alert.acknowledged_by:
        ack = f"{alert.acknowledged_by} · {clock(alert.acknowledged_at)}"
    return [
        clock(alert.since),
        text(lang, f"alert.rule.{alert.rule}"),
        text(lang, f"alert.state.{alert.state}") + (" ⚑" if alert.escalated else ""),
        alert.agency or "",
        ", ".join(alert.tickets),
        "" if alert.urgency is None else str(alert.urgency),
        ack,
        clock(alert.resolved_at),
    ]


COLUMNS = ("since", "rule", "state", "agency", "tickets", "level", "ack", "resolved")


def history_page(alerts: AlertService, lang: str, filters: dict[str, Any]) -> str:
    """The body of /alerts: the filter form and the table."""
    settings = alerts.settings
    args = request.args

    def options(name: str, values: Sequence[str], label: str) -> str:
        chosen = args.get(name, "")
        items = [f'<option value="">{html.escape(text(lang, "alert.all"))}</option>']
        for value in values:
            shown = text(lang, f"alert.{label}.{value}")
            selected = " selected" if value == chosen else ""
            items.append(f'<option value="{value}"{selected}>{html.escape(shown)}</option>')
        return (
            f'<label class="form-label me-2">{html.escape(text(lang, f"alert.col.{name}"))}'
            f'<select class="form-select" name="{name}">{"".join(items)}</select></label>'
        )

    def field(name: str, label: str, kind: str = "text") -> str:
        value = html.escape(args.get(name, "")[:60])
        return (
            f'<label class="form-label me-2">{html.escape(label)}'
            f'<input class="form-control" type="{kind}" name="{name}" value="{value}"></label>'
        )

    form = (
        '<form class="d-flex flex-wrap align-items-end gap-2 mb-3" method="get" action="/alerts">'
        + options("rule", KNOWN_RULES, "rule")
        + options("state", ALERT_STATES, "state")
        + field("agency", text(lang, "alert.col.agency"))
        + field("from", text(lang, "alert.period.from"), "date")
        + field("to", text(lang, "alert.period.to"), "date")
        + ('<input type="hidden" name="lang" value="en">' if lang == "en" else "")
        + f'<button class="btn btn-primary" type="submit">{html.escape(text(lang, "alert.filter"))}'
        "</button></form>"
    )
    query = urlencode({k: v for k, v in args.items() if k != "lang" and v})
    csv_link = (
        f'<p><a class="btn btn-outline-primary" href="/alerts.csv?{html.escape(query)}">'
        f"{html.escape(text(lang, 'alert.csv'))}</a></p>"
    )
    rows = alerts.history(**filters, limit=HISTORY_LIMIT)
    head = "".join(
        f'<th scope="col">{html.escape(text(lang, f"alert.col.{c}"))}</th>' for c in COLUMNS
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(cell)}</td>" for cell in _row_cells(a, lang, settings))
        + "</tr>"
        for a in rows
    )
    if not rows:
        body = f'<tr><td colspan="{len(COLUMNS)}">{html.escape(text(lang, "alert.none"))}</td></tr>'
    # On a phone the table scrolls inside its box, never the page (a region a keyboard can
    # scroll: focusable and named).
    label = html.escape(text(lang, "alert.history"), quote=True)
    table = (
        f'<div class="table-responsive" tabindex="0" role="region" aria-label="{label}">'
        '<table class="table table-sm table-striped" id="alerts-history">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
    return form + csv_link + table


CSV_HEADER = (
    "id",
    "rule",
    "state",
    "since",
    "tickets",
    "agency",
    "urgency",
    "escalated",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_at",
)


def _csv_row(alert: AlertRecord) -> list[Any]:
    """One line of /alerts.csv, in the order of ``CSV_HEADER``."""
    return [
        alert.id,
        alert.rule,
        alert.state,
        alert.since.isoformat(),
        " ".join(alert.tickets),
        alert.agency or "",
        alert.urgency or "",
        "1" if alert.escalated else "0",
        alert.acknowledged_by or "",
        alert.acknowledged_at.isoformat() if alert.acknowledged_at else "",
        alert.resolved_at.isoformat() if alert.resolved_at else "",
    ]


def api_alerts_view(alerts: AlertService) -> Response:
    """``GET /api/alerts``: the active alerts."""
    active = alerts.active()
    return jsonify(
        {
            "alerts": [alert_json(a) for a in active],
            "count": len(active),
            # true when the alert tables could not be read: the list is the last known
            "stale": alerts.read_failed,
        }
    )


def history_view(alerts: AlertService) -> Response:
    """``GET /alerts``: the history page (400 with a notice for a bad filter)."""
    lang = _lang()
    try:
        filters = parse_history_filters(request.args, alerts.settings)
    except FilterError as exc:
        body = _notice("warning", f"{exc.field}: {exc}")
        return _page(lang, text(lang, "alert.history"), body, 400)
    return _page(lang, text(lang, "alert.history"), history_page(alerts, lang, filters))


def history_csv_view(alerts: AlertService) -> Response:
    """``GET /alerts.csv``: the filtered history as CSV (400 as JSON for a bad filter)."""
    try:
        filters = parse_history_filters(request.args, alerts.settings)
    except FilterError as exc:
        response = jsonify({"error": str(exc), "field": exc.field})
        response.status_code = 400
        return response
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for alert in alerts.history(**filters, limit=CSV_LIMIT):
        writer.writerow(_csv_row(alert))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=alerts.csv"},
    )


def _ack_form(lang: str, listed: Sequence[AlertRecord]) -> str:
    """The confirmation page's body: the alerts of the link and the form that acknowledges."""
    items = "".join(
        "<li>"
        + html.escape(
            f"{text(lang, f'alert.rule.{a.rule}')}: {', '.join(a.tickets)} · "
            + text(lang, f"alert.state.{a.state}")
        )
        + "</li>"
        for a in listed
    )
    return (
        f"<ul>{items}</ul>"
        '<form method="post"><label class="form-label">'
        f"{html.escape(text(lang, 'alert.ack_name'))}"
        '<input class="form-control" name="name" maxlength="80"></label> '
        f'<button class="btn btn-primary" type="submit">'
        f"{html.escape(text(lang, 'alert.ack_confirm', count=len(listed)))}</button></form>"
    )


def ack_view(alerts: AlertService, token: str) -> Response:
    """``/alerts/ack/<token>``: GET confirms what the link acknowledges, POST does it."""
    lang = _lang()
    title = text(lang, "alert.ack_page")
    try:
        claim = alerts.links.check(token)
    except LinkError:
        body = _notice("danger", text(lang, "alert.ack_invalid"))
        return _page(lang, title, body, 403)
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:80]
        who = name or claim.audience
        changed = alerts.acknowledge(claim.alert_ids, f"{who} ({claim.audience})"[:120])
        body = _notice("success", text(lang, "alert.ack_done", count=len(changed)))
        return _page(lang, title, body)
    return _page(lang, title, _ack_form(lang, alerts.alerts(claim.alert_ids)))


def register_alert_routes(app: Dash, alerts: AlertService) -> None:
    """Attach /api/alerts, /alerts, /alerts.csv and /alerts/ack/<token> to the server.

    Who may open them is declared in ``dashboard.routes.ROUTES`` and checked by the board's
    one guard (``dashboard.auth.guard``): the history is the shift area's, the ack link open.
    """
    bp = Blueprint("alerts", __name__)
    bp.add_url_rule("/api/alerts", "api_alerts", partial(api_alerts_view, alerts))
    bp.add_url_rule("/alerts", "history", partial(history_view, alerts))
    bp.add_url_rule("/alerts.csv", "history_csv", partial(history_csv_view, alerts))
    bp.add_url_rule(
        "/alerts/ack/<token>", "ack", partial(ack_view, alerts), methods=["GET", "POST"]
    )
    app.server.register_blueprint(bp)
