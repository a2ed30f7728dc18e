"""What the shift view and the overview share: names, role checks, URL sync, navbar context."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from dash import Dash, Input, Output, State, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from callbacks.wall_presenter import WallPresenter, digest
from dashboard import ids
from dashboard.alerts.service import AlertService
from dashboard.auth import AccessControl
from dashboard.i18n import normalise_language
from dashboard.i18n_views import vtext
from dashboard.params import FilterChoices, ParameterError, query_args
from dashboard.routes import nav_entries
from dashboard.service import SnapshotService
from layouts.navbar import NavContext, NavLinkSpec, build_navbar, is_kiosk
from layouts.views import FILTER_FIELDS, Names, build_alert

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


@dataclass(frozen=True)
class Board:
    """What every page builder and callback is given: the service, the access, the wall, the
    alerts."""

    service: SnapshotService
    access: AccessControl
    presenter: WallPresenter
    alerts: AlertService


def page_names(service: SnapshotService, lang: str) -> Names:
    """The service's reference names in ``lang`` (codes where a name is unknown)."""
    names, codes = service.reference()

    def labels(kind: str) -> Mapping[str, str]:
        found = names.get(kind)
        if found is None:
            return {}
        return found.en if lang == "en" else found.vi

    return Names(
        lang=lang,
        categories=labels("categories"),
        agencies=labels("agencies"),
        areas=labels("areas"),
        operators=labels("operators"),
        category_codes=codes.categories,
        agency_codes=codes.agencies,
    )


def filter_choices(service: SnapshotService) -> FilterChoices:
    """The codes a filter may name (None when unknown: any well-formed code)."""
    _, codes = service.reference()
    return FilterChoices(categories=codes.categories or None, agencies=codes.agencies or None)


def search_lang(search: str | None) -> str:
    """The page language from a query string (anything but ``en`` is Vietnamese)."""
    return normalise_language(query_args(search).get("lang"))


def bad_parameter_text(lang: str, exc: ParameterError) -> str:
    """What a view says of a parameter it refused (the reason after the words)."""
    return f"{vtext(lang, 'page.bad_parameter')}: {exc.message}"


def bad_parameter_alert(lang: str, exc: ParameterError, alert_id: str) -> Any:
    """The warning a view shows in place of its numbers for a refused parameter."""
    return build_alert(bad_parameter_text(lang, exc), tone="warning", alert_id=alert_id)


def insert_notice(layout: Component, notice: Any) -> None:
    """Show ``notice`` at the top of a view's page, under its navbar."""
    layout.children.insert(1, html.Div(notice, className="container-fluid pt-3"))


def require(access: AccessControl, area: str) -> None:
    """Stop a callback the current request may not run (the guard refused it already)."""
    if not access.allows(area):
        raise PreventUpdate


def nav_context(access: AccessControl, lang: str) -> NavContext:
    """What the navbar shows to the current request: the declared pages it may open."""
    links = tuple(
        NavLinkSpec(nav.name, page.path, nav.label_key, nav.icon)
        for nav, page in nav_entries()
        if page.area is None or access.allows(page.area)
    )
    return NavContext(
        lang=lang,
        links=links,
        user=access.viewer_name(),
        role=access.role() if access.enabled else None,
        login_enabled=access.enabled,
    )


def page_navbar(board: Board, name: str, path: str, search: str, lang: str) -> Any:
    """A desk view's navbar (None in kiosk mode)."""
    if is_kiosk(search):
        return None
    return build_navbar(name, path, search, nav_context(board.access, lang))


def fill_layout(layout: Component, outputs: Sequence[Output], values: Sequence[Any]) -> None:
    """Set on ``layout`` what a callback answered for ``outputs``: a page's first numbers.

    The page builder calls the very function its callback runs, so the first paint carries
    the numbers and the callback (``prevent_initial_call``) runs only when something changes.
    """
    for output, value in zip(outputs, values, strict=True):
        if value is not no_update:
            setattr(layout[output.component_id], output.component_property, value)


def unless_shown(values: tuple[Any, ...], shown: Any) -> tuple[Any, ...]:
    """``values`` and their digest (for the screen's store), or ``no_update`` for all of them
    when the screen already shows them: a panel redrawn with the same content on every
    refresh cost the browser its DOM work and a Dash history entry holding the old tree."""
    key = digest(values)
    if key == shown:
        return (no_update,) * (len(values) + 1)
    return (*values, key)


def control_values(layout: Component, area: str) -> list[Any]:
    """The values of a page's filter controls as its layout sets them (from the URL)."""
    return [getattr(layout[ids.filter_id(area, field)], "value", None) for field in FILTER_FIELDS]


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


def register_url_sync(app: Dash, query_id: str, sync_id: str) -> None:
    """Write a page's canonical query string into the address bar (client side)."""
    app.clientside_callback(
        URL_SYNC_JS, Output(sync_id, "data"), Input(query_id, "data"), prevent_initial_call=True
    )


def clear_filters(board: Board, area: str, _clicks: Any) -> list[list[str]]:
    """Every filter of a view emptied."""
    require(board.access, area)
    return [[] for _ in FILTER_FIELDS]


def register_view(
    app: Dash,
    board: Board,
    area: str,
    update: Callable[..., tuple[Any, ...]],
    *,
    outputs: Sequence[Output],
    controls: Sequence[Input],
    ticks: Sequence[Input] = (),
) -> None:
    """A desk view's callbacks: its update, its clear button, its address bar.

    ``update`` (given the board) answers ``outputs`` when a control, a filter or a tick
    changes, with the page's language; the clear button empties the filters; the canonical
    query goes to the address bar. The stores and the button are the area's
    (``ids.VIEW_SYNC_IDS``, ``ids.VIEW_CLEAR_IDS``).
    """
    lang_id, query_id, sync_id = ids.VIEW_SYNC_IDS[area]
    clear_id = ids.VIEW_CLEAR_IDS[area]
    app.callback(
        *outputs,
        *controls,
        *[Input(ids.filter_id(area, field), "value") for field in FILTER_FIELDS],
        *ticks,
        State(lang_id, "data"),
        prevent_initial_call=True,  # the page comes with its numbers (its page builder)
    )(partial(update, board))
    app.callback(
        *[Output(ids.filter_id(area, field), "value") for field in FILTER_FIELDS],
        Input(clear_id, "n_clicks"),
        prevent_initial_call=True,
    )(partial(clear_filters, board, area))
    register_url_sync(app, query_id, sync_id)
