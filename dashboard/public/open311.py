"""Open311 GeoReport v2, read-only, at ``/open311/v2/`` (see docs/OPEN311.md)."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError

from dashboard.i18n import normalise_language, text
from dashboard.public.present import request_record, service_record
from dashboard.public.service import DEFAULT_DAYS, PublicStatusService, is_valid_code
from dashboard.shifts import utc_now
from data_access.codes import OPEN_STATUSES
from data_access.public import CLOSED_STATUSES, MAX_LIST
from data_access.values import RequestsQuery

log = logging.getLogger(__name__)

FORMATS = ("json", "xml")
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
MAX_IDS = MAX_LIST
MAX_RANGE = timedelta(days=DEFAULT_DAYS)
STATUS_FILTERS: Mapping[str, tuple[str, ...]] = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}


class Open311Error(Exception):
    """An error answered in GeoReport's form."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


# --- rendering -----------------------------------------------------------------------------
def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml(root: str, item: str | None, records: Sequence[Mapping[str, Any]]) -> bytes:
    """``<root><item>...</item></root>`` (or the fields directly under root when item is None)."""
    top = ET.Element(root)
    for record in records:
        parent = top if item is None else ET.SubElement(top, item)
        for name, value in record.items():
            child = ET.SubElement(parent, name)
            if isinstance(value, list):  # a service definition's attributes (always empty here)
                continue
            child.text = _xml_value(value)
    body: bytes = ET.tostring(top, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(fmt: str, payload: Any, root: str, item: str | None, status: int = 200) -> Response:
    """A JSON list/object or its XML twin, UTF-8."""
    if fmt == "xml":
        records = payload if isinstance(payload, list) else [payload]
        body = _xml(root, item, records)
    else:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return render_bytes(fmt, body, status)


def render_bytes(fmt: str, body: bytes, status: int = 200) -> Response:
    """A rendered body with the headers of every Open311 answer."""
    mimetype = "text/xml" if fmt == "xml" else "application/json"
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["Content-Type"] = mimetype + "; charset=utf-8"
    # Read-only public data: other sites' Open311 apps may read it from a browser.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store" if status >= 400 else "public, max-age=5"
    return response


def render_error(fmt: str, code: int, description: str) -> Response:
    """GeoReport's error form: ``[{"code": 404, "description": "..."}]`` / ``<errors>``."""
    return render(fmt, [{"code": code, "description": description}], "errors", "error", code)


# --- parsing -------------------------------------------------------------------------------
def parse_w3c(value: str, zone: ZoneInfo) -> datetime:
    """A W3C datetime (``2026-12-01T00:00:00Z``, ``...+07:00``, a date); local when no zone."""
    cleaned = value.strip()
    if not cleaned or len(cleaned) > 40:
        raise ValueError("empty or too long")
    if cleaned[-1] in "zZ":
        cleaned = cleaned[:-1] + "+00:00"
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_requests(args: Mapping[str, str], zone: ZoneInfo, now: datetime) -> RequestsQuery:
    """Check the ``requests`` filters; Open311Error(400) names the bad one."""

    def bad(name: str) -> Open311Error:
        return Open311Error(400, f"invalid {name}")

    ids = args.get("service_request_id")
    if ids is not None:
        codes = _comma_list(ids)
        if not codes or len(codes) > MAX_IDS or not all(is_valid_code(c) for c in codes):
            raise bad("service_request_id")
        start, end = now - MAX_RANGE, now
        return RequestsQuery(start=start, end=end, codes=tuple(dict.fromkeys(codes)))
    try:
        given_start = parse_w3c(args["start_date"], zone) if "start_date" in args else None
    except ValueError:
        raise bad("start_date") from None
    try:
        given_end = parse_w3c(args["end_date"], zone) if "end_date" in args else None
    except ValueError:
        raise bad("end_date") from None
    # Without both: 90 days ending at the one given (or now), or starting at start_date.
    if given_start is not None:
        start = given_start
        end = given_end if given_end is not None else min(start + MAX_RANGE, max(start, now))
    else:
        end = given_end if given_end is not None else now
        start = end - MAX_RANGE
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_RANGE:
        raise Open311Error(
            400, f"start_date and end_date may not span more than {DEFAULT_DAYS} days"
        )
    service_codes = None
    if "service_code" in args:
        listed = _comma_list(args["service_code"])
        if not listed or len(listed) > 100 or not all(is_valid_code(c) for c in listed):
            raise bad("service_code")
        service_codes = frozenset(listed)
    statuses = None
    if "status" in args:
        wanted = _comma_list(args["status"].lower())
        if not wanted or any(w not in STATUS_FILTERS for w in wanted):
            raise bad("status (open or closed)")
        statuses = tuple(s for w in dict.fromkeys(wanted) for s in STATUS_FILTERS[w])
    return RequestsQuery(start=start, end=end, service_codes=service_codes, statuses=statuses)


# --- the blueprint -------------------------------------------------------------------------
def make_open311_blueprint(
    public: PublicStatusService, zone: ZoneInfo, now: Callable[[], datetime] = utc_now
) -> Blueprint:
    """The GeoReport v2 endpoints; every other path or method answers in the error form.

    Long because the routes are closures over ``public``, ``zone`` and ``now`` that share
    ``answer``'s checks and error forms; the whole API reads in one place, route by route.
    """
    bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

    def lang() -> str:
        return normalise_language(request.args.get("lang"))

    def answer(fmt: str, build: Callable[[], Response]) -> Response:
        if fmt not in FORMATS:
            return render_error("json", 404, text(lang(), "public.error.format"))
        if request.method not in ("GET", "HEAD"):
            response = render_error(fmt, 405, text(lang(), "public.error.read_only"))
            response.headers["Allow"] = "GET, HEAD"
            return response
        try:
            return build()
        except Open311Error as error:
            return render_error(fmt, error.code, error.description)
        except SQLAlchemyError as exc:
            log.error("open311: database error %s", exc.__class__.__name__)
            return render_error(fmt, 503, text(lang(), "public.error.unavailable"))

    @bp.route("/services.<fmt>", methods=ALL_METHODS)
    def services(fmt: str) -> Response:
        def build() -> Response:
            reference = public.reference()
            records = [service_record(c, lang()) for c in reference.categories if c.public]
            return render(fmt, records, "services", "service")

        return answer(fmt, build)

    @bp.route("/services/<service_code>.<fmt>", methods=ALL_METHODS)
    def service_definition(service_code: str, fmt: str) -> Response:
        def build() -> Response:
            if service_code not in public.reference().public_codes:
                raise Open311Error(404, text(lang(), "public.error.not_found"))
            record = {"service_code": service_code, "attributes": []}
            return render(fmt, record, "service_definition", None)

        return answer(fmt, build)

    @bp.route("/requests.<fmt>", methods=ALL_METHODS)
    def requests_list(fmt: str) -> Response:
        def build() -> Response:
            key = (fmt, lang(), tuple(sorted(request.args.items(multi=True))))
            cached = public.answers.get(key)
            if cached is not None:
                return render_bytes(fmt, cached)
            at = now()
            query = parse_requests(request.args, zone, at)
            reference = public.reference()
            found = public.list(query)
            language = lang()
            records = [request_record(t, reference.names, language, zone, at) for t in found]
            response = render(fmt, records, "service_requests", "request")
            public.answers.put(key, response.get_data())
            return response

        return answer(fmt, build)

    @bp.route("/requests/<service_request_id>.<fmt>", methods=ALL_METHODS)
    def request_one(service_request_id: str, fmt: str) -> Response:
        def build() -> Response:
            at = now()
            ticket = public.find(service_request_id)
            if ticket is None:
                raise Open311Error(404, text(lang(), "public.error.not_found"))
            record = request_record(ticket, public.reference().names, lang(), zone, at)
            return render(fmt, [record], "service_requests", "request")

        return answer(fmt, build)

    @bp.route("/", defaults={"rest": ""}, methods=ALL_METHODS)
    @bp.route("/<path:rest>", methods=ALL_METHODS)
    def unknown(rest: str) -> Response:
        fmt = "xml" if rest.endswith(".xml") else "json"
        return render_error(fmt, 404, text(lang(), "public.error.not_found"))

    return bp
