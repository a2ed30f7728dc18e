"""The citizens' page ``/tra-cuu`` (alias ``/track``): a report's path by its code, no login."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from dashboard.i18n import normalise_language, text
from dashboard.public.present import track_view
from dashboard.public.service import PublicStatusService
from dashboard.shifts import utc_now

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PATHS = ("/tra-cuu", "/track")


def _offset(zone: ZoneInfo, at: datetime) -> str:
    offset = at.astimezone(zone).strftime("%z")  # +0700
    return f"{offset[:3]}:{offset[3:]}" if offset else ""


def make_tracking_blueprint(
    public: PublicStatusService, zone: ZoneInfo, now: Callable[[], datetime] = utc_now
) -> Blueprint:
    """The tracking page, server-rendered (works without JavaScript)."""
    bp = Blueprint("public_track", __name__, template_folder=str(TEMPLATES))

    def page(lang: str, code: str, status: int = 200, **context: object) -> Response:
        other = "vi" if lang == "en" else "en"
        query = {"code": code} if code else {}
        if other == "en":
            query["lang"] = "en"
        body = render_template(
            "public/track.html",
            lang=lang,
            t=lambda key, **values: text(lang, key, **values),
            code=code,
            # The link names the other language in that language (English / Tiếng Việt).
            other_name=text(other, "public.language_name"),
            other_href=request.path + ("?" + urlencode(query) if query else ""),
            zone_note=text(lang, "public.time_zone", offset=_offset(zone, now())),
            **context,
        )
        response = Response(body, status=status, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    def track() -> Response:
        lang = normalise_language(request.args.get("lang"))
        code = request.args.get("code", "").strip()[:60]
        if not code:
            return page(lang, "")
        try:
            ticket = public.find(code)
            names = public.reference().names if ticket is not None else {}
        except SQLAlchemyError as exc:
            log.error("tracking: database error %s", exc.__class__.__name__)
            return page(lang, code, 503, unavailable=True)
        if ticket is None:
            return page(lang, code, 404, not_found=True)
        view = track_view(ticket, names, lang, zone, now())
        return page(lang, code, result=view)

    for path in PATHS:
        bp.add_url_rule(path, endpoint=path.strip("/").replace("-", "_"), view_func=track)
    return bp
