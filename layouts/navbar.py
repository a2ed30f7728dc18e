"""The navigation bar between the wall, the shift view and the overview.

Links are full page loads (``external_link``): each page has its own theme
(the wall dark, the desk views light) and the server checks the role of each.
On the wall the bar floats above the screen and slides in only when the
pointer reaches the top edge, so it never takes room from the 1920x1080
canvas; in kiosk mode (``?kiosk=1`` or a wall-link session) there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from dashboard.i18n_views import vtext
from dashboard.params import query_args

# Icons are decoration: screen readers skip them.
ARIA_HIDDEN: dict[str, Any] = {"aria-hidden": "true"}


def _toggle_aria(label: str) -> dict[str, Any]:
    """The ARIA attributes of the navbar's folding button."""
    return {"aria-label": label, "aria-controls": "hv-nav-collapse", "aria-expanded": "false"}


def is_kiosk(search: str | None) -> bool:
    """Whether the URL asks for kiosk mode (``?kiosk=1``)."""
    args = query_args(search)
    return args.get("kiosk", "").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class NavLinkSpec:
    """A link of the navbar (from the pages declared in ``dashboard.routes``)."""

    name: str
    href: str
    label_key: str
    icon: str


@dataclass(frozen=True)
class NavContext:
    """Who is looking and the links they may open, in order."""

    lang: str
    links: tuple[NavLinkSpec, ...] = ()
    user: str = ""
    role: str | None = None  # None without login
    login_enabled: bool = False


def _language_href(path: str, search: str, lang: str) -> str:
    args = query_args(search)
    if lang == "en":
        args.pop("lang", None)
    else:
        args["lang"] = "en"
    query = urlencode(args, safe=",")
    return path + (f"?{query}" if query else "")


def _right_items(path: str, search: str, context: NavContext) -> list[Any]:
    """The navbar's right side: the language link and, signed in, who and the logout."""
    lang = context.lang
    suffix = "?lang=en" if lang == "en" else ""
    right: list[Any] = [
        dbc.NavItem(
            dbc.NavLink(
                vtext(lang, "nav.language"),
                href=_language_href(path, search, lang),
                external_link=True,
                id="nav-language",
            )
        )
    ]
    if context.login_enabled and context.role:
        right.append(
            dbc.NavItem(
                html.Span(
                    [
                        html.I(className="bi bi-person-circle me-1", **ARIA_HIDDEN),
                        context.user,
                        " · ",
                        vtext(lang, f"role.{context.role}"),
                    ],
                    className="navbar-text hv-nav-user",
                )
            )
        )
        right.append(
            dbc.NavItem(
                html.Form(
                    html.Button(
                        vtext(lang, "nav.logout"),
                        type="submit",
                        className="btn btn-sm btn-outline-light ms-2",
                        id="nav-logout",
                    ),
                    action="/logout" + suffix,
                    method="POST",
                )
            )
        )
    return right


def build_navbar(active: str, path: str, search: str, context: NavContext) -> dbc.Navbar:
    """The navbar of a page; ``active`` is the name of its link (wall, shift, overview...)."""
    lang = context.lang
    suffix = "?lang=en" if lang == "en" else ""
    links = [
        dbc.NavItem(
            dbc.NavLink(
                [
                    html.I(className=f"bi {link.icon} me-1", **ARIA_HIDDEN),
                    vtext(lang, link.label_key),
                ],
                href=link.href + suffix,
                active=link.name == active,
                external_link=True,
                id=f"nav-link-{link.name}",
            )
        )
        for link in context.links
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                html.A(
                    [
                        html.I(className="bi bi-telephone-inbound-fill me-2"),
                        vtext(lang, "nav.brand"),
                    ],
                    href="/" + suffix,
                    className="navbar-brand",
                ),
                # Below 1200 px the links fold behind one button (assets/views/responsive.js).
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    type="button",
                    className="navbar-toggler hv-toggle",
                    title=vtext(lang, "nav.menu"),
                    **_toggle_aria(vtext(lang, "nav.menu")),
                ),
                html.Div(
                    [
                        dbc.Nav(links, navbar=True, class_name="me-auto"),
                        dbc.Nav(
                            _right_items(path, search, context),
                            navbar=True,
                            class_name="hv-nav-right",
                        ),
                    ],
                    id="hv-nav-collapse",
                    className="collapse navbar-collapse",
                ),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        expand="xl",
        id=ids.NAVBAR,
        class_name="hv-navbar d-print-none",
    )


def build_wall_navbar(search: str, context: NavContext) -> html.Div:
    """The wall's navbar: out of sight until the pointer reaches the top edge."""
    return html.Div(
        [html.Div(className="hv-nav-hotzone"), build_navbar("wall", "/", search, context)],
        className="hv-nav-overlay",
    )
