"""The board's pages, declared once: router, navbar, theme and access policy read this.

A page is one :class:`Page` in :data:`PAGES`: its path, title, access area (None: public),
theme, the prefix of its components' ids (the callback guard finds a callback's area by
its outputs) and its navbar entry. Its layout builder is bound to the path in
``callbacks.pages.BUILDERS`` (start-up fails when a declared page has no builder, or a
builder no page). Flask routes that are not pages (the API, the exports, the alerts'
history) declare their area, and their navbar entry if any, in :data:`ROUTES`.

Roles by area (when login is configured; without it, everyone may do all):

========== ======================== =====================================
area       roles                    routes
========== ======================== =====================================
wall       wall, supervisor, leader ``/``, ``/api/*`` and the wall's callbacks
shift      supervisor, leader       ``/shift``, ``/shift/report``, ``/screens``, ``/alerts``
overview   leader                   ``/overview``, ``/export/*``
========== ======================== =====================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

WALL_ROLE = "wall"
AREA_ROLES: Mapping[str, frozenset[str]] = {
    "wall": frozenset({WALL_ROLE, "supervisor", "leader"}),
    "shift": frozenset({"supervisor", "leader"}),
    "overview": frozenset({"leader"}),
}


@dataclass(frozen=True)
class NavEntry:
    """A page's link in the navbar (links are ordered by ``order``)."""

    name: str
    label_key: str
    icon: str
    order: int


# The layout of a prerendered page's index, by (path, query string) (callbacks.router).
Prerender = Callable[[str, str], Any]


@dataclass(frozen=True)
class Page:
    """One page of the board."""

    path: str
    title_key: str  # the message of the page's <title> (dashboard.i18n)
    area: str | None  # None: public
    theme: str = "wall"  # "wall": the wall's ?theme=; "light": a desk view (Flatly, printable)
    component_prefix: str | None = None  # ids of this page's components start with it
    nav: NavEntry | None = None
    subpaths: bool = False  # also serves path/... (by its own Page or a Flask route)
    # Dash's lazily loaded chunks its components need (dash/<path>): loaded with the page,
    # so its dropdowns and tables come with the first paint, not one more round trip later.
    chunks: tuple[str, ...] = ()
    # Its index carries the page as HTML until Dash has drawn an element matching this CSS
    # selector (layouts/prerender.py); None: the index is Dash's alone.
    prerender: str | None = None
    # A fixed design canvas scaled to the screen by the index's own script, before the first
    # paint (the wall: layouts.wall.FIT_SCRIPT).
    canvas: bool = False


DATE_AND_FILTERS = ("dcc/async-datepicker.js", "dcc/async-dropdown.js")
TABLE = ("dash_table/async-table.js", "dash_table/async-highlight.js")


def desk_view(
    area: str, icon: str, order: int, chunks: tuple[str, ...], *, prerender: bool = False
) -> Page:
    """The desk view of an area at ``/<area>``: light theme, ids ``<area>-...``, a navbar
    entry ``nav.<area>``, and its sub-paths."""
    return Page(
        f"/{area}",
        "app.title",
        area,
        theme="light",
        component_prefix=f"{area}-",
        nav=NavEntry(area, f"nav.{area}", icon, order),
        subpaths=True,
        chunks=chunks,
        prerender=".hv-page" if prerender else None,
    )


PAGES: tuple[Page, ...] = (
    # The control-room wall, often a TV with a slow CPU: its numbers come with the index.
    Page(
        "/",
        "app.title",
        "wall",
        nav=NavEntry("wall", "nav.wall", "bi-display", 10),
        prerender=".wall",
        canvas=True,
    ),
    # The supervisors' page, on a desk or a tablet: its numbers come with the index too.
    desk_view("shift", "bi-person-workspace", 20, DATE_AND_FILTERS, prerender=True),
    Page("/shift/report", "app.title", "shift", theme="light", component_prefix="shift-"),
    # The leaders' page, read on phones too: its numbers come with the index.
    desk_view("overview", "bi-bar-chart-line", 30, DATE_AND_FILTERS + TABLE, prerender=True),
    # The wall screens alive or silent (issue 13): for the supervisors on duty.
    Page("/screens", "app.title", "shift", theme="light", component_prefix="screens-"),
)


@dataclass(frozen=True)
class Route:
    """Flask routes that are not Dash pages, by path prefix: their area and navbar entry."""

    prefix: str
    area: str | None  # None: open (the route checks a key of its own)
    nav: NavEntry | None = None  # a link in the navbar (a full page load, like every link)

    @property
    def path(self) -> str:
        """Where the navbar links to."""
        return self.prefix


#: Flask routes that are not pages; the longest matching prefix decides.
ROUTES: tuple[Route, ...] = (
    # The API carries the wall's numbers (and, with filters, a supervisor's breakdown):
    # with login configured it needs at least the wall's role. /healthz stays open.
    Route("/api/", "wall"),
    Route("/export/", "overview"),
    # The alerts' history and CSV (/alerts, /alerts.csv) are a supervisor's; the acknowledge
    # link of a message is signed and expiring: it opens without a login.
    Route("/alerts", "shift", nav=NavEntry("alerts", "nav.alerts", "bi-bell", 40)),
    Route("/alerts/ack/", None),
)

#: Public routes (no login even when the board has one): the citizens' page and Open311.
PUBLIC_PREFIXES: tuple[str, ...] = ("/tra-cuu", "/track", "/open311/")


def normalise_path(pathname: str | None) -> str:
    """``/`` for empty paths; no trailing slash otherwise."""
    if not pathname or pathname == "/":
        return "/"
    return "/" + pathname.strip("/")


def find_page(path: str | None) -> Page | None:
    """The page declared at a path (exact, after normalising), or None."""
    wanted = normalise_path(path)
    return next((page for page in PAGES if page.path == wanted), None)


def page_of(path: str) -> Page | None:
    """The page a request path belongs to: its own, or the page whose sub-paths it is under."""
    exact = find_page(path)
    if exact is not None:
        return exact
    return next(
        (p for p in PAGES if p.subpaths and path.startswith((p.path + "/", p.path + "?"))), None
    )


def path_area(path: str) -> str | None:
    """The area of a page or route; None for routes everyone may reach."""
    if path.startswith(PUBLIC_PREFIXES):
        return None
    page = page_of(path)
    if page is not None:
        return page.area
    route = route_of(path)
    return route.area if route is not None else None


def route_of(path: str) -> Route | None:
    """The Flask route a path belongs to (the longest matching prefix), or None."""
    matching = [route for route in ROUTES if path.startswith(route.prefix)]
    return max(matching, key=lambda route: len(route.prefix), default=None)


def callback_prefixes() -> Mapping[str, str]:
    """The component id prefix of each page that has one, with its area."""
    return {p.component_prefix: p.area for p in PAGES if p.component_prefix and p.area}


def nav_entries() -> tuple[tuple[NavEntry, Page | Route], ...]:
    """The navbar's links, in order, with their pages (or Flask routes)."""
    items: tuple[Page | Route, ...] = (*PAGES, *ROUTES)
    entries = [(item.nav, item) for item in items if item.nav is not None]
    return tuple((nav, page) for nav, page in sorted(entries, key=lambda item: item[0].order))


def is_light_page(path: str) -> bool:
    """Whether a request path is a desk view (light theme, navbar)."""
    page = page_of(path)
    return page is not None and page.theme == "light"
