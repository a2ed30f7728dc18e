"""The application factory."""

from __future__ import annotations

import html as html_escape
import logging
import re
from functools import cache
from typing import Any

from dash import Dash
from flask import after_this_request, has_request_context, request

from callbacks import register_callbacks
from dashboard.alerts.web import install_alerts
from dashboard.api import register_api
from dashboard.auth import install_access
from dashboard.callback_guard import MAX_CALLBACK_BODY, install_callback_guard
from dashboard.export import register_export
from dashboard.i18n import normalise_language, text
from dashboard.intelligence.night import in_night_shift, night_on
from dashboard.intelligence.screens import install_screens
from dashboard.public.routes import register_public
from dashboard.routes import Prerender, is_light_page, normalise_path, page_of
from dashboard.scheduler import start_background_jobs
from dashboard.service import SnapshotService
from dashboard.settings import PROJECT_ROOT, Settings, load_settings
from dashboard.shifts import utc_now
from dashboard.store import make_service
from dashboard.web_perf import install_web_perf
from layouts.prerender import ROOT_CLASS, deferred_scripts, prerender_script, to_html
from layouts.theme import THEME_STYLESHEETS, normalise_theme, palettes
from layouts.wall import FIT_SCRIPT, build_shell

log = logging.getLogger(__name__)

# Dash walks assets/ and loads every CSS file; the themes are linked explicitly instead.
ASSETS_IGNORE = r"^(darkly|flatly)\.min\.css$"
POLYFILL = "/deps/polyfill@"  # @babel/polyfill, which Dash loads for old browsers
PRELOADED_WEIGHT = 400  # Be Vietnam Pro's weight of body text
ICONS_CSS = PROJECT_ROOT / "assets" / "vendor" / "bootstrap-icons" / "bootstrap-icons.min.css"


@cache
def _icon_font_file() -> str:
    """The icon font's URL as its stylesheet names it (with its version query)."""
    found = re.search(r'url\("(fonts/bootstrap-icons\.woff2[^"]*)"\)', ICONS_CSS.read_text("utf-8"))
    return f"vendor/bootstrap-icons/{found.group(1)}" if found else ""


def icon_font_url(app: Dash) -> str:
    """The URL the icon stylesheet loads its font from (preloaded with the page)."""
    return app.get_asset_url(_icon_font_file())


class BoardDash(Dash):
    """Dash whose page carries the theme, language and title asked for in its URL.

    The Bootswatch theme (vendored, never a CDN) is linked in the head before
    the app's own CSS, from ``?theme=``; ``<html lang>`` and the title follow ``?lang=``.
    A prerendered page's index also carries the page itself (:meth:`_prerendered`).
    """

    prerender: Prerender | None = None  # set by create_app

    def _generate_scripts_html(self) -> str:
        """Dash's script tags without Babel's polyfill (33 kB compressed, about 100 ms of main
        thread): every browser the board supports has what it adds (the pages are checked
        without it in ``tests/browser``)."""
        tags = super()._generate_scripts_html().split("\n")
        return "\n".join(tag for tag in tags if POLYFILL not in tag)

    def _font_preloads(self) -> str:
        """The icons and the body text's font asked for with the page, not when the first
        text needs them: the icons are invisible until their font is there. Not every
        weight: on a phone over 4G the fonts then held up the stylesheets (first paint
        1.5 s → 3.4 s under Lighthouse's mobile preset)."""
        files = [
            f"vendor/be-vietnam-pro/files/be-vietnam-pro-{subset}-{PRELOADED_WEIGHT}-normal.woff2"
            for subset in ("latin", "vietnamese")
        ]
        urls = [self.get_asset_url(name) for name in files] + [icon_font_url(self)]
        return "".join(
            f'<link rel="preload" href="{html_escape.escape(url)}" as="font" type="font/woff2"'
            " crossorigin>\n"
            for url in urls
        )

    def interpolate_index(self, **kwargs: Any) -> str:  # type: ignore[override]  # Dash passes keywords
        args = request.args if has_request_context() else {}
        path = request.path if has_request_context() else "/"
        theme = normalise_theme(args.get("theme"))
        if is_light_page(path):
            theme = "light"  # the desk views: read at a desk and printed (Flatly)
        lang = normalise_language(args.get("lang"))
        href = html_escape.escape(self.get_asset_url(THEME_STYLESHEETS[theme]))
        kwargs["css"] = (
            f'<link rel="stylesheet" href="{href}">\n'
            + self._font_preloads()
            + kwargs.get("css", "")
        )
        declared = page_of(path)
        title_key = declared.title_key if declared is not None else "app.title"
        if declared is not None and declared.chunks:
            suites = f"{self.config.requests_pathname_prefix}_dash-component-suites/dash/"
            # Deferred: they load beside Dash's bundles and run before the layout comes back,
            # without holding up the renderer's first requests.
            chunks = [f'<script defer src="{suites}{chunk}"></script>' for chunk in declared.chunks]
            kwargs["scripts"] = kwargs.get("scripts", "") + "\n" + "\n".join(chunks)
        kwargs["title"] = html_escape.escape(text(lang, title_key))
        # The page itself only (not its sub-paths), and not behind a path prefix (the layout
        # request's Referer would then name another path than the index).
        if (
            declared is not None
            and declared.prerender is not None
            and declared.path == normalise_path(path)
            and self.config.requests_pathname_prefix == "/"
            and has_request_context()
        ):
            kwargs.update(self._prerendered(declared.prerender, path, kwargs))
        night = ""
        if declared is not None and declared.canvas:  # scaled before the first paint
            kwargs["app_entry"] = FIT_SCRIPT + kwargs.get("app_entry", "")
            night = ' class="wall-night"' if self._night(args.get("night")) else ""
        page = super().interpolate_index(**kwargs)
        bs_theme = "dark" if theme == "dark" else "light"
        opening = f'<html lang="{lang}" data-bs-theme="{bs_theme}"{night}>'
        return page.replace("<html>", opening, 1)

    def _night(self, mode: str | None) -> bool:
        """Whether the wall opens dimmed (``?night=``, else by the shift): its first paint as
        assets/intelligence.js keeps it from Dash's first refresh on."""
        service = self.server.config.get("HOTLINE_SERVICE")
        if service is None:
            return False
        night_shift = in_night_shift(service.calendar, utc_now(), service.settings.night_shifts)
        return night_on(mode or "auto", night_shift)

    def _prerendered(self, until: str, path: str, kwargs: dict[str, Any]) -> dict[str, str]:
        """The page as HTML before Dash's root, and Dash's scripts after its first paint.

        Nothing changes when the viewer may not see the page, or when building it fails
        (logged): the index never fails for its copy.
        """
        if self.prerender is None:
            return {}
        query = request.query_string.decode("utf-8", "replace")
        try:
            layout = self.prerender(path, f"?{query}" if query else "")
            if layout is None:
                return {}
            copy = f'<div class="{ROOT_CLASS}">{to_html(layout)}</div>'
            deferred = deferred_scripts(kwargs.get("scripts", ""), kwargs.get("renderer", ""))
        except Exception:  # the copy is an extra: Dash's own page still comes
            log.exception("the HTML copy of %s could not be built", path)
            return {}
        # The script after Dash's root, which it watches.
        changed = {"app_entry": copy + kwargs.get("app_entry", "") + prerender_script(until)}
        if deferred is not None:
            changed["scripts"], changed["renderer"] = deferred
        # The index now carries numbers: asked again each time, never shown from a cache.
        after_this_request(_no_cache)
        return changed


def _no_cache(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-cache"
    return response


def _security_headers(response: Any) -> Any:
    """No framing by other sites (clickjacking of the login), no MIME sniffing, no referrer
    to other sites (same-origin: the page's own layout request names the page it renders)."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def create_app(
    settings: Settings | None = None,
    *,
    service: SnapshotService | None = None,
    start_jobs: bool = True,
) -> Dash:
    """Build the Dash app, its API, its snapshot service and its scheduled jobs."""
    settings = settings or load_settings()
    logging.basicConfig(level=settings.log_level)
    palettes()  # the themes' colours (assets/wall.css): a broken palette stops the start here
    # APScheduler logs every run of every job at INFO: a line every few seconds.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    service = service or make_service(settings)
    app = BoardDash(
        __name__,
        title=text("vi", "app.title"),
        # No "Updating..." title flicker on every refresh.
        update_title=None,  # type: ignore[arg-type]  # Dash documents None: no title change
        assets_folder=str(PROJECT_ROOT / "assets"),
        assets_ignore=ASSETS_IGNORE,
        serve_locally=True,
        suppress_callback_exceptions=True,
        external_stylesheets=[],
        meta_tags=[{"name": "color-scheme", "content": "dark light"}],
        # Callbacks are reached only through the guarded endpoint (no MCP server).
        enable_mcp=False,
    )
    app.server.config["HOTLINE_SERVICE"] = service
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_CALLBACK_BODY
    # Login and roles first: refuses to start beyond loopback without login (SettingsError).
    access = install_access(app, settings)
    # Then the shape of callback requests (after the role check: 401/403 come first).
    install_callback_guard(app)
    app.server.after_request(_security_headers)
    install_web_perf(app)  # compression, cache lifetimes, 404 for unknown files
    register_api(app.server, service)
    register_export(app.server, service)
    register_public(app.server, service, settings)  # /tra-cuu, /track, /open311/v2/
    # A location and a page container: the router fills it with the page of dashboard.routes.
    app.layout = build_shell()  # replaced by the router's first layout (callbacks/router.py)
    screens = install_screens(app.server.config, settings)  # the wall screens' heartbeats
    alerts = install_alerts(app, settings, service, screens, start_jobs=start_jobs)
    presenter, app.prerender = register_callbacks(app, service, access, alerts)
    app.server.config["HOTLINE_WALL"] = presenter
    if start_jobs:
        start_background_jobs(app, settings, service)
    return app
