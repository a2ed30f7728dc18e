"""The layout builder of each page declared in ``dashboard.routes.PAGES``.

A builder is a function of the board and the page's query string. Adding a page: one
:class:`dashboard.routes.Page` entry and its builder here (the router refuses to start
when the two lists differ).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from callbacks.intelligence import screens_page
from callbacks.kiosk import options_from_search
from callbacks.overview import overview_page
from callbacks.shift import shift_page, shift_report
from callbacks.views import Board, nav_context, search_lang
from dashboard.routes import WALL_ROLE
from layouts.navbar import build_wall_navbar, is_kiosk

Builder = Callable[[Board, str], Any]


def wall_page(board: Board, search: str) -> Any:
    """The wall, with the navbar out of sight above it (none in kiosk mode or for a screen)."""
    options = options_from_search(search, len(board.service.calendar.shifts))
    page = board.presenter.page(options)
    if is_kiosk(search) or board.access.role() == WALL_ROLE:
        return page
    context = nav_context(board.access, search_lang(search))
    return [build_wall_navbar(search, context), page]


BUILDERS: Mapping[str, Builder] = {
    "/": wall_page,
    "/shift": shift_page,
    "/shift/report": shift_report,
    "/overview": overview_page,
    "/screens": screens_page,
}
