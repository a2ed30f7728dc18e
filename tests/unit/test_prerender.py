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
        (
            # As dbc draws it in Chromium, but for the ids and the inputs' values.
            dbc.RadioItems(
                options=[{"label": "Ca 1", "value": 1}, {"label": "Ca <2>", "value": 2}],
                value=2,
                inline=True,
                class_name="btn-group",
                input_class_name="btn-check",
                label_class_name="btn btn-outline-primary",
                label_checked_class_name="active",
            ),
            '<div class="btn-group"><div class="form-check form-check-inline">'
            '<input class="form-check-input btn-check" type="radio">'
            '<label class="form-check-label btn btn-outline-primary">Ca 1</label></div>'
            '<div class="form-check form-check-inline">'
            '<input class="form-check-input btn-check" type="radio" checked>'
            '<label class="form-check-label btn btn-outline-primary active">Ca &lt;2&gt;</label>'
            "</div></div>",
        ),
        (
            dbc.Checklist(options=["a", "b"], value=["b"]),
            '<div><div class="form-check"><input class="form-check-input" type="checkbox">'
            '<label class="form-check-label">a</label></div><div class="form-check">'
            '<input class="form-check-input" type="checkbox" checked>'
            '<label class="form-check-label">b</label></div></div>',
        ),
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


def test_what_could_run_or_load_is_not_written():
    assert to_html(html.Script("alert(1)")) == ""
    assert to_html(html.Iframe(src="https://example.com")) == ""
    assert to_html(html.Div([html.Plaintext("swallows the rest"), "kept"])) == "<div>kept</div>"
    # links of other schemes are left out; relative, http(s), mailto and tel stay
    assert to_html(html.A("x", href="javascript:alert(1)")) == "<a>x</a>"
    assert to_html(html.A("x", href=" JavaScript:alert(1)")) == "<a>x</a>"
    assert to_html(html.A("x", href="data:text/html,<b>")) == "<a>x</a>"
    for href in (
        "/export/tickets.csv?from=2026-11-01",
        "?lang=en",
        "https://hcm.gov.vn",
        "tel:1022",
    ):
        assert f'href="{href}"' in to_html(html.A("x", href=href)).replace("&amp;", "&")
    # a style value cannot add declarations, blocks or fetches
    style = {"color": "red; position: fixed", "background": "url(https://x/y.png)", "width": 3}
    assert to_html(html.Div(style=style)) == '<div style="width: 3px"></div>'
    # an attribute name is a name
    assert to_html(html.Div(**{"data-ok": "1"})) == '<div data-ok="1"></div>'


def test_the_logout_form_still_logs_out_before_dash_starts():
    form = html.Form(html.Button("Đăng xuất", type="submit"), action="/logout", method="post")
    assert to_html(form) == (
        '<form action="/logout" method="post"><button type="submit">Đăng xuất</button></form>'
    )


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        # dbc's defaults, which Dash leaves out of the props
        (dbc.Navbar("n"), '<nav class="navbar navbar-expand-md navbar-dark bg-primary">n</nav>'),
        (
            dbc.Navbar("n", expand=False, dark=False, color="light"),
            '<nav class="navbar navbar-light bg-light">n</nav>',
        ),
        (dbc.Alert("x"), '<div class="alert alert-success" role="alert">x</div>'),
        (
            dbc.Button("CSV", href="/export", disabled=True),
            '<button class="btn btn-primary" disabled type="button">CSV</button>',
        ),
        (dbc.Col("x", width=6), '<div class="col-6">x</div>'),
        (
            dbc.NavLink("x", href="/a", active="exact", disabled=True),
            '<a class="nav-link disabled" href="/a">x</a>',
        ),
    ],
)
def test_bootstrap_defaults_and_options(component, expected):
    assert to_html(component) == expected


def test_the_removal_script_waits_for_the_page_or_a_started_renderer():
    script = prerender_script(".hv-page")
    assert 'root.querySelector(".hv-page")' in script
    assert "window.hvRendererStarted=function(){setTimeout(done,10000);}" in script
    hostile = prerender_script('a[title="x"]</script><script>alert(1)')
    assert hostile.count("<script>") == 1 and hostile.count("</script>") == 1
    held = deferred_scripts(SCRIPTS, RENDERER)
    assert held is not None and "window.hvRendererStarted()" in held[1]
    assert "new Function" not in held[1] and "eval(" not in held[1]


def test_a_script_tag_of_another_form_keeps_every_tag_as_it_is():
    other = SCRIPTS + '\n<script src="/x.js" integrity="sha384-abc" crossorigin></script>'
    assert deferred_scripts(other, RENDERER) is None


def test_layouts_never_taken_do_not_stay():
    now = [0.0]
    handover = Handover(seconds=10.0, size=32, clock=lambda: now[0])
    handover.put(("open:", "/overview", ""), "old")
    now[0] = 11.0
    handover.put(("open:", "/overview", "?lang=en"), "new")
    assert len(handover) == 1  # the stale one went with the next put
