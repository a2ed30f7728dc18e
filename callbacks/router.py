"""The router: fills the page container from the URL (``/`` is the wall).

Other pages (``/shift``, ``/overview``) are added to ``pages`` by their own
``register`` functions; a page is a function of the query string.

First numbers in one round trip: the layout Dash fetches (``/_dash-layout``) is the page
itself, rendered for the address the browser is on (the request's same-origin ``Referer``),
with the location already set, so no routing callback runs before the first number.
Without a usable ``Referer`` (or without the right to see the page) the layout is the
empty shell and the routing callback fills it as before; it also serves every later
navigation inside the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from dash import Dash, Input, Output
from flask import has_request_context, request

from callbacks.kiosk import options_from_search
from dashboard import ids
from dashboard.auth import access_of, path_area
from layouts.wall import build_not_found, build_shell

Page = Callable[[str], Any]


def normalise_path(pathname: str | None) -> str:
    """``/`` for empty paths; no trailing slash otherwise."""
    if not pathname or pathname == "/":
        return "/"
    return "/" + pathname.strip("/")


def requested_location() -> tuple[str, str] | None:
    """The path and query string of the page that asks for the layout (same origin only)."""
    if not has_request_context() or not request.referrer:
        return None
    parts = urlsplit(request.referrer[:4000])
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return parts.path or "/", f"?{parts.query}" if parts.query else ""


def register(app: Dash, pages: dict[str, Page], shift_count: int) -> None:
    """Register the routing callback on ``app``, and the layout that renders the first page."""

    def render(pathname: str | None, search: str | None) -> Any:
        # A forged request may send anything; only text is a path or a query string.
        pathname = pathname if isinstance(pathname, str) else "/"
        search = search if isinstance(search, str) else ""
        page = pages.get(normalise_path(pathname))
        if page is None:
            return build_not_found(options_from_search(search, shift_count).lang)
        return page(search or "")

    def first_layout() -> Any:
        location = requested_location()
        if location is None:
            return build_shell()
        pathname, search = location
        area = path_area(normalise_path(pathname)) or "wall"
        if not access_of(app).allows(area):
            return build_shell()  # the routing callback answers (and refuses) as before
        return build_shell(pathname, search, render(pathname, search))

    app.layout = first_layout

    @app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        # The first page comes with the layout; the location's mount then sets pathname
        # only when the layout did not (the empty shell), which calls this.
        prevent_initial_call=True,
    )
    def route(pathname: str | None, search: str | None) -> Any:
        return render(pathname, search)
