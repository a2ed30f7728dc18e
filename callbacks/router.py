"""The router: fills the page container from the URL, with the page declared at its path.

First numbers in one round trip: the layout Dash fetches (``/_dash-layout``) is the page
itself, rendered for the address the browser is on (the request's same-origin ``Referer``),
with the location already set, so no routing callback runs before the first number.
Without a usable ``Referer`` (or without the right to see the page) the layout is the
empty shell and the routing callback fills it as before; it also serves every later
navigation inside the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from dash import Dash, Input, Output
from flask import has_request_context, request

from callbacks.kiosk import options_from_search
from callbacks.pages import Builder
from callbacks.views import Board
from dashboard import ids, routes
from dashboard.routes import find_page, normalise_path, path_area
from layouts.wall import build_not_found, build_shell

__all__ = ["check_builders", "normalise_path", "register", "route"]


def check_builders(builders: Mapping[str, Builder]) -> None:
    """Refuse to start when a declared page has no builder, or a builder no page."""
    declared = {page.path for page in routes.PAGES}
    if declared != set(builders):
        missing = sorted(declared - set(builders))
        unknown = sorted(set(builders) - declared)
        raise RuntimeError(f"pages without a builder: {missing}; builders, no page: {unknown}")


def route(board: Board, builders: Mapping[str, Builder], pathname: Any, search: Any) -> Any:
    """The page at ``pathname`` for ``search``, or the not-found page."""
    # A forged request may send anything; only text is a path or a query string.
    pathname = pathname if isinstance(pathname, str) else "/"
    search = search if isinstance(search, str) else ""
    page = find_page(pathname)
    if page is None:
        shift_count = len(board.service.calendar.shifts)
        return build_not_found(options_from_search(search, shift_count).lang)
    return builders[page.path](board, search or "")


def requested_location() -> tuple[str, str] | None:
    """The path and query string of the page that asks for the layout (same origin only)."""
    if not has_request_context() or not request.referrer:
        return None
    parts = urlsplit(request.referrer[:4000])
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return parts.path or "/", f"?{parts.query}" if parts.query else ""


def first_layout(board: Board, builders: Mapping[str, Builder]) -> Any:
    """The app's layout: the page asked for, filled with its numbers (else the empty shell)."""
    location = requested_location()
    if location is None:
        return build_shell()
    pathname, search = location
    area = path_area(normalise_path(pathname)) or "wall"
    if not board.access.allows(area):
        return build_shell()  # the routing callback answers (and refuses) as before
    return build_shell(pathname, search, route(board, builders, pathname, search))


def register(app: Dash, board: Board, builders: Mapping[str, Builder]) -> None:
    """Register the routing callback and the first layout on ``app``."""
    check_builders(builders)
    app.layout = partial(first_layout, board, builders)
    app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        # The first page comes with the layout; the location's mount then sets pathname
        # only when the layout did not (the empty shell), which calls this.
        prevent_initial_call=True,
    )(partial(route, board, builders))
