"""Operations intelligence in a real browser: incident banner, /screens, night mode (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard.intelligence.night import is_night_shift, night_shift_numbers
from dashboard.shifts import utc_now
from tests.support.browser import (
    LAYOUT_PROBLEMS,
    LiveWall,
    open_wall,
    require_browser,
    serve_history,
    set_viewport,
    wait_for,
)
from tests.support.db import insert_tickets, make_ticket

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

INCIDENT_STATE = """
const banners = document.querySelectorAll('#wall-incidents');
const banner = banners[0];
if (!banner) return null;
const text = document.getElementById('wall-incidents-text');
const box = banner.getBoundingClientRect();
return {
  count: banners.length,
  visible: banner.offsetParent !== null && box.height > 0,
  className: banner.className,
  text: text ? text.textContent : null,
  clipped: text ? text.scrollWidth > text.clientWidth + 1 : null,
  overflows: banner.scrollHeight > banner.clientHeight + 1,
  coversClock: ['wall-clock', 'wall-data-time'].some((id) => {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(id));
    return box.right > range.getBoundingClientRect().left;
  }),
  fontSize: parseFloat(getComputedStyle(banner).fontSize),
};
"""


@pytest.fixture(scope="module")
def intel_wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWall]:
    """A wall on eight days of quiet demo history; screens silent after 3 intervals."""
    require_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('intel') / 'tickets.db'}"
    with serve_history(url, days=8, per_day=200, HOTLINE_SCREEN_SILENT_INTERVALS=3) as wall:
        yield wall


def _burst(wall: LiveWall, count: int = 14) -> None:
    now = utc_now()
    insert_tickets(
        wall.writer,
        [
            make_ticket(
                received_at=now - timedelta(minutes=20) + timedelta(minutes=i),
                category="thoat_nuoc",
                area="phuong_thu_duc",
                status="classified",
                urgency=2,
            )
            for i in range(count)
        ],
    )


def test_a_burst_of_reports_shows_one_incident_banner(intel_wall: LiveWall, browser: Any) -> None:
    set_viewport(browser, 1920, 1080)
    open_wall(browser, intel_wall.base + "/")
    before = browser.execute_script(INCIDENT_STATE)
    assert before["count"] == 1 and not before["visible"], before
    _burst(intel_wall)
    state = wait_for(
        lambda: (s := browser.execute_script(INCIDENT_STATE)) and s["visible"] and s,
        20,
        "the incident banner never appeared",
    )
    assert state["count"] == 1
    lines = state["text"].split("\n")
    assert len(lines) == 1, lines
    assert lines[0].startswith("Ngập nước, thoát nước · Phường Thủ Đức: 14 phản ánh trong 30 phút")
    assert "lần bình thường" in lines[0]
    assert not state["clipped"] and not state["overflows"] and not state["coversClock"]
    assert state["fontSize"] >= 30
    browser.save_screenshot(str(SCREENSHOTS / "wall-incident-1920x1080.png"))
    assert browser.execute_script(LAYOUT_PROBLEMS) == []
    # The same incident in the snapshot API.
    document = intel_wall.app.server.test_client().get("/api/snapshot").get_json()
    (incident,) = document["incidents"]
    assert incident["category"] == "thoat_nuoc" and incident["area"] == "phuong_thu_duc"
    assert incident["count"] == 14
    # English too.
    open_wall(browser, intel_wall.base + "/?lang=en")
    state = wait_for(
        lambda: (s := browser.execute_script(INCIDENT_STATE)) and s["visible"] and s,
        10,
        "no English incident banner",
    )
    assert "14 reports in 30 minutes" in state["text"] and "the usual" in state["text"]


def test_a_screen_that_stops_polling_shows_as_silent(intel_wall: LiveWall, browser: Any) -> None:
    registry = intel_wall.app.server.config["HOTLINE_SCREENS"]
    set_viewport(browser, 1920, 1080)
    open_wall(browser, intel_wall.base + "/?screen=lobby-left")

    def alive() -> Any:
        found = {s.beat.name: s for s in registry.statuses(utc_now())}
        status = found.get("lobby-left")
        return status is not None and not status.silent and status

    status = wait_for(alive, 10, "the screen never reported")
    assert status.beat.page_age_seconds is not None
    assert status.beat.heap_mb is not None and status.beat.heap_mb > 0  # Chromium's memory
    # Leaving the wall stops its polling; /screens lists it as silent after 3 intervals.
    browser.get(intel_wall.base + "/screens")
    row = "tr[data-screen='lobby-left']"
    wait_for(
        lambda: browser.execute_script(
            f'const r = document.querySelector("{row}");'
            "return r && r.classList.contains('screen-row--silent') && r.textContent;"
        ),
        15,
        "the screen never showed as silent on /screens",
    )
    assert [beat.name for beat in registry.silent(utc_now())].count("lobby-left") == 1
    # The board's own table remembers it (written at most once a minute).
    names = [beat.name for beat in registry.beats()]
    assert names.count("lobby-left") == 1


def test_night_mode_at_1080p_stays_legible_and_fits(intel_wall: LiveWall, browser: Any) -> None:
    client = intel_wall.app.server.test_client()
    if not client.get("/api/snapshot").get_json()["incidents"]:
        _burst(intel_wall)  # run alone: the screenshot shows an incident too
    set_viewport(browser, 1920, 1080)
    open_wall(browser, intel_wall.base + "/?night=on")
    wait_for(
        lambda: browser.execute_script(
            "return document.documentElement.classList.contains('wall-night');"
        ),
        10,
        "night mode never switched on",
    )
    colours = browser.execute_script(
        "const s = getComputedStyle(document.getElementById('wall'));"
        "const v = document.getElementById('tile-received-day-value');"
        "return [s.backgroundColor, getComputedStyle(v).color];"
    )
    assert colours[0] == "rgb(0, 0, 0)"
    assert colours[1] == "rgb(174, 184, 196)"  # #aeb8c4 on black: contrast about 10:1
    assert browser.execute_script(LAYOUT_PROBLEMS) == []
    wait_for(lambda: browser.execute_script(INCIDENT_STATE)["visible"], 15, "no incident at night")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "wall-night-1920x1080.png"))
    # ?night=off never dims; ?night=auto follows the shift (Ca 3 by default).
    open_wall(browser, intel_wall.base + "/?night=off")
    assert not browser.execute_script(
        "return document.documentElement.classList.contains('wall-night');"
    )
    open_wall(browser, intel_wall.base + "/")
    expected = is_night_shift(intel_wall.service.calendar, utc_now(), night_shift_numbers("3"))
    wait_for(
        lambda: (
            browser.execute_script(
                "return document.documentElement.classList.contains('wall-night');"
            )
            == expected
        ),
        10,
        "?night=auto does not follow the shift",
    )
