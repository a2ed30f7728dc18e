"""The router: fills the page container from the URL (``/`` is the wall).

Other pages (``/shift``, ``/overview``) are added to ``pages`` by their own
``register`` functions; a page is a function of the query string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output

from callbacks.kiosk import options_from_search
from dashboard import ids
from layouts.wall import build_not_found

Page = Callable[[str], Any]


def normalise_path(pathname: str | None) -> str:
    """``/`` for empty paths; no trailing slash otherwise."""
    if not pathname or pathname == "/":
        return "/"
    return "/" + pathname.strip("/")


def register(app: Dash, pages: dict[str, Page], shift_count: int) -> None:
    """Register the routing callback on ``app``."""

    @app.callback(
        Output(ids.PAGE, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search")
    )
    def route(pathname: str | None, search: str | None) -> Any:
        # A forged request may send anything; only text is a path or a query string.
        pathname = pathname if isinstance(pathname, str) else "/"
        search = search if isinstance(search, str) else ""
        page = pages.get(normalise_path(pathname))
        if page is None:
            return build_not_found(options_from_search(search, shift_count).lang)
        return page(search or "")
