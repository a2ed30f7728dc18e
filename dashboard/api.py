"""The JSON API on the app's Flask server: /api/snapshot and /healthz."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from dashboard.intelligence.surges import incidents_to_json
from dashboard.params import ParameterError, parse_day, parse_filters, parse_shift
from dashboard.service import ServiceBusy, SnapshotService
from dashboard.shifts import utc_now
from data_access.queries import Filters

log = logging.getLogger(__name__)


def json_error(field: str | None, message: str, status: int = 400) -> Response:
    """The JSON error of the API and the exports: ``{"error": ..., "field": ...}``."""
    response = jsonify({"error": message, "field": field})
    response.status_code = status
    return response


def register_api(server: Flask, service: SnapshotService) -> None:
    """Attach the API routes and JSON error handlers to the Flask server."""
    api = Blueprint("api", __name__)

    @api.get("/api/snapshot")
    def snapshot():  # type: ignore[no-untyped-def]
        args = request.args
        try:
            day = parse_day(args.get("day"))
            shift, whole_day = parse_shift(args.get("shift"), len(service.calendar.shifts))
            filters = parse_filters(args)
        except ParameterError as exc:
            return json_error(exc.field, exc.message)
        try:
            if filters == Filters():
                result, stale = service.snapshot_for(day, shift, whole_day=whole_day)
            else:
                now_day, now_shift = service.calendar.locate(utc_now())
                window = service.calendar.window(
                    day or now_day, None if whole_day else (shift or now_shift)
                )
                result, stale = service.compute_on_request(window, filters), False
        except ServiceBusy:
            return json_error(None, "the board is busy; retry in a few seconds", 429)
        except Exception as exc:  # noqa: BLE001 - the database failed; say so, never zeros
            log.error("snapshot request failed: %s", exc.__class__.__name__)
            return json_error(None, "the ticket database is not answering", 503)
        document = result.to_json(stale=stale)
        # Surges at this instant (issue 13): [{category, area, count, baseline, since}].
        document["incidents"] = incidents_to_json(result.incidents, service.calendar.zone)
        response = jsonify(document)
        response.headers["Cache-Control"] = "no-store"
        return response

    @api.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        report = service.health()
        response = jsonify(report)
        response.status_code = 200 if report["database"] == "ok" else 503
        response.headers["Cache-Control"] = "no-store"
        return response

    @api.route("/api/<path:rest>")
    def unknown(rest: str):  # type: ignore[no-untyped-def]
        # Dash answers every other path with its page; an API client wants a JSON 404.
        return json_error(None, "no such API endpoint", 404)

    server.register_blueprint(api)

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/") or request.path == "/healthz":
            return json_error(None, exc.description or exc.name, exc.code or 500)
        return exc
