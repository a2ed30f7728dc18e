"""Registers the public endpoints (no login) with their rate limits, in one block."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address

from dashboard.i18n import normalise_language, text
from dashboard.public.open311 import make_open311_blueprint, render_error
from dashboard.public.service import PublicStatusService
from dashboard.public.tracking import make_tracking_blueprint
from dashboard.service import SnapshotService
from dashboard.settings import Settings

KEY_PREFIX = "hotline-public"


def limiter_storage(settings: Settings) -> str:
    """Redis when ``REDIS_URL`` is set (counts shared by every process), memory otherwise."""
    if not settings.redis_url:
        return "memory://"
    parts = urlsplit(settings.redis_url)
    # The board's own options in the query (?prefix=...) mean nothing to the limiter's client.
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _retry_after(limit: RequestLimit) -> int:
    return max(1, int(limit.reset_at - time.time()))


def register_public(server: Flask, service: SnapshotService, settings: Settings) -> Limiter:
    """The citizens' page and Open311 on the board's read-only engine, rate-limited."""
    public = PublicStatusService(service.engine)
    zone = settings.zone
    limiter = Limiter(
        get_remote_address,
        app=server,
        storage_uri=limiter_storage(settings),
        headers_enabled=True,
        key_prefix=KEY_PREFIX,
        strategy="fixed-window",
        # A Redis outage must not take the citizens' page down: count in memory meanwhile.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )

    def open311_breach(limit: RequestLimit) -> Response:
        fmt = "xml" if request.path.endswith(".xml") else "json"
        lang = normalise_language(request.args.get("lang"))
        seconds = _retry_after(limit)
        return render_error(fmt, 429, text(lang, "public.error.rate_limited", seconds=seconds))

    def page_breach(limit: RequestLimit) -> Response:
        lang = normalise_language(request.args.get("lang"))
        message = text(lang, "public.rate_limited", seconds=_retry_after(limit))
        body = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>1022</title></head><body><p>{message}</p></body></html>"
        )
        return Response(body, status=429, mimetype="text/html")

    open311 = make_open311_blueprint(public, zone)
    limiter.shared_limit(settings.georeport_rate_limit, scope="open311", on_breach=open311_breach)(
        open311
    )
    tracking = make_tracking_blueprint(public, zone)
    limiter.shared_limit(settings.public_rate_limit, scope="tracking", on_breach=page_breach)(
        tracking
    )
    server.register_blueprint(open311)
    server.register_blueprint(tracking)
    server.config["HOTLINE_PUBLIC"] = public
    return limiter
