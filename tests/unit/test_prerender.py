"""The HTML copy of a page (layouts/prerender.py) and the layouts handed to Dash's request."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import dash_bootstrap_components as dbc
import pytest
from dash import dash_table, dcc, html

from callbacks.router import Handover
from layouts.prerender import DEFERRED, deferred_scripts, prerender_script, to_html

RENDERER = (
    '<script id="_dash-renderer" type="application/javascript">'
    "var renderer = new DashRenderer();</script>"
)
SUITES = "/_dash-component-suites/dash"
SCRIPTS = (
    f'<script src="{SUITES}/deps/react@18.js"></script>\n'
    f'<script src="{SUITES}/dash-renderer/build/dash_renderer.min.js"></script>\n'
    "<script>\n(function() { window.dash_clientside = {}; })();\n</script>\n"
    f'<script defer src="{SUITES}/dcc/async-dropdown.js"></script>'
)


class Tags(HTMLParser):
    """The start tags of a document, with their attributes (checks that it parses)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(markup)
    parser.close()
    return parser.tags


def test_dash_html_becomes_its_elements_with_classes_and_styles_but_no_ids():
    markup = to_html(
        html.Div(
            [
                html.H1("Tổng quan", className="hv-title", id="title"),
                html.Span(12345, style={"minWidth": 720, "opacity": 0.5, "--rows": 14}),
                html.Br(),
                html.Button("7 ngày", id={"type": "x", "days": 7}, n_clicks=3, title="Bảy"),
                html.Td("4", colSpan=2, **{"data-value": "4", "aria-controls": "elsewhere"}),
            ],
            id="page",
            className="hv-page",
        )
    )
    assert markup.startswith('<div class="hv-page"><h1 class="hv-title">Tổng quan</h1>')
    assert '<span style="min-width: 720px; opacity: 0.5; --rows: 14">12345</span><br>' in markup
    assert '<button title="Bảy">7 ngày</button>' in markup
    assert '<td colspan="2" data-value="4">4</td>' in markup
    assert " id=" not in markup and "aria-controls" not in markup and "n_clicks" not in markup


def test_text_and_attributes_are_escaped():
    markup = to_html(html.A('<script>alert("x")</script>', href='/?a="b"&c=<d>', title="it's <b>"))
    assert "<script>" not in markup and '"b"' not in markup
    assert tags(markup) == [("a", {"href": '/?a="b"&c=<d>', "title": "it's <b>"})]
    assert "&lt;script&gt;" in markup


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        (dbc.Row([], class_name="g-3"), '<div class="row g-3"></div>'),
        (dbc.Col("x", md="auto", xs=12), '<div class="col-12 col-md-auto">x</div>'),
        (
            dbc.Col("x", width={"size": 6, "offset": 3}, lg=4),
            '<div class="col-6 offset-3 col-lg-4">x</div>',
        ),
        (dbc.Col("x"), '<div class="col">x</div>'),
        (
            dbc.Container("x", fluid=True, class_name="hv-main"),
            '<div class="container-fluid hv-main">x</div>',
        ),
        (
            dbc.Button("CSV", href="/export", outline=True, size="sm"),
            '<a class="btn btn-outline-primary btn-sm" href="/export">CSV</a>',
        ),
        (
            dbc.Button("Bỏ lọc", color="link"),
            '<button class="btn btn-link" type="button">Bỏ lọc</button>',
        ),
        (
            dbc.NavLink("Tổng quan", href="/overview", active=True),
            '<a class="nav-link active" href="/overview">Tổng quan</a>',
        ),
        (
            dbc.Navbar("n", color="primary", dark=True, expand="xl"),
            '<nav class="navbar navbar-expand-xl navbar-dark bg-primary">n</nav>',
        ),
        (
            dbc.Label("Kênh", class_name="hv-label"),
            '<label class="form-label hv-label">Kênh</label>',
        ),
        (
            dbc.Switch(label="Hiện <cả>", value=True),
            '<div class="form-check form-switch"><input class="form-check-input" type="checkbox"'
            ' checked><label class="form-check-label form-label">Hiện &lt;cả&gt;</label></div>',
        ),
        (dbc.Modal(dbc.ModalBody("secret"), is_open=False), ""),
        (dbc.Alert("hidden", is_open=False), ""),
    ],
)
def test_bootstrap_components_become_their_markup(component, expected):
    assert to_html(component) == expected


def test_what_only_the_browser_draws_is_left_to_it():
    components = [
        dcc.Dropdown(options=["a"], id="d"),
        dcc.DatePickerRange(id="r"),
        dcc.Store(id="s", data={"secret": 1}),
        dcc.Location(id="url"),
        dcc.Interval(id="tick"),
        dash_table.DataTable(data=[{"name": "Sở Xây dựng"}], id="t"),
    ]
    assert to_html(components) == ""
    loading = to_html(dcc.Loading(html.Div("87.772"), type="dot"))
    assert loading == '<div style="position: relative;"><div><div>87.772</div></div></div>'


def test_the_charts_slots_keep_their_place_and_nothing_else():
    slot = html.Div(html.Div([html.Span("Mức 1")] * 50), className="hv-chart-slot")
    assert to_html(slot) == '<div class="hv-chart-slot"></div>'


def test_the_scripts_are_held_in_order_and_loaded_after_the_first_paint():
    held = deferred_scripts(SCRIPTS, RENDERER)
    assert held is not None
    scripts, renderer = held
    sources = re.findall(rf'<script type="{DEFERRED}" src="([^"]+)"></script>', scripts)
    assert sources == [
        f"{SUITES}/deps/react@18.js",
        f"{SUITES}/dash-renderer/build/dash_renderer.min.js",
        f"{SUITES}/dcc/async-dropdown.js",
    ]
    assert "window.dash_clientside = {}" in scripts  # the inline ones stay and run at once
    assert '<script src="' not in scripts and "<script defer" not in scripts
    # Dash checks that its index has these (dash._validate.validate_index).
    assert re.search(r'src="[^"]*dash[-_]renderer[^"]*"', scripts)
    assert 'id="_dash-renderer"' in renderer and "new DashRenderer" in renderer
    assert renderer.index("_dash-renderer") < renderer.index("first-contentful-paint")
    assert 'type="application/javascript"' not in renderer  # held, not run by the parser


def test_unexpected_tags_stay_as_they_are():
    assert deferred_scripts(SCRIPTS, "<script>custom()</script>") is None
    assert deferred_scripts("<script>inline()</script>", RENDERER) is None


def test_the_removal_script_escapes_its_selector():
    script = prerender_script("a[title='x']</script>")
    assert "</script>" not in script[: -len("</script>")]


def test_a_layout_is_handed_over_once_and_not_for_long():
    now = [100.0]
    handover = Handover(seconds=10.0, size=2, clock=lambda: now[0])
    layout = html.Div("87.772")
    handover.put(("open:", "/overview", ""), layout)
    assert handover.take(("open:", "/overview", "?lang=en")) is None  # another address
    assert handover.take(("leader:lan", "/overview", "")) is None  # another viewer
    assert handover.take(("open:", "/overview", "")) is layout
    assert handover.take(("open:", "/overview", "")) is None  # once
    handover.put(("open:", "/overview", ""), layout)
    now[0] += 10.5
    assert handover.take(("open:", "/overview", "")) is None  # too old
    for page in ("/a", "/b", "/c"):
        handover.put(("open:", page, ""), page)
    assert handover.take(("open:", "/a", "")) is None  # the oldest made room
    assert [handover.take(("open:", page, "")) for page in ("/b", "/c")] == ["/b", "/c"]
