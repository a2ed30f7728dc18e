"""The router: fills the page container from the URL, with the page declared at its path."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from dash import Dash, Input, Output

from callbacks.kiosk import options_from_search
from callbacks.pages import Builder
from callbacks.views import Board
from dashboard import ids, routes
from dashboard.routes import find_page, normalise_path
from layouts.wall import build_not_found

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


def register(app: Dash, board: Board, builders: Mapping[str, Builder]) -> None:
    """Register the routing callback on ``app``."""
    check_builders(builders)
    app.callback(
        Output(ids.PAGE, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search")
    )(partial(route, board, builders))
