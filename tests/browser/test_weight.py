"""What a cold load of each page costs over the wire, in a real Chromium (CDP network log)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.support.browser import console_errors, open_wall, set_viewport, wait_for

pytestmark = pytest.mark.browser

BUDGET = 1_000_000  # bytes over the wire, compressed, headers included (SPEC section 6)
PLOTLY = re.compile(r"plotly[^/]*\.js", re.IGNORECASE)


def _transfers(driver: Any) -> dict[str, dict[str, Any]]:
    """Per request since the last read: URL, bytes over the wire, Content-Encoding."""
    requests: dict[str, dict[str, Any]] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        method = message.get("method")
        rid = params.get("requestId")
        if method == "Network.requestWillBeSent":
            requests.setdefault(rid, {"bytes": 0})["url"] = params["request"]["url"]
        elif method == "Network.responseReceived":
            headers = {k.lower(): v for k, v in params["response"].get("headers", {}).items()}
            item = requests.setdefault(rid, {"bytes": 0})
            item["encoding"] = headers.get("content-encoding", "")
            item["type"] = params["response"].get("mimeType", "")
            item["from_cache"] = params["response"].get("fromDiskCache", False)
        elif method == "Network.loadingFinished":
            requests.setdefault(rid, {"bytes": 0})["bytes"] = params.get("encodedDataLength", 0)
    return requests


def _cold(driver: Any) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get("about:blank")
    driver.get_log("performance")
    driver.get_log("browser")


def _settle(driver: Any, selector: str) -> None:
    wait_for(
        lambda: driver.execute_script(
            "return document.readyState === 'complete' && document.querySelector(arguments[0])",
            selector,
        ),
        30,
        f"{selector} never appeared",
    )
    time.sleep(2)  # fonts, lazy chunks and the first refreshes


def test_the_wall_loads_no_plotly_and_a_cold_load_is_under_a_megabyte(browser, live_wall):
    set_viewport(browser, 1920, 1080)
    _cold(browser)
    open_wall(browser, live_wall.base + "/")
    _settle(browser, "#graph-hourly .chart-col")
    requests = _transfers(browser)
    urls = [item.get("url", "") for item in requests.values()]
    assert any("dash_renderer" in url for url in urls), "the network log was read"
    assert [url for url in urls if PLOTLY.search(url)] == []
    assert not any("async-graph" in url for url in urls), "no dcc.Graph on the wall"
    total = sum(item["bytes"] for item in requests.values())
    assert 50_000 < total <= BUDGET, total
    # Scripts and style sheets come compressed.
    for item in requests.values():
        if item.get("type") in ("application/javascript", "text/css") and item["bytes"] > 2000:
            assert item.get("encoding") in ("br", "gzip"), item
    assert console_errors(browser) == []


def _desk_view(browser: Any, live_wall: Any, path: str) -> dict[str, dict[str, Any]]:
    set_viewport(browser, 1920, 1080)
    _cold(browser)
    browser.get(live_wall.base + path)
    # a chart of the page drawn (HTML: layouts/desk_charts.py)
    _settle(browser, ".hv-chart .hv-bar-fill, .hv-chart .hv-trend-day")
    assert console_errors(browser) == []
    return _transfers(browser)


@pytest.mark.parametrize("path", ["/shift", "/overview"])
def test_a_desk_view_loads_no_plotly(browser, live_wall, path):
    requests = _desk_view(browser, live_wall, path)
    urls = [item.get("url", "") for item in requests.values()]
    assert any("dash_renderer" in url for url in urls), "the network log was read"
    assert [url for url in urls if PLOTLY.search(url)] == []
    assert not any("async-graph" in url for url in urls), "no dcc.Graph on the desk views"


@pytest.mark.parametrize("path", ["/shift", "/overview"])
def test_a_desk_view_cold_load_is_under_a_megabyte(browser, live_wall, path):
    requests = _desk_view(browser, live_wall, path)
    total = sum(item["bytes"] for item in requests.values())
    print(f"cold load of {path}: {total} bytes")
    assert total <= BUDGET, total


def test_a_second_visit_fetches_the_fingerprinted_files_from_the_cache(browser, live_wall):
    set_viewport(browser, 1920, 1080)
    _cold(browser)
    open_wall(browser, live_wall.base + "/")
    _settle(browser, "#graph-hourly .chart-col")
    browser.get("about:blank")
    browser.get_log("performance")
    open_wall(browser, live_wall.base + "/")
    _settle(browser, "#graph-hourly .chart-col")
    requests = _transfers(browser)
    suites = [i for i in requests.values() if "/_dash-component-suites/" in i.get("url", "")]
    assert suites and all(item.get("from_cache") or item["bytes"] == 0 for item in suites), suites
