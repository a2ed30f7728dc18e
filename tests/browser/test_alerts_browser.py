"""The wall shows a new alert; the supervisor acknowledges it from the shift view."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dashboard.shifts import utc_now
from tests.support.browser import (
    console_errors,
    open_wall,
    serve,
    set_viewport,
    wait_for,
    wall_settings,
)
from tests.support.db import insert_tickets, overdue_ticket

pytestmark = pytest.mark.browser

LAYOUT_CLIPPED = """
const strip = document.getElementById('wall-alerts');
const r = strip.getBoundingClientRect();
const page = document.documentElement;
return [r.bottom <= window.innerHeight, r.right <= window.innerWidth,
        page.scrollHeight <= window.innerHeight, page.scrollWidth <= window.innerWidth];
"""


def test_wall_shows_a_new_alert_and_the_supervisor_acknowledges_it(
    browser, sqlite_url: str, tmp_path: Path
) -> None:
    with serve(wall_settings(sqlite_url, HOTLINE_SECRET_KEY="browser-test"), sqlite_url) as wall:
        set_viewport(browser, 1920, 1080)
        open_wall(browser, wall.base + "/")
        wait_for(
            lambda: "Không có cảnh báo" in browser.find_element("id", "wall-alerts").text,
            10,
            "the wall's alert strip is empty at first",
        )
        now = utc_now()
        insert_tickets(
            wall.writer,
            [
                overdue_ticket(
                    "1022-UI-0001",
                    "so_xay_dung",
                    forwarded_at=now - timedelta(hours=3),
                    due_at=now - timedelta(seconds=30),
                    category="trat_tu_do_thi",
                    urgency=2,
                )
            ],
        )
        chip = wait_for(
            lambda: browser.find_element("css selector", ".wall-alert--firing").text,
            8,
            "the new alert never showed on the wall",
        )
        assert "1022-UI-0001" in chip and "Quá hạn" in chip
        assert browser.execute_script(LAYOUT_CLIPPED) == [True, True, True, True]
        browser.save_screenshot(str(tmp_path / "wall-alert.png"))

        browser.get(wall.base + "/shift")
        button = wait_for(
            lambda: browser.find_element("css selector", "#shift-alerts-body button"),
            15,
            "the shift view never listed the alert",
        )
        assert "1022-UI-0001" in browser.find_element("id", "shift-alerts-body").text
        button.click()
        wait_for(
            lambda: "Đã xác nhận" in browser.find_element("id", "shift-alerts-body").text,
            10,
            "the acknowledgement never showed",
        )
        (alert,) = wall.app.server.config["HOTLINE_ALERTS"].active()
        assert alert.state == "acknowledged" and alert.acknowledged_by == "Trưởng ca"
        open_wall(browser, wall.base + "/")
        wait_for(
            lambda: browser.find_element("css selector", ".wall-alert--acknowledged"),
            8,
            "the wall never showed the acknowledgement",
        )
        assert console_errors(browser) == []
        wall.app.server.config["HOTLINE_ALERT_JOBS"].shutdown(wait=True)
