"""Pieces shared by the shift view and the overview: names, filters, KPI cards, panels.

These pages are read at a desk and printed, so they use the light theme
(Bootswatch Flatly) with the light palette of :mod:`layouts.theme`: the same
colours of meaning as the wall (urgency, status), on white.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.i18n import code_name, text
from data_access.codes import CHANNELS, LINES, UNASSIGNED, UNCLASSIFIED, URGENCY_KEYS
from data_access.values import Filters
from layouts.theme import ARIA_HIDDEN, Palette, palette

FILTER_FIELDS: tuple[str, ...] = ("channel", "line", "category", "urgency", "agency")


@dataclass(frozen=True)
class Names:
    """Reference names in one language, and the known codes in display order."""

    lang: str
    categories: Mapping[str, str] = field(default_factory=dict)
    agencies: Mapping[str, str] = field(default_factory=dict)
    areas: Mapping[str, str] = field(default_factory=dict)
    operators: Mapping[str, str] = field(default_factory=dict)
    category_codes: tuple[str, ...] = ()
    agency_codes: tuple[str, ...] = ()

    def category(self, code: str | None) -> str:
        """The name of a field (category)."""
        if code is None or code == UNCLASSIFIED:
            return code_name(self.lang, "category", UNCLASSIFIED)
        return self.categories.get(code, code)

    def agency(self, code: str | None) -> str:
        """The name of an agency."""
        if code is None or code == UNASSIGNED:
            return code_name(self.lang, "agency", UNASSIGNED)
        return self.agencies.get(code, code)

    def area(self, code: str | None) -> str:
        """The name of an area (ward or commune); empty when none."""
        if not code:
            return ""
        return self.areas.get(code, code)

    def operator(self, code: str | None) -> str:
        """An operator's name; 'not recorded' for none."""
        if code is None or code == UNASSIGNED:
            return text(self.lang, "operator.none")
        name = self.operators.get(code)
        return f"{name} ({code})" if name else code

    def urgency(self, key: str) -> str:
        """``Mức 2 — Phản ánh bức xúc``; ``Chưa phân loại`` for none."""
        if key == UNCLASSIFIED:
            return code_name(self.lang, "urgency", UNCLASSIFIED)
        return f"{short_urgency(self.lang, key)} — {code_name(self.lang, 'urgency', key)}"


def short_urgency(lang: str, key: str) -> str:
    """``Mức 2`` or ``Chưa phân loại``."""
    if key == UNCLASSIFIED:
        return code_name(lang, "urgency", UNCLASSIFIED)
    return text(lang, "urgency.level", level=key)


# --- filters --------------------------------------------------------------------------------


def filter_options(field_name: str, names: Names) -> list[dict[str, str]]:
    """The choices of one filter dropdown."""
    lang = names.lang
    if field_name == "channel":
        return [{"label": code_name(lang, "channel", c), "value": c} for c in CHANNELS]
    if field_name == "line":
        return [{"label": code_name(lang, "line", c), "value": c} for c in LINES]
    if field_name == "category":
        codes = (*names.category_codes, UNCLASSIFIED)
        return [{"label": names.category(c), "value": c} for c in codes]
    if field_name == "urgency":
        return [{"label": names.urgency(key), "value": key} for key in URGENCY_KEYS]
    codes = (*names.agency_codes, UNASSIGNED)
    return [{"label": names.agency(c), "value": c} for c in codes]


def filter_values(filters: Filters) -> dict[str, list[str]]:
    """The dropdown values of a set of filters."""
    return {
        "channel": list(filters.channels),
        "line": list(filters.lines),
        "category": list(filters.categories),
        "urgency": list(filters.urgencies),
        "agency": list(filters.agencies),
    }


def build_filters(page: str, names: Names, filters: Filters) -> dbc.Row:
    """The five filter dropdowns of a view (multi-select; empty means all)."""
    values = filter_values(filters)
    columns = []
    for field_name in FILTER_FIELDS:
        columns.append(
            dbc.Col(
                [
                    dbc.Label(text(names.lang, f"filter.{field_name}"), class_name="hv-label"),
                    build_slot(
                        dcc.Dropdown(
                            id=ids.filter_id(page, field_name),
                            options=filter_options(field_name, names),
                            value=values[field_name],
                            multi=True,
                            placeholder=text(names.lang, "filter.all"),
                            className="hv-filter",
                        ),
                        "select",
                    ),
                ],
                xs=12,
                sm=6,
                lg=True,
            )
        )
    return dbc.Row(columns, class_name="g-2 hv-filters")


def describe_filters(filters: Filters, names: Names) -> str:
    """The filters in words, for the printed report."""
    parts = []
    lang = names.lang
    for field_name, values in (
        ("channel", [code_name(lang, "channel", c) for c in filters.channels]),
        ("line", [code_name(lang, "line", c) for c in filters.lines]),
        ("category", [names.category(c) for c in filters.categories]),
        ("urgency", [short_urgency(lang, c) for c in filters.urgencies]),
        ("agency", [names.agency(c) for c in filters.agencies]),
    ):
        if values:
            parts.append(f"{text(lang, f'filter.{field_name}')}: {', '.join(values)}")
    return "; ".join(parts) if parts else text(lang, "report.no_filters")


# --- pieces ---------------------------------------------------------------------------------


def build_kpi(
    label: str,
    value: str,
    notes: Sequence[str] = (),
    *,
    tone: str = "",
    icon: str = "",
    kpi_id: str | None = None,
    action: Any = None,
) -> html.Div:
    """One KPI card: label, big number, notes; ``tone`` alert|warn|good colours its edge."""
    header = [html.I(className=f"bi {icon} me-1", **ARIA_HIDDEN)] if icon else []
    body: list[Any] = [
        html.Div([*header, label], className="hv-kpi-label"),
        html.Div(
            value, className="hv-kpi-value" + (" hv-kpi-value--long" if len(value) > 9 else "")
        ),
        *[html.Div(note, className="hv-kpi-note") for note in notes],
    ]
    if action is not None:
        body.append(action)
    props: dict[str, Any] = {"className": f"hv-kpi hv-kpi--{tone}" if tone else "hv-kpi"}
    if kpi_id:
        props["id"] = kpi_id
    return html.Div(body, **props)


def build_controls(page: str, lang: str, children: list[Any]) -> html.Div:
    """The range/shift controls and the filters: folded behind one button below 1200 px.

    The button toggles the ``show`` class of the folding part (assets/views/responsive.js,
    no server round trip); on wider screens the CSS shows the part whatever its state.
    """
    target = f"{page}-controls-collapse"
    aria: dict[str, Any] = {"aria-controls": target, "aria-expanded": "false"}
    toggle = html.Button(
        [
            html.I(className="bi bi-funnel me-1", **ARIA_HIDDEN),
            text(lang, "filter.toggle"),
            html.I(className="bi bi-chevron-down ms-1 hv-toggle-chevron", **ARIA_HIDDEN),
        ],
        type="button",
        id=f"{page}-controls-toggle",
        className="btn btn-outline-primary btn-sm hv-toggle hv-controls-toggle",
        **aria,
    )
    return html.Div(
        [toggle, html.Div(children, id=target, className="hv-controls-collapse")],
        className="hv-controls d-print-none",
    )


def build_panel(
    title: str, body: Any, *, class_name: str = "", panel_id: str | None = None
) -> html.Section:
    """A titled card."""
    props: dict[str, Any] = {}
    if panel_id:
        props["id"] = panel_id
    return html.Section(
        [html.H2(title, className="hv-panel-title"), body],
        className=f"hv-panel {class_name}".strip(),
        **props,
    )


def build_alert(message: str, *, tone: str = "danger", alert_id: str | None = None) -> dbc.Alert:
    """A message in place of numbers that could not be shown."""
    props: dict[str, Any] = {"id": alert_id} if alert_id else {}
    return dbc.Alert(message, color=tone, class_name="hv-alert", **props)


def build_forbidden(lang: str, area: str) -> html.Div:
    """What a signed-in person without the role sees (also for a forged page request)."""
    role = text(lang, "role.leader" if area == "overview" else "role.supervisor")
    return html.Div(
        [
            build_alert(text(lang, "page.forbidden"), tone="warning"),
            html.P(text(lang, "page.forbidden_hint", role=role)),
            html.A(text(lang, "nav.login"), href="/login", className="btn btn-primary"),
        ],
        className="hv-page container py-4",
    )


# --- colours of the charts (layouts/desk_charts.py) ------------------------------------


def desk_palette() -> Palette:
    """The colours the desk views draw with: the wall's light theme."""
    return palette("light")


def urgency_colors(keys: Sequence[str]) -> list[str]:
    """The colour of each urgency level."""
    light = desk_palette()
    return [light.urgency.get(key, light.muted) for key in keys]


def status_colors(keys: Sequence[str]) -> list[str]:
    """The colour of each handling status."""
    light = desk_palette()
    return [light.status.get(key, light.muted) for key in keys]


# --- the skeleton every desk view shares (shift view, overview) ------------------------------
# The date pickers of the desk views: day/month/year, weeks from Monday, never empty.
DATE_PICKER: Mapping[str, Any] = MappingProxyType(
    {
        "display_format": "DD/MM/YYYY",
        "first_day_of_week": 1,
        "clearable": False,
        "className": "hv-date",
    }
)


def build_slot(control: Any, kind: str, **props: Any) -> html.Div:
    """A box holding the place of a control Dash draws a moment after the page (its code
    comes in a chunk of its own: dropdown, date picker, table), so that nothing below it
    moves when it appears (layout shift). Sizes in ``assets/views/views.css``."""
    return html.Div(control, className=f"hv-slot hv-slot--{kind}", **props)


def build_control_col(label: str, control: Any) -> dbc.Col:
    """One labelled control of a view's control row."""
    return dbc.Col([dbc.Label(label, class_name="hv-label"), control], xs=12, md="auto")


def build_clear_col(button_id: str, lang: str) -> dbc.Col:
    """The "clear filters" link at the end of a view's control row."""
    return dbc.Col(
        dbc.Button(
            text(lang, "filter.clear"),
            id=button_id,
            color="link",
            class_name="hv-control-button",
        ),
        xs="auto",
        class_name="d-flex align-items-end ms-auto",
    )


def build_action_link(icon: str, label: str, link_id: str, href: str, class_name: str) -> html.A:
    """A button-styled link of a view's header (export, print report): icon, then label."""
    return html.A(
        [html.I(className=f"bi {icon} me-1"), label], id=link_id, href=href, className=class_name
    )


def build_view_header(title: Any, subtitle_id: str, actions: Any) -> html.Div:
    """A view's title, its subtitle (set with the view's numbers) and its action buttons."""
    return html.Div(
        [
            html.Div([title, html.Div(id=subtitle_id, className="hv-subtitle")]),
            actions,
        ],
        className="hv-header",
    )


def build_view_page(
    name: str,
    *,
    lang: str,
    navbar: Any,
    stores: Sequence[Any],
    header: Any,
    controls: Any,
    filters: Any,
    body: Sequence[Any],
    after: Sequence[Any] = (),
) -> html.Div:
    """A desk view: navbar, its stores, then header, controls and filters, and the body.

    The stores of the language, the canonical query and the address bar's sync are the
    view's (``ids.VIEW_SYNC_IDS``, which ``callbacks.views.register_view`` wires); ``stores``
    are the view's own.
    """
    lang_id, query_id, url_sync_id = ids.VIEW_SYNC_IDS[name]
    return html.Div(
        [
            navbar,
            dcc.Store(id=lang_id, data=lang),
            dcc.Store(id=query_id),
            dcc.Store(id=url_sync_id),
            *stores,
            dbc.Container(
                [
                    header,
                    build_controls(name, lang, [controls, filters]),  # folds on tablets
                    *body,
                ],
                fluid=True,
                class_name="hv-main",
            ),
            *after,
        ],
        className=f"hv-page hv-{name}",
        lang=lang,
    )


# The slot of a chart: the page's HTML copy leaves what it holds to Dash (layouts/prerender.py).
CHART_SLOT = "hv-chart-slot"


def build_chart_panel(title: str, hint: str, chart_id: str) -> html.Section:
    """A panel holding one clickable chart (drawn with the view's numbers) under a hint."""
    return build_panel(
        title,
        html.Div(
            [
                html.Span(hint, className="hv-hint"),
                html.Div(id=chart_id, className=CHART_SLOT),
            ]
        ),
    )
