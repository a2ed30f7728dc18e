"""Every page accessible (axe-core, WCAG 2.1 AA) and usable on a tablet and a phone.

Headless Chromium against the app served in a thread, on an SQLite file with 40 days
of demo history and a leader's account. axe-core (``tests/browser/vendor/axe.min.js``,
from the npm registry; never served by the app) is injected with ``execute_script``.
Screenshots at 1024x768 and 390x844 go to a temporary directory, or to
``HOTLINE_SCREENSHOTS`` when set (``docs/screenshots`` for the docs):

    HOTLINE_SCREENSHOTS=docs/screenshots pytest tests/browser/test_a11y_responsive.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By

from tests.support.browser import (
    LiveSite,
    console_errors,
    requested_urls,
    require_browser,
    serve_site,
    set_viewport,
    wait_for,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LEADER = ("lanhdao", "mat-khau-lanh-dao")
SIZES = [(1024, 768), (390, 844)]

# name, path, what shows the page is drawn (a CSS selector whose text is not the placeholder)
PAGES = [
    ("login", "/login", "#username"),
    ("wall-dark", "/?theme=dark", "#tile-received-day-value"),
    ("wall-light", "/?theme=light", "#tile-received-day-value"),
    ("shift", "/shift", ".hv-kpis .hv-kpi-value"),
    ("shift-report", "/shift/report", "#shift-report .hv-report-title"),
    ("overview", "/overview", ".hv-kpis .hv-kpi-value"),
    ("screens", "/screens", "#screens-body"),
    ("alerts", "/alerts", "h1"),
]
DESK_PAGES = [page for page in PAGES if page[0] in ("shift", "overview")]

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then((result) => done(result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary)}))))
  .catch((error) => done('axe failed: ' + error));
"""

# What sticks out to the right of the screen, outside anything that scrolls or clips it.
OVERFLOW = """
const width = window.innerWidth;
const problems = [];
const root = document.documentElement, body = document.body;
if (root.scrollWidth > width) problems.push('the page is ' + root.scrollWidth + ' px wide');
if (body.scrollWidth > width) problems.push('the body is ' + body.scrollWidth + ' px wide');
const contained = (element) => {
  for (let e = element.parentElement; e && e !== body; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (style.position === 'fixed') return true;
    if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) {
      const box = e.getBoundingClientRect();
      if (box.right <= width + 1) return true;
    }
  }
  return false;
};
for (const element of body.querySelectorAll('*')) {
  if (element.offsetParent === null) continue;
  const box = element.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
  if (getComputedStyle(element).visibility === 'hidden' || contained(element)) continue;
  problems.push(element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + '.'
    + String(element.className).slice(0, 60) + ' reaches ' + Math.round(box.right) + ' px');
  if (problems.length > 8) break;
}
return problems;
"""


Site = LiveSite


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    users = {LEADER[0]: (LEADER[1], "leader", "Lê Văn Đạo")}
    with serve_site(tmp_path_factory.mktemp("a11y"), users, days=40) as served:
        yield served


def _signed_in(browser: Any, site: Site) -> None:
    """A leader's session (leaders may open every page)."""
    if browser.get_cookies() and "/login" not in browser.current_url:
        return
    browser.get(site.base + "/login")
    wait_for(lambda: browser.find_element(By.ID, "username"), 10, "no login form")
    browser.find_element(By.ID, "username").send_keys(LEADER[0])
    browser.find_element(By.ID, "password").send_keys(LEADER[1])
    browser.find_element(By.ID, "login-submit").click()
    wait_for(lambda: "/login" not in browser.current_url, 10, "the login did not go through")


def open_page(browser: Any, site: Site, path: str, ready: str) -> None:
    """Open a page as it would be opened (signed out for the login page) and wait for it."""
    if path == "/login":
        browser.delete_all_cookies()
    else:
        _signed_in(browser, site)
    browser.get(site.base + path)
    wait_for(
        lambda: browser.execute_script(
            "const e = document.querySelector(arguments[0]);"
            "return e && (e.tagName === 'INPUT' || (e.textContent.trim() !== ''"
            " && e.textContent.trim() !== '…'));",
            ready,
        ),
        30,
        f"{path} never drew {ready}",
    )
    browser.execute_script("return document.fonts.ready")
    time.sleep(1.0)  # the last callbacks and figures settle


def axe_violations(browser: Any) -> list[dict[str, Any]] | str:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    browser.set_script_timeout(60)
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    return browser.execute_async_script(RUN_AXE, WCAG_TAGS)


def _foreign(urls: list[str], base: str) -> list[str]:
    ours = urlparse(base).netloc
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).netloc != ours]  # fmt: skip


@pytest.mark.parametrize(("name", "path", "ready"), PAGES, ids=[page[0] for page in PAGES])
def test_axe_finds_no_violation(browser: Any, site: Site, name: str, path: str, ready: str):
    set_viewport(browser, 1440, 900)
    requested_urls(browser)
    console_errors(browser)
    open_page(browser, site, path, ready)
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert console_errors(browser) == []
    assert _foreign(requested_urls(browser), site.base) == []


@pytest.mark.parametrize(("name", "path", "ready"), DESK_PAGES, ids=[p[0] for p in DESK_PAGES])
def test_axe_finds_no_violation_on_a_phone_with_everything_unfolded(
    browser: Any, site: Site, name: str, path: str, ready: str
):
    set_viewport(browser, 390, 844)
    open_page(browser, site, path, ready)
    for toggle in browser.find_elements(By.CSS_SELECTOR, ".hv-toggle"):
        _click(browser, toggle)
    wait_for(
        lambda: all(
            e.get_attribute("aria-expanded") == "true"
            for e in browser.find_elements(By.CSS_SELECTOR, ".hv-toggle")
        ),
        5,
        "a toggle did not open",
    )
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    set_viewport(browser, 1440, 900)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize(("name", "path", "ready"), PAGES, ids=[page[0] for page in PAGES])
def test_nothing_overflows_sideways(
    browser: Any, site: Site, name: str, path: str, ready: str, width: int, height: int
):
    set_viewport(browser, width, height)
    console_errors(browser)
    open_page(browser, site, path, ready)
    problems = browser.execute_script(OVERFLOW)
    browser.save_screenshot(str(site.shots / f"{name}-{width}x{height}.png"))
    assert problems == [], "\n".join(problems)
    assert console_errors(browser) == []
    set_viewport(browser, 1440, 900)


def _click(browser: Any, element: Any) -> None:
    """A click on the element once it is in the middle of the screen.

    Dispatched by the page's own ``click()``: chromedriver's native click waits for any
    navigation it believes is pending, and on /shift it sometimes waited for minutes.
    """
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    time.sleep(0.2)
    browser.execute_script("arguments[0].click()", element)


def _shown(browser: Any, selector: str) -> bool:
    return bool(
        browser.execute_script(
            "const e = document.querySelector(arguments[0]);"
            "return !!e && e.offsetParent !== null && e.getBoundingClientRect().height > 0;",
            selector,
        )
    )


def _top(browser: Any, selector: str) -> float:
    return float(
        browser.execute_script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().top;", selector
        )
    )


@pytest.mark.parametrize(("name", "path", "ready"), DESK_PAGES, ids=[p[0] for p in DESK_PAGES])
@pytest.mark.parametrize("width", [390, 1024])
def test_on_small_screens_the_navbar_and_filters_fold(
    browser: Any, site: Site, name: str, path: str, ready: str, width: int
):
    set_viewport(browser, width, 844 if width == 390 else 768)
    open_page(browser, site, path, ready)
    filters = f"#{name}-controls-collapse"
    # folded: a menu button in the navbar, one button for the controls and filters
    assert _shown(browser, ".hv-navbar .navbar-toggler")
    assert not _shown(browser, "#nav-link-overview")
    assert not _shown(browser, filters)
    # the key figures come before the controls
    assert _top(browser, ".hv-kpis") < _top(browser, f"#{name}-controls-toggle")
    _click(browser, browser.find_element(By.CSS_SELECTOR, ".hv-navbar .navbar-toggler"))
    wait_for(lambda: _shown(browser, "#nav-link-overview"), 5, "the menu did not open")
    _click(browser, browser.find_element(By.ID, f"{name}-controls-toggle"))
    wait_for(lambda: _shown(browser, filters), 5, "the filters did not unfold")
    toggle = browser.find_element(By.ID, f"{name}-controls-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    _click(browser, toggle)
    wait_for(lambda: not _shown(browser, filters), 5, "the filters did not fold again")
    # on a desk screen everything is out, and no toggle is in the way
    set_viewport(browser, 1440, 900)
    time.sleep(0.3)
    assert _shown(browser, filters) and _shown(browser, "#nav-link-overview")
    assert not _shown(browser, f"#{name}-controls-toggle")
    assert not _shown(browser, ".hv-navbar .navbar-toggler")


def test_a_filter_dropdown_is_one_tab_stop_and_opens_from_the_keyboard(browser: Any, site: Site):
    set_viewport(browser, 1440, 900)
    open_page(browser, site, "/overview", ".hv-kpis .hv-kpi-value")
    button = browser.find_element(By.ID, "overview-filter-channel")
    assert button.get_attribute("tabindex") == "0"
    hidden = browser.find_elements(By.CSS_SELECTOR, ".dash-dropdown-focus-target")
    assert hidden and all(e.get_attribute("tabindex") == "-1" for e in hidden)
    browser.execute_script("arguments[0].focus()", button)
    from selenium.webdriver.common.keys import Keys

    button.send_keys(Keys.ENTER)
    wait_for(lambda: button.get_attribute("aria-expanded") == "true", 5, "Enter did not open it")
    button.send_keys(Keys.ESCAPE)
