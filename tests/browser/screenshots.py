"""Screenshots of the wall for docs/WALL.md: ``python -m tests.browser.screenshots <dir>``.

Demo history (490 tickets a day, as in October 2025) is written up to a fixed
afternoon, 15:42 on Tuesday 1 December 2026, and the app's clock is moved
there, so that every run draws the same board. Each shot is also checked for
clipping and scrollbars like the browser tests do.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from dashboard import ids
from dashboard.shifts import utc_now
from tests.support.browser import (
    LAYOUT_PROBLEMS,
    chrome_driver,
    open_wall,
    require_browser,
    serve,
    set_viewport,
    wait_for,
    wall_settings,
)
from tests.support.db import prepare_database

# 15:42:10 in Ho Chi Minh City (UTC+7): Ca 2 under way, a full morning behind it.
SHOWN_AT = datetime(2026, 12, 1, 8, 42, 10, tzinfo=UTC)

SHOTS = [
    ("wall-vi-1920x1080.png", "/", (1920, 1080)),
    ("wall-en-1920x1080.png", "/?lang=en", (1920, 1080)),
    ("wall-vi-1280x720.png", "/", (1280, 720)),
    ("wall-light-1920x1080.png", "/?theme=light", (1920, 1080)),
]


def take_screenshots(target: Path) -> list[Path]:
    """Write the screenshots into ``target``; fails when one of them clips or scrolls."""
    import callbacks.wall_presenter
    import dashboard.api
    import dashboard.service

    require_browser()
    target.mkdir(parents=True, exist_ok=True)
    offset = SHOWN_AT - utc_now()

    def moved_clock() -> datetime:
        return datetime.now(UTC) + offset

    for module in (dashboard.service, callbacks.wall_presenter, dashboard.api):
        module.utc_now = moved_clock  # type: ignore[attr-defined]

    tmp_path = Path(tempfile.mkdtemp(prefix="hotline-shots-"))
    browser: Any = chrome_driver(tmp_path / "chromium")
    written: list[Path] = []
    try:
        written = _shoot(browser, target, tmp_path, moved_clock)
    finally:
        browser.quit()
    return written


def _shoot(browser: Any, target: Path, tmp_path: Path, moved_clock: Any) -> list[Path]:
    from dashboard.demo import write_demo_history
    from data_access.engine import make_engine

    written = []
    url = f"sqlite:///{tmp_path / 'wall.db'}"
    prepare_database(url)
    engine = make_engine(url, statement_timeout_ms=600_000)
    write_demo_history(
        engine, wall_settings(url), days=8, per_day=490, seed=1022, now=moved_clock()
    )
    engine.dispose()
    with serve(wall_settings(url, HOTLINE_REFRESH_SECONDS=5), url) as wall:
        wait_for(lambda: wall.service.live("day") is not None, 15, "no snapshot")
        wait_for(lambda: wall.service.comparison(SHOWN_AT.date()), 15, "no comparison")
        for name, path, (width, height) in SHOTS:
            set_viewport(browser, width, height)
            open_wall(browser, wall.base + path)
            browser.execute_script("return document.fonts.ready")
            browser.save_screenshot(str(target / name))
            written.append(target / name)
            problems = browser.execute_script(LAYOUT_PROBLEMS)
            assert problems == [], (name, problems)

        # The database fails: the last good numbers stay, under the stale banner.
        set_viewport(browser, 1920, 1080)
        open_wall(browser, wall.base + "/")
        working = wall.service.engine
        wall.service.engine = create_engine(f"sqlite:///file:{tmp_path}/gone.db?mode=ro&uri=true")
        try:
            wait_for(
                lambda: (
                    "wall-banner--stale"
                    in browser.find_element("id", ids.WALL_BANNER).get_attribute("class")
                ),
                20,
                "no stale banner",
            )
            time.sleep(1.5)  # the figures follow the header's new size
            browser.save_screenshot(str(target / "wall-vi-stale-1920x1080.png"))
            written.append(target / "wall-vi-stale-1920x1080.png")
            problems = browser.execute_script(LAYOUT_PROBLEMS)
            assert problems == [], ("stale", problems)
        finally:
            wall.service.engine = working
    return written


if __name__ == "__main__":
    for path in take_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path)
