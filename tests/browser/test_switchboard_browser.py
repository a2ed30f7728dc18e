"""The switchboard strip in a real Chromium: a call entering the queue shows within an interval."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.shifts import utc_now
from tests.support.browser import (
    LAYOUT_PROBLEMS,
    REFRESH_SECONDS,
    LiveWall,
    console_errors,
    open_wall,
    require_browser,
    serve_history,
    set_viewport,
    wait_for,
)

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def switchboard_wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveWall, Path]]:
    """A wall whose server follows a queue_log the test writes (demo history included)."""
    require_browser()
    folder = tmp_path_factory.mktemp("switchboard")
    url = f"sqlite:///{folder / 'tickets.db'}"
    queue_log = folder / "queue_log"
    served = serve_history(
        url, days=2, HOTLINE_QUEUE_LOG=str(queue_log), HOTLINE_FOLLOW_QUEUE_LOG=True
    )
    with served as wall:
        yield wall, queue_log


def append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(lines))


def waiting_shown(driver: Any) -> str:
    # A script, not find_element(...).text: each refresh replaces the cell, and a found
    # element can go stale between the find and the read.
    return driver.execute_script(
        "const cell = document.getElementById('sb-waiting'); return cell ? cell.textContent : '';"
    )


def test_a_call_entering_the_queue_shows_within_one_interval_plus_two_seconds(
    browser: Any, switchboard_wall: tuple[LiveWall, Path]
) -> None:
    wall, queue_log = switchboard_wall
    set_viewport(browser, 1920, 1080)
    now = int(utc_now().timestamp())
    append(
        queue_log,
        f"{now - 60}|NONE|hotline1022|PJSIP/op01|ADDMEMBER|\n",
        f"{now - 60}|NONE|hotline1022|PJSIP/op02|ADDMEMBER|\n",
        f"{now - 50}|b1|hotline1022|NONE|ENTERQUEUE||0900000001|1\n",
        f"{now - 45}|b1|hotline1022|PJSIP/op01|CONNECT|5|b1a|3\n",
    )
    open_wall(browser, wall.base + "/")
    wait_for(lambda: waiting_shown(browser) == "0", 2 * REFRESH_SECONDS + 3, "no strip")
    # One caller enters the queue now: the follower (each second) and the refresh bring it.
    append(queue_log, f"{int(utc_now().timestamp())}|b2|ubnd|NONE|ENTERQUEUE||0900000002|1\n")
    started = time.monotonic()
    wait_for(
        lambda: waiting_shown(browser) == "1",
        REFRESH_SECONDS + 2,
        "the waiting call did not show within one interval + 2 s",
        step=0.05,
    )
    assert time.monotonic() - started <= REFRESH_SECONDS + 2
    # Three waiting: the strip shows the queue in alarm (the default threshold is 3).
    stamp = int(utc_now().timestamp())
    append(
        queue_log,
        f"{stamp}|b3|hotline1022|NONE|ENTERQUEUE||0900000003|2\n",
        f"{stamp}|b4|hotline1022|NONE|ENTERQUEUE||0900000004|3\n",
    )
    wait_for(lambda: waiting_shown(browser) == "3", REFRESH_SECONDS + 3, "three not shown")
    # Read in one script: a refresh replaces the strip's cells (a found element goes stale).
    cell_class, answered = browser.execute_script(
        "return [document.getElementById('sb-cell-waiting').className,"
        " document.getElementById('sb-answered').textContent];"
    )
    assert "sb-cell--alarm" in cell_class
    assert answered == "1"
    assert browser.execute_script(LAYOUT_PROBLEMS) == []
    assert console_errors(browser) == []
    body = browser.find_element("tag name", "body").text
    assert "Tổng đài" in body and "Đang chờ" in body and "Chờ lâu nhất" in body
    assert "0900000002" not in body
    SCREENSHOT.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT / "wall-switchboard-1920x1080.png"))


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_the_wall_with_the_strip_fits_one_screen(
    browser: Any, switchboard_wall: tuple[LiveWall, Path], width: int, height: int
) -> None:
    wall, _ = switchboard_wall
    set_viewport(browser, width, height)
    for query in ("/", "/?lang=en"):
        open_wall(browser, wall.base + query)
        wait_for(lambda: waiting_shown(browser) != "—", REFRESH_SECONDS + 3, "no figures")
        assert browser.execute_script(LAYOUT_PROBLEMS) == []
