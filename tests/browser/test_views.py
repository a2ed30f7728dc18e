"""The shift view and the overview in a real browser: login, numbers, a filter, drill-down.

Headless Chromium against the app served in a thread, on an SQLite file with 64
days of demo history and a users file. Screenshots go to a temporary directory,
or to ``HOTLINE_SCREENSHOTS`` when set (``docs/screenshots`` for the docs):

    HOTLINE_SCREENSHOTS=docs/screenshots pytest tests/browser/test_views.py
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.print_page_options import PrintOptions
from sqlalchemy import select

from dashboard.auth import AccessFile
from dashboard.formatting import parse_count
from dashboard.overview import Overview, compute_overview
from dashboard.shift_view import compute_shift_view
from dashboard.shifts import utc_now
from data_access.queries import Filters
from data_access.schema import tickets
from tests.support.browser import (
    BOXES,
    LiveSite,
    console_errors,
    renderer_held_back,
    require_browser,
    serve_site,
    set_viewport,
    wait_for,
)

pytestmark = pytest.mark.browser

USERS = {
    "truongca": ("mat-khau-truong-ca", "supervisor", "Trần Thị Ca"),
    "lanhdao": ("mat-khau-lanh-dao", "leader", "Lê Văn Đạo"),
}


LiveViews = LiveSite


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveViews]:
    require_browser()
    # two whole 30-day ranges of history
    with serve_site(tmp_path_factory.mktemp("views"), USERS, days=64) as site:
        yield site


def login(driver: Any, views: LiveViews, username: str, target: str) -> None:
    """Log in through the form, starting from the page wanted."""
    driver.get(views.base + "/logout")  # whoever was signed in before
    driver.delete_all_cookies()
    driver.get(views.base + target)
    wait_for(lambda: "/login" in driver.current_url, 10, "not sent to the login page")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(USERS[username][0])
    driver.find_element(By.ID, "login-submit").click()
    wait_for(lambda: "/login" not in driver.current_url, 30, "the login did not go through")


def kpi(driver: Any, kpi_id: str) -> int:
    """The number of a KPI card."""
    return parse_count(driver.find_element(By.CSS_SELECTOR, f"#{kpi_id} .hv-kpi-value").text)


def wait_kpi(driver: Any, kpi_id: str, expected: int, timeout: float = 20) -> None:
    """Wait until a KPI card shows ``expected``."""
    wait_for(lambda: kpi(driver, kpi_id) == expected, timeout, f"{kpi_id} never showed {expected}")


def full_page_shot(driver: Any, path: Path, width: int = 1440) -> None:
    """A screenshot of the whole page at ``width``."""
    driver.execute_script("return document.fonts.ready")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    set_viewport(driver, width, min(max(height, 800), 4000))
    time.sleep(0.8)  # figures follow the new size
    driver.save_screenshot(str(path))
    set_viewport(driver, width, 900)


def choose(driver: Any, dropdown_id: str, label: str) -> None:
    """Pick an option of a (multi-select) dropdown by its label."""
    driver.find_element(By.ID, dropdown_id).click()
    option = wait_for(
        lambda: next(
            (o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text == label),
            None,
        ),
        10,
        f"no option {label}",
    )
    option.click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def _yesterday() -> date:
    return date.today() - timedelta(days=1)


def _reader(views: LiveViews) -> Any:
    return views.service.engine


def test_shift_view_numbers_a_filter_and_the_url_round_trip(browser, views):
    set_viewport(browser, 1440, 900)
    day, calendar = _yesterday(), views.service.calendar
    login(browser, views, "truongca", f"/shift?day={day.isoformat()}&shift=2")
    assert browser.current_url.endswith(f"/shift?day={day.isoformat()}&shift=2")
    expected = compute_shift_view(_reader(views), calendar, day, 2, utc_now())
    wait_kpi(browser, "shift-kpi-received", expected.snapshot.received)
    assert kpi(browser, "shift-kpi-forwarded") == expected.snapshot.forwarded
    assert kpi(browser, "shift-kpi-resolved") == expected.snapshot.resolved_in_window
    assert kpi(browser, "shift-kpi-backlog-in") == expected.backlog_in.open
    rows = browser.find_elements(By.CSS_SELECTOR, "#shift-operators-table tbody tr")
    assert len(rows) == len(expected.operators) + 1
    title = browser.find_element(By.ID, "shift-subtitle").text
    assert "Ca 2" in title and day.strftime("%d/%m/%Y") in title
    assert browser.find_element(By.ID, "nav-link-shift").get_attribute("class").count("active")
    full_page_shot(browser, views.shots / "shift-vi.png")

    # a filter: the URL follows, and the numbers are those of the filter
    choose(browser, "shift-filter-channel", "Tin nhắn")
    sms = compute_shift_view(
        _reader(views), calendar, day, 2, utc_now(), Filters(channels=("sms",))
    )
    wait_for(lambda: "channel=sms" in browser.current_url, 10, "the URL did not follow")
    wait_kpi(browser, "shift-kpi-received", sms.snapshot.received)
    link = browser.find_element(By.ID, "shift-report-link").get_attribute("href")
    assert link.endswith(f"/shift/report?day={day.isoformat()}&shift=2&channel=sms")

    # the link reproduces the view
    shared = browser.current_url
    browser.get(shared)
    wait_kpi(browser, "shift-kpi-received", sms.snapshot.received)
    assert "Tin nhắn" in browser.find_element(By.ID, "shift-filter-channel").text
    assert browser.current_url == shared
    full_page_shot(browser, views.shots / "shift-vi-sms.png")
    assert console_errors(browser) == []


def test_hand_over_report_prints_on_one_a4_page(browser, views):
    set_viewport(browser, 1100, 900)
    day = _yesterday()
    login(browser, views, "truongca", f"/shift/report?day={day.isoformat()}&shift=2")
    report = wait_for(lambda: browser.find_element(By.ID, "shift-report"), 20, "no report")
    assert "BÁO CÁO GIAO CA" in report.text
    assert "Trần Thị Ca" in report.text  # who made it
    assert "Trưởng ca giao" in report.text and "Trưởng ca nhận" in report.text
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf = base64.b64decode(browser.print_page(options))
    assert re.findall(rb"/Count (\d+)", pdf)[0] == b"1", "the report must fit one A4 page"
    full_page_shot(browser, views.shots / "shift-report-screen.png", width=1100)
    # what the paper gets: no buttons, no navbar
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        set_viewport(browser, 794, 1123)
        buttons = browser.find_element(By.CSS_SELECTOR, ".hv-report-actions")
        assert not buttons.is_displayed()
        browser.save_screenshot(str(views.shots / "shift-report-print.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def _open_overview(
    driver: Any, views: LiveViews, *, days: int, query: str = "", filters: Filters | None = None
) -> Overview:
    """The leader's overview of the last ``days`` operating days (``query`` added to its URL),
    once it shows the received count it should; what it should show."""
    set_viewport(driver, 1440, 900)
    calendar = views.service.calendar
    last = calendar.operating_day(utc_now())
    first = last - timedelta(days=days - 1)
    login(
        driver, views, "lanhdao", f"/overview?from={first.isoformat()}&to={last.isoformat()}{query}"
    )
    expected = compute_overview(_reader(views), calendar, first, last, utc_now(), filters)
    wait_kpi(driver, "overview-kpi-received", expected.current.received)
    return expected


def test_overview_numbers_drill_down_and_history(browser, views):
    expected = _open_overview(browser, views, days=30)
    assert kpi(browser, "overview-kpi-resolved") == expected.current.resolved
    assert kpi(browser, "overview-kpi-forwarded") == expected.current.forwarded

    # the agency table: its first row is the agency with most overdue level 3-4 tickets
    wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#overview-agencies td[data-dash-column]"),
        10,
        "no agency table",
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "#overview-agencies tbody tr")
    shown = [r for r in rows if r.find_elements(By.CSS_SELECTOR, "td[data-dash-column=agency]")]
    top = max(expected.agencies, key=lambda row: (row.overdue_serious, row.overdue_now))
    cell = shown[0].find_element(By.CSS_SELECTOR, "td[data-dash-column=resolved]")
    assert parse_count(cell.text) == top.resolved
    full_page_shot(browser, views.shots / "overview-vi.png")

    # drill down from a count to its tickets
    cell.click()
    modal = wait_for(
        lambda: browser.find_element(By.ID, "overview-drill-modal"), 10, "no drill-down"
    )
    count = wait_for(
        lambda: browser.find_element(By.ID, "overview-drill-count").text, 15, "no count"
    )
    assert parse_count(count.split("·")[0]) == top.resolved
    codes = wait_for(
        lambda: browser.find_elements(
            By.CSS_SELECTOR, "#overview-drill-table td[data-dash-column=code]"
        ),
        10,
        "no tickets listed",
    )
    assert len(codes) == min(25, top.resolved)
    page_text = modal.text
    listed = [element.text for element in codes]
    with views.writer.connect() as conn:
        personal = conn.execute(
            select(tickets.c.citizen_name, tickets.c.citizen_phone, tickets.c.citizen_email).where(
                tickets.c.code.in_(listed)
            )
        ).all()
    values = [value for row in personal for value in row if value]
    assert values, "the demo tickets carry personal data to look for"
    assert not any(value in page_text for value in values)
    # ... and from a ticket to its history
    code = codes[0].text
    codes[0].click()
    history = wait_for(
        lambda: browser.find_element(By.ID, "overview-history-table"), 15, "no history"
    )
    assert code in browser.find_element(By.CSS_SELECTOR, ".hv-history-title").text
    assert len(history.find_elements(By.CSS_SELECTOR, "tbody tr")) >= 2
    time.sleep(0.5)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", history)
    browser.save_screenshot(str(views.shots / "overview-drill.png"))
    browser.find_element(By.ID, "overview-drill-close").click()
    assert console_errors(browser) == []


def _wait_drill_count(driver: Any, expected: int) -> None:
    """Wait until the drill-down counts ``expected`` tickets (the last count shows meanwhile)."""

    def count() -> int | None:
        text = driver.find_element(By.ID, "overview-drill-count").text
        return parse_count(text.split("·")[0]) if text else None

    wait_for(lambda: count() == expected, 15, f"the drill-down never counted {expected}")


def _close_drill(driver: Any) -> None:
    driver.find_element(By.ID, "overview-drill-close").click()
    # gone, not only fading: while it is there the dialog keeps the keyboard focus inside it
    wait_for(
        lambda: not any(e.is_displayed() for e in driver.find_elements(By.CSS_SELECTOR, ".modal")),
        10,
        "the drill-down did not close",
    )
    time.sleep(0.3)


def test_overview_trend_day_and_heatmap_cell_open_their_tickets(browser, views):
    expected = _open_overview(browser, views, days=30)
    # a day of the trend (a button, clicked): that day's received tickets
    point = max(expected.daily, key=lambda p: p.received)
    day = wait_for(
        lambda: browser.find_element(
            By.CSS_SELECTOR, f'.hv-trend-day[data-day="{point.day.isoformat()}"]'
        ),
        15,
        "no trend day",
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, ".hv-trend-day")) == len(expected.daily)
    assert parse_count(day.get_attribute("aria-label").split(":")[1].split(",")[0].split()[-1]) == (
        point.received
    )
    # dispatched by the page (a native click missed the button on a page still laying out)
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", day
    )
    _wait_drill_count(browser, point.received)
    assert (
        point.day.strftime("%d/%m/%Y") in browser.find_element(By.ID, "overview-drill-title").text
    )
    _close_drill(browser)
    # a cell of the heatmap, from the keyboard: its field and level over the range
    category, level, count = max(
        ((c, k, n) for c, levels in expected.heatmap.items() for k, n in levels.items()),
        key=lambda item: item[2],
    )
    cell = browser.find_element(By.CSS_SELECTOR, f'.hv-heat-button[data-cell="{category}|{level}"]')
    assert parse_count(cell.text) == count
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", cell
    )
    cell.send_keys(Keys.ENTER)
    _wait_drill_count(browser, count)
    _close_drill(browser)
    assert console_errors(browser) == []


def test_overview_in_english_with_a_filter(browser, views):
    _open_overview(
        browser, views, days=7, query="&urgency=3,4&lang=en", filters=Filters(urgencies=("3", "4"))
    )
    assert "Agency accountability" in browser.page_source
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    wait_for(lambda: "urgency=3,4" in browser.current_url, 10, "the URL lost the filter")
    full_page_shot(browser, views.shots / "overview-en.png")


def test_a_supervisor_is_refused_the_overview(browser, views):
    login(browser, views, "truongca", "/shift")
    browser.get(views.base + "/overview")
    assert "Bạn không có quyền xem trang này" in browser.page_source
    browser.get(views.base + "/export/tickets.csv")
    assert "not allowed" in browser.page_source


def test_navbar_between_the_views_and_none_in_kiosk_mode(browser, views):
    set_viewport(browser, 1920, 1080)
    login(browser, views, "lanhdao", "/overview")
    anchors = wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#nav-bar a.nav-link"), 30, "no navbar"
    )
    links = [anchor.get_attribute("href") for anchor in anchors]
    assert any(link.endswith("/shift") for link in links)
    assert any(link.endswith("/") for link in links)
    browser.find_element(By.ID, "nav-link-shift").click()
    wait_for(
        lambda: browser.current_url.endswith("/shift"), 10, "the navbar did not lead to /shift"
    )
    browser.get(views.base + "/")
    overlay = wait_for(
        lambda: browser.find_element(By.CSS_SELECTOR, ".hv-nav-overlay #nav-bar"), 30, "no navbar"
    )
    top = browser.execute_script("return arguments[0].getBoundingClientRect().bottom", overlay)
    assert top <= 0, "on the wall the navbar waits out of sight"
    browser.get(views.base + "/?kiosk=1")
    wait_for(lambda: browser.find_elements(By.ID, "wall-main"), 30, "no wall")
    assert browser.find_elements(By.ID, "nav-bar") == []
    # a wall screen's link: the wall only, and no navbar
    _, token = AccessFile(views.users_file).create_link("Phòng điều hành")
    browser.delete_all_cookies()
    browser.get(f"{views.base}/wall/{token}")
    wait_for(lambda: browser.find_elements(By.ID, "wall-main"), 30, "the wall link did not open")
    assert browser.find_elements(By.ID, "nav-bar") == []
    browser.get(views.base + "/shift")
    assert "Bạn không có quyền xem trang này" in browser.page_source


def test_a_revoked_wall_link_drops_the_screen(browser, views):
    access = AccessFile(views.users_file)
    link, token = access.create_link("Sảnh")
    browser.delete_all_cookies()
    browser.get(f"{views.base}/wall/{token}")
    wait_for(lambda: browser.find_elements(By.ID, "wall-main"), 30, "the wall link did not open")
    access.revoke_link(link.id)
    browser.get(views.base + "/")
    wait_for(lambda: "/login" in browser.current_url, 10, "a revoked link still shows the wall")


# The parts of the shift view under a root (the index's copy, or Dash's page).
SHIFT_PARTS = "{root} .hv-header, {root} .hv-controls, {root} .hv-kpi, {root} .hv-kpi-value"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_the_shift_index_shows_the_page_where_dash_then_draws_it(browser, views, width, height):
    set_viewport(browser, width, height)
    target = f"/shift?day={_yesterday().isoformat()}&shift=2"
    login(browser, views, "truongca", target)
    wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#shift-content .hv-kpi-value"),
        30,
        "the shift view showed no numbers",
    )
    assert browser.find_elements(By.CSS_SELECTOR, ".hv-prerender") == []
    root = "#react-entry-point"
    drawn = browser.execute_script(BOXES, SHIFT_PARTS.format(root=root))
    shown = [e.text for e in browser.find_elements(By.CSS_SELECTOR, f"{root} .hv-kpi-value")]
    # Dash's renderer held back: what the index alone shows (on a phone, the key figures
    # first: the responsive order applies to the copy too).
    with renderer_held_back(browser):
        browser.get(views.base + target)
        wait_for(
            lambda: browser.find_elements(By.CSS_SELECTOR, ".hv-prerender .hv-kpi-value"),
            15,
            "the index carries no shift view",
        )
        copied = browser.execute_script(BOXES, SHIFT_PARTS.format(root=".hv-prerender"))
        values = browser.find_elements(By.CSS_SELECTOR, ".hv-prerender .hv-kpi-value")
        assert [value.text for value in values] == shown  # a past shift: the same numbers
    console_errors(browser)  # the held-back renderer's start fails, as it should
    assert len(copied) == len(drawn) > 6
    assert copied == drawn  # nothing moves when Dash's page takes the copy's place


def test_overview_index_shows_the_page_until_dash_draws_it(browser, views):
    console_errors(browser)  # what the tests before left (a refused page is a 403)
    expected = _open_overview(browser, views, days=30)
    # Drawn by Dash: the HTML copy is gone, no id stands twice, nothing failed.
    assert browser.find_elements(By.CSS_SELECTOR, ".hv-prerender") == []
    # (dash_table writes its own style element twice under one id: not an element shown)
    every_id = browser.execute_script(
        "return Array.from(document.querySelectorAll('[id]:not(style)'), e => e.id)"
    )
    assert len(every_id) == len(set(every_id))
    assert console_errors(browser) == []
    # Without JavaScript the index alone shows the page and its numbers (the copy).
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(browser.current_url)
        copy = browser.find_element(By.CSS_SELECTOR, ".hv-prerender")
        values = copy.find_elements(By.CSS_SELECTOR, ".hv-kpi-value")
        assert parse_count(values[0].text) == expected.current.received
        assert parse_count(values[2].text) == expected.current.resolved
        assert copy.find_element(By.CSS_SELECTOR, ".hv-title").is_displayed()
        browser.save_screenshot(str(views.shots / "overview-copy.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
