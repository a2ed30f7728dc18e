"""The router: fills the page container from the URL, with the page declared at its path.

First numbers in one round trip: the layout Dash fetches (``/_dash-layout``) is the page
itself, rendered for the address the browser is on (the request's same-origin ``Referer``),
with the location already set, so no routing callback runs before the first number.
Without a usable ``Referer`` (or without the right to see the page) the layout is the
empty shell and the routing callback fills it as before; it also serves every later
navigation inside the app.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from dash import Dash, Input, Output
from flask import has_request_context, request
from flask_login import current_user

from callbacks.kiosk import options_from_search
from callbacks.pages import Builder
from callbacks.views import Board
from dashboard import ids, routes
from dashboard.routes import Prerender, find_page, normalise_path, path_area
from layouts.wall import build_not_found, build_shell

__all__ = ["Handover", "Prerender", "check_builders", "normalise_path", "register", "route"]


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


class Handover:
    """Layouts built for a page's index, handed once to the same viewer's layout request.

    A prerendered page is built for its index (its HTML copy) and Dash asks for the same
    layout a moment later: the second request takes the first's instead of computing the
    page again (and shows the very numbers of the copy). Taken once, kept ``seconds`` at
    most, ``size`` at most; another process simply builds the page again.
    """

    def __init__(
        self, seconds: float = 10.0, size: int = 32, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._lock = threading.Lock()
        self._layouts: OrderedDict[tuple[str, ...], tuple[float, Any]] = OrderedDict()

    def put(self, key: tuple[str, ...], layout: Any) -> None:
        """Keep ``layout`` for the next :meth:`take` of ``key``."""
        now = self.clock()
        with self._lock:
            self._layouts[key] = (now + self.seconds, layout)
            self._layouts.move_to_end(key)
            # Drop the oldest: beyond the size, and those no longer fresh (never taken).
            while self._layouts and (
                len(self._layouts) > self.size or next(iter(self._layouts.values()))[0] < now
            ):
                self._layouts.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._layouts)

    def take(self, key: tuple[str, ...]) -> Any:
        """The layout kept for ``key`` (and forget it), or None when none is fresh."""
        with self._lock:
            kept = self._layouts.pop(key, None)
        if kept is None or kept[0] < self.clock():
            return None
        return kept[1]


def _viewer(board: Board) -> str:
    """Who asks: the layouts differ by role and by the signed-in name (the navbar)."""
    user = current_user.get_id() if board.access.enabled and current_user else None
    return f"{board.access.role()}:{user or ''}"


def page_layout(board: Board, builders: Mapping[str, Builder], pathname: str, search: str) -> Any:
    """The layout of the page at ``pathname``, filled with its numbers; None when the viewer
    may not see it (the routing callback then answers, and refuses, as before)."""
    area = path_area(normalise_path(pathname)) or "wall"
    if not board.access.allows(area):
        return None
    return build_shell(pathname, search, route(board, builders, pathname, search))


def first_layout(board: Board, builders: Mapping[str, Builder], handover: Handover) -> Any:
    """The app's layout: the page asked for, filled with its numbers (else the empty shell)."""
    location = requested_location()
    if location is None:
        return build_shell()
    pathname, search = location
    kept = handover.take((_viewer(board), pathname, search))
    if kept is not None:
        return kept
    return page_layout(board, builders, pathname, search) or build_shell()


def prerender(
    board: Board, builders: Mapping[str, Builder], handover: Handover, pathname: str, search: str
) -> Any:
    """The layout of a page's index (its HTML copy), kept for the layout request after it."""
    layout = page_layout(board, builders, pathname, search)
    if layout is not None:
        handover.put((_viewer(board), pathname, search), layout)
    return layout


def register(app: Dash, board: Board, builders: Mapping[str, Builder]) -> Prerender:
    """Register the routing callback and the first layout on ``app``; the layout of a
    prerendered page's index."""
    check_builders(builders)
    handover = Handover()
    app.layout = partial(first_layout, board, builders, handover)
    app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        # The first page comes with the layout; the location's mount then sets pathname
        # only when the layout did not (the empty shell), which calls this.
        prevent_initial_call=True,
    )(partial(route, board, builders))
    return partial(prerender, board, builders, handover)
