"""What the shift view and the overview share: reference names, role checks, URL sync, navbar.

``register`` adds ``/shift``, ``/shift/report`` and ``/overview`` to the router's
pages and puts the navbar on the wall (out of sight unless pointed at; never
in kiosk mode).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from dash import Dash, Input, Output
from dash.exceptions import PreventUpdate

from dashboard.auth import WALL_ROLE, AccessControl, access_of
from dashboard.i18n import normalise_language
from dashboard.params import FilterChoices, ParameterError, query_args
from dashboard.service import SnapshotService
from dashboard.shifts import utc_now
from data_access.queries import ReferenceCodes, list_reference_codes
from data_access.reference import Labels, read_names
from layouts.navbar import NavContext, build_wall_navbar, is_kiosk
from layouts.views import FILTER_FIELDS, Names

log = logging.getLogger(__name__)

Page = Callable[[str], Any]
REFERENCE_TTL = timedelta(minutes=5)

# Keeps the address bar in step with the view without a navigation: replaceState does not
# notify dcc.Location, so the router does not render the page again for it.
URL_SYNC_JS = """
function(query) {
    if (typeof query === "string" && window.location.search !== query) {
        window.history.replaceState(window.history.state, "", window.location.pathname + query);
    }
    return query;
}
"""


class ReferenceCache:
    """Category and agency codes and names, read at most once per ``ttl``."""

    def __init__(self, service: SnapshotService, ttl: timedelta = REFERENCE_TTL) -> None:
        self.service = service
        self.ttl = ttl
        self._lock = threading.Lock()
        self._read_at: datetime | None = None
        self._codes = ReferenceCodes((), ())
        self._names: dict[str, Labels] = {}

    def _refresh(self) -> None:
        now = utc_now()
        with self._lock:
            if self._read_at is not None and now - self._read_at < self.ttl:
                return
            try:
                with self.service.engine.connect() as conn:
                    self._codes = list_reference_codes(conn)
                    self._names = read_names(conn)
                self._read_at = now
            except Exception as exc:  # noqa: BLE001 - keep the last names; pages show codes
                log.error("reference names not read: %s", exc.__class__.__name__)

    def names(self, lang: str) -> Names:
        """The names in ``lang`` (codes where a name is unknown)."""
        self._refresh()

        def labels(kind: str) -> Mapping[str, str]:
            found = self._names.get(kind)
            if found is None:
                return {}
            return found.en if lang == "en" else found.vi

        return Names(
            lang=lang,
            categories=labels("categories"),
            agencies=labels("agencies"),
            areas=labels("areas"),
            operators=labels("operators"),
            category_codes=self._codes.categories,
            agency_codes=self._codes.agencies,
        )

    def choices(self) -> FilterChoices:
        """The codes a filter may name (None when unknown: any well-formed code)."""
        self._refresh()
        return FilterChoices(
            categories=self._codes.categories or None, agencies=self._codes.agencies or None
        )


def search_lang(search: str | None) -> str:
    """The page language from a query string (anything but ``en`` is Vietnamese)."""
    return normalise_language(query_args(search).get("lang"))


def require(access: AccessControl, area: str) -> None:
    """Stop a callback the current request may not run (the guard refused it already)."""
    if not access.allows(area):
        raise PreventUpdate


def nav_context(access: AccessControl, lang: str) -> NavContext:
    """What the navbar shows to the current request."""
    return NavContext(
        lang=lang,
        allowed={area: access.allows(area) for area in ("wall", "shift", "overview")},
        user=access.viewer_name(),
        role=access.role() if access.enabled else None,
        login_enabled=access.enabled,
    )


def filter_args(values: Mapping[str, Any]) -> dict[str, str]:
    """Filter dropdown values (lists of codes) as URL-style arguments; forged shapes refused."""
    args: dict[str, str] = {}
    for field in FILTER_FIELDS:
        value = values.get(field)
        if value in (None, "", []):
            continue
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ParameterError(field, f"'{field}' must be a list of codes")
        args[field] = ",".join(value)
    return args


def register(app: Dash, service: SnapshotService, pages: dict[str, Page]) -> None:
    """Add the desk views to the router's pages and their callbacks to ``app``."""
    from callbacks import overview, shift

    access = access_of(app)
    reference = ReferenceCache(service)
    shift.register(app, service, access, reference, pages)
    overview.register(app, service, access, reference, pages)
    wall = pages.get("/")
    if wall is not None:

        def wall_with_navbar(search: str) -> Any:
            page = wall(search)
            kiosk = is_kiosk(search) or access.role() == WALL_ROLE
            if kiosk:
                return page
            context = nav_context(access, search_lang(search))
            return [build_wall_navbar(search, context), page]

        pages["/"] = wall_with_navbar


def register_url_sync(app: Dash, query_id: str, sync_id: str) -> None:
    """Write a page's canonical query string into the address bar (client side)."""
    app.clientside_callback(
        URL_SYNC_JS, Output(sync_id, "data"), Input(query_id, "data"), prevent_initial_call=True
    )
