"""Every route of the app (Dash's own included) answers bad input with a 4xx, never a 500.

The routes are read from ``app.server.url_map``, so a route added later (by Dash or by
the board) is swept too; each is called with every method it allows, hostile path
segments and query strings, and, for POST, malformed bodies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.routing import Rule

from dashboard.app import create_app
from dashboard.settings import Settings

HOSTILE_SEGMENTS = [
    "nope",
    "nope.js",
    "..%2F..%2Fapp.py",
    "%00",
    "x" * 2000,
    "<script>alert(1)</script>",
    "Đường dây nóng",
    "dash/nope.js",
    "dcc/../../../etc/passwd",
    "dash_table/async-nope.v1_0_0m1.js",
    "plotly/package_data/nope.js",
]
HOSTILE_QUERIES = ["", "?m=abc", "?m=", "?lang=xx&theme=%00", "?" + "a=1&" * 500, "?%ff=%fe"]
BAD_BODIES: list[tuple[bytes, str]] = [
    (b"", "application/json"),
    (b"{", "application/json"),
    (b"[]", "application/json"),
    (b"null", "application/json"),
    (b'{"output": 1}', "application/json"),
    (b'{"output": "page.children", "inputs": "x"}', "application/json"),
    (b'{"output": "..page.children..", "inputs": [{"id": 1}]}', "application/json"),
    (json.dumps({"output": "x" * 5000}).encode(), "application/json"),
    (b"\xff\xfe\x00", "application/octet-stream"),
    (b"a=1", "application/x-www-form-urlencoded"),
]


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Any]:
    app = create_app(Settings(DATABASE_URL=sqlite_url, HOTLINE_SIMULATE=False), start_jobs=False)
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def _paths(rule: Rule) -> list[str]:
    """URLs of a rule with each hostile value in each of its variables."""
    template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
    names = list(rule.arguments)
    if not names:
        return [template]
    paths = []
    for value in HOSTILE_SEGMENTS:
        paths.append(template.format(**{name: value for name in names}))
    if "package_name" in names:  # a known package with a bad path, and the reverse
        for value in HOSTILE_SEGMENTS:
            paths.append(template.format(package_name="dash", fingerprinted_path=value))
            paths.append(
                template.format(package_name=value, fingerprinted_path="dcc/async-graph.js")
            )
    return paths


def _sweep(client: Any, rule: Rule) -> list[str]:
    failures = []
    for path in _paths(rule):
        for query in HOSTILE_QUERIES:
            url = path + query
            for method in sorted(rule.methods or ()):
                bodies = BAD_BODIES if method in ("POST", "PUT", "PATCH") else [(b"", "")]
                for body, content_type in bodies:
                    response = client.open(
                        url, method=method, data=body, content_type=content_type or None
                    )
                    if response.status_code >= 500:
                        failures.append(f"{method} {url[:120]} {body[:40]!r}: {response.status}")
    return failures


def test_the_sweep_covers_every_route_dash_adds(app):
    rules = {rule.rule for rule in app.server.url_map.iter_rules()}
    for dash_route in (
        "/_dash-layout",
        "/_dash-dependencies",
        "/_dash-update-component",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "/_reload-hash",
        "/_favicon.ico",
        "/assets/<path:filename>",
    ):
        assert dash_route in rules


def test_no_route_answers_bad_input_with_a_500(app):
    client = app.server.test_client()
    failures: list[str] = []
    for rule in app.server.url_map.iter_rules():
        failures += _sweep(client, rule)
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/nope/x.js",
        "/_dash-component-suites/dash/nope.js",
        "/_dash-component-suites/dash/dcc/nope.v4_4_1m1.js",
        "/_dash-component-suites/plotly/package_data/nope.js",
        "/assets/nope.css",
        "/assets/../app.py",
    ],
)
def test_an_unknown_file_is_a_404(app, path):
    response = app.server.test_client().get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.data and b"registered" not in response.data


def test_a_known_component_suite_file_is_still_served(app):
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    assert scripts
    for src in scripts:
        assert client.get(src).status_code == 200, src
