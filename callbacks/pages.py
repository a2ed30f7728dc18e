"""The layout builder of each page declared in ``dashboard.routes.PAGES``.

A builder is a function of the board and the page's query string. Adding a page: one
:class:`dashboard.routes.Page` entry and its builder here (the router refuses to start
when the two lists differ).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from callbacks.alerts import WALL_ALERTS_OUTPUTS, wall_alert_outputs
from callbacks.intelligence import screens_page
from callbacks.kiosk import options_from_search
from callbacks.overview import overview_page
from callbacks.shift import shift_page, shift_report
from callbacks.switchboard import switchboard_body
from callbacks.views import Board, fill_layout, nav_context, search_lang
from dashboard import ids
from dashboard.routes import WALL_ROLE
from layouts.navbar import build_wall_navbar, is_kiosk
from layouts.switchboard import SWITCHBOARD_BODY, SWITCHBOARD_SHOWN

Builder = Callable[[Board, str], Any]


def wall_page(board: Board, search: str) -> Any:
    """The wall, with the navbar out of sight above it (none in kiosk mode or for a screen)."""
    options = options_from_search(search, len(board.service.calendar.shifts))
    page = board.presenter.page(options)
    # Its alerts and queue strip too: their callbacks run only after the first refresh.
    fill_layout(page, WALL_ALERTS_OUTPUTS, wall_alert_outputs(board.alerts, options.lang))
    body, shown = switchboard_body(board.service, page[ids.WALL_CONFIG].data)
    page[SWITCHBOARD_BODY].children = body
    page[SWITCHBOARD_SHOWN].data = shown
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
