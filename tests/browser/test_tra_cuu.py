"""The citizens' page in Chromium at a phone's size (390x844), without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from data_access.engine import make_engine
from tests.support.browser import (
    LiveWall,
    console_errors,
    requested_urls,
    require_browser,
    serve,
    wait_for,
    wall_settings,
)
from tests.support.db import PERSONAL_MARKERS, prepare_database
from tests.web.public_helpers import seed

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "tra-cuu-390x844.png"


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWall]:
    require_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('tra-cuu') / 'tickets.db'}"
    prepare_database(url)
    engine = make_engine(url)
    seed(engine)
    engine.dispose()
    with serve(wall_settings(url), url) as site:
        yield site


def phone(driver: Any) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    # Works without JavaScript: the form is a plain GET.
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})


def test_tra_cuu_on_a_phone_without_javascript(public_site: LiveWall, browser: Any) -> None:
    phone(browser)
    try:
        requested_urls(browser)
        console_errors(browser)
        browser.get(public_site.base + "/tra-cuu")
        field = browser.find_element(By.ID, "code")
        assert field.value_of_css_property("font-size") == "17px"  # no zoom-on-focus
        field.send_keys("1022-261201-0002", Keys.ENTER)
        wait_for(lambda: browser.find_elements(By.ID, "result"), 10, "no result shown")
        assert browser.current_url.endswith("/tra-cuu?code=1022-261201-0002")
        text = browser.find_element(By.TAG_NAME, "body").text
        assert "Phản ánh 1022-261201-0002" in text and "Đang xử lý" in text
        assert "Ngập nước, thoát nước" in text and "đã quá hạn" in text
        for marker in PERSONAL_MARKERS:
            assert marker not in browser.page_source
        sizes = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];"
        )
        assert sizes[0] <= sizes[1], "the page scrolls sideways on a phone"
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))
        urls = requested_urls(browser)
        assert urls and all(u.startswith(public_site.base) for u in urls), urls
        assert not [u for u in urls if "/_dash" in u or u.endswith(".js")], urls
        assert console_errors(browser) == []
        # Unknown code: the friendly answer, in English on the link.
        browser.get(public_site.base + "/tra-cuu?code=1022-000000-0000")
        assert browser.find_elements(By.ID, "not-found")
        browser.find_element(By.LINK_TEXT, "English").click()
        assert "No report with the code 1022-000000-0000" in browser.page_source
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
