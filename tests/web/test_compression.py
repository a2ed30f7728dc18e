"""What goes over the wire: compressed (brotli, else gzip), cached as long as it cannot change."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from typing import Any

import brotli
import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from dashboard.web_perf import IMMUTABLE, compressed_files

BROTLI = {"Accept-Encoding": "gzip, deflate, br"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Any]:
    app = create_app(Settings(DATABASE_URL=sqlite_url, HOTLINE_SIMULATE=False), start_jobs=False)
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.server.test_client()


def _page_files(client: Any) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css)[^"]*)"', page)


def test_the_page_and_its_scripts_come_compressed_with_brotli(client):
    page = client.get("/", headers=BROTLI)
    assert page.headers["Content-Encoding"] == "br"
    assert b"_dash-config" in brotli.decompress(page.data)
    files = _page_files(client)
    assert any("dash_renderer" in f for f in files) and any(
        f.endswith("css") or ".css?" in f for f in files
    )
    for url in files:
        response = client.get(url, headers=BROTLI)
        assert response.status_code == 200, url
        plain = client.get(url).data
        if len(plain) > 1000:
            assert response.headers["Content-Encoding"] == "br", url
            assert brotli.decompress(response.data) == plain, url
            assert len(response.data) < len(plain) * 0.6, url
        assert "Accept-Encoding" in response.headers.get("Vary", "")


def test_gzip_for_clients_without_brotli_and_nothing_for_clients_without_either(client):
    response = client.get("/_dash-dependencies", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == client.get("/_dash-dependencies").data
    assert "Content-Encoding" not in client.get("/_dash-dependencies").headers


def test_api_and_callback_answers_are_compressed_too(client):
    response = client.get("/api/snapshot?shift=all", headers=BROTLI)
    assert response.status_code == 200
    if len(client.get("/api/snapshot?shift=all").data) > 500:
        assert response.headers["Content-Encoding"] == "br"


def test_fingerprinted_files_are_cached_a_year_and_others_revalidate(client):
    files = _page_files(client)
    fingerprinted = [f for f in files if "?m=" in f or re.search(r"\.v[0-9a-z_]+m[0-9]+\.", f)]
    assert len(fingerprinted) >= 8
    for url in fingerprinted:
        assert client.get(url).headers["Cache-Control"] == IMMUTABLE, url
    theme = next(f for f in files if "themes/" in f)  # linked without a fingerprint
    assert "immutable" not in client.get(theme).headers.get("Cache-Control", "")
    # Dynamic answers are not cached as files.
    assert "immutable" not in client.get("/_dash-layout").headers.get("Cache-Control", "")


def test_a_revalidated_compressed_file_answers_304(client):
    theme = next(f for f in _page_files(client) if "themes/" in f)
    first = client.get(theme, headers=BROTLI)
    assert first.headers["Content-Encoding"] == "br" and first.headers.get("ETag")
    again = client.get(theme, headers={**BROTLI, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_each_fingerprinted_file_is_compressed_once_per_process(app, client):
    cache = compressed_files(app.server)
    url = next(f for f in _page_files(client) if "dash_renderer" in f)
    client.get(url, headers=BROTLI)
    stored = len(cache)
    assert stored >= 1
    client.get(url, headers=BROTLI)
    client.get("/_dash-layout", headers=BROTLI)
    client.get("/api/snapshot", headers=BROTLI)
    assert len(cache) == stored, "dynamic answers are never stored"


def test_no_page_names_plotly_among_its_scripts(client):
    # The charts are HTML (layouts/wall_charts.py, layouts/desk_charts.py): no dcc.Graph,
    # so neither Plotly nor dcc's graph chunk is ever fetched (tests/browser/test_weight.py).
    files = _page_files(client)
    assert files
    assert not any("plotly" in f for f in _page_files(client))
