"""The real-browser harness: the app served on 127.0.0.1 in a thread, Debian's headless Chromium.

Used by the fixtures of ``tests/browser`` and by ``bench/browser.py``. Without Chromium and
chromedriver the tests are skipped (they fail in CI).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.service import SnapshotService
from dashboard.settings import Settings
from data_access.engine import make_engine
from tests.support.db import IN_CI, prepare_database

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REFRESH_SECONDS = 1
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)


def missing_browser() -> list[str]:
    """What is missing of Chromium and chromedriver (empty when both are there)."""
    return [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]


def require_browser() -> None:
    """Skip (or fail in CI) when Chromium or chromedriver is missing."""
    missing = missing_browser()
    if not missing:
        return
    message = (
        f"browser tests need Chromium and chromedriver ({', '.join(missing)} missing): "
        "apt-get install chromium chromium-driver"
    )
    if IN_CI:
        pytest.fail(message + " (required in CI)")
    pytest.skip(message)


# --- the app in a thread -------------------------------------------------------------------
@dataclass
class LiveWall:
    """A running app: its URL, service, presenter and a writer engine on its database."""

    base: str
    app: Any
    service: SnapshotService
    writer: Engine
    url: str

    @property
    def presenter(self) -> Any:
        return self.app.server.config["HOTLINE_WALL"]


@contextmanager
def serve(settings: Settings, url: str) -> Iterator[LiveWall]:
    """Serve a fresh app (scheduler included) on a free port until the block ends."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    writer = make_engine(url)
    service = app.server.config["HOTLINE_SERVICE"]
    try:
        yield LiveWall(f"http://127.0.0.1:{server.server_port}", app, service, writer, url)
    finally:
        scheduler = app.server.config.get("HOTLINE_SCHEDULER")
        if scheduler is not None:
            # Stop the jobs; the scheduler itself is shut down at exit (dashboard.scheduler).
            scheduler.remove_all_jobs()
        server.shutdown()
        thread.join(timeout=5)
        writer.dispose()
        service.engine.dispose()


def wall_settings(url: str, **extra: Any) -> Settings:
    """Settings of a test wall: 1 s refresh, no simulator."""
    values: dict[str, Any] = {
        "DATABASE_URL": url,
        "HOTLINE_SIMULATE": False,
        "HOTLINE_REFRESH_SECONDS": REFRESH_SECONDS,
        "HOTLINE_LOG_LEVEL": "WARNING",
    }
    values.update(extra)
    return Settings(**values)


def write_history(url: str, *, days: int = 8, per_day: int = 300, seed: int = 1022) -> None:
    """Realistic demo history up to now (the demo generator of dashboard.demo)."""
    from dashboard.demo import write_demo_history

    engine = make_engine(url, statement_timeout_ms=600_000)
    try:
        write_demo_history(engine, wall_settings(url), days=days, per_day=per_day, seed=seed)
    finally:
        engine.dispose()


@contextmanager
def serve_history(
    url: str, *, days: int = 8, per_day: int = 300, **extra: Any
) -> Iterator[LiveWall]:
    """Migrate the database at ``url``, write ``days`` of demo history and serve a wall on it
    (:func:`wall_settings` with ``extra``) until the block ends."""
    prepare_database(url)
    write_history(url, days=days, per_day=per_day)
    with serve(wall_settings(url, **extra), url) as wall:
        yield wall


@dataclass
class LiveSite(LiveWall):
    """A served app with its users, and where its screenshots go."""

    shots: Path
    users_file: Path


@contextmanager
def serve_site(
    directory: Path, users: Mapping[str, tuple[str, str, str]], *, days: int, per_day: int = 300
) -> Iterator[LiveSite]:
    """A migrated database with ``days`` of demo history, ``users`` (username: password, role,
    name) and the app served on it with a 5 s refresh; screenshots in HOTLINE_SCREENSHOTS."""
    from dashboard.auth import AccessFile

    url = f"sqlite:///{directory / 'tickets.db'}"
    users_file = directory / "users.json"
    access = AccessFile(users_file)
    for username, (password, role, name) in users.items():
        access.add_user(username, password, role, name)
    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS") or directory / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    served = serve_history(
        url,
        days=days,
        per_day=per_day,
        HOTLINE_USERS_FILE=str(users_file),
        HOTLINE_REFRESH_SECONDS=5,
    )
    with served as wall:
        yield LiveSite(wall.base, wall.app, wall.service, wall.writer, wall.url, shots, users_file)


# --- a PostgreSQL the test starts and stops itself -----------------------------------------
class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temporary directory (as user postgres when root)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def available() -> bool:
        return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip()[-500:]}")

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # initdb refuses to run as root: the cluster belongs to user postgres.
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        # -l: the server's output goes to a file, not to our pipes (which would never close).
        log = str(self.directory / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "30", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")


# --- the browser ---------------------------------------------------------------------------
def chrome_driver(profile: Path, *, window_size: str | None = None, logs: bool = False) -> Any:
    """A headless Chromium on ``profile`` (explicit binaries: Selenium Manager never downloads).

    ``logs``: capture the network (performance) and console logs.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in CHROME_ARGS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={profile}")
    if window_size:
        options.add_argument(f"--window-size={window_size}")
    if logs:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def set_viewport(driver: Any, width: int, height: int) -> None:
    """The exact viewport of a wall screen (headless windows have no chrome to subtract)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def wait_for(condition: Callable[[], Any], timeout: float, message: str, step: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``message`` on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except Exception as exc:  # noqa: BLE001 - the page may be between renders
            last = exc
        else:
            if last:
                return last
        time.sleep(step)
    raise AssertionError(f"{message} (last: {last!r})")


def open_wall(driver: Any, url: str, timeout: float = 15) -> None:
    """Load a wall and wait until it shows numbers."""
    driver.get(url)
    wait_for(
        lambda: driver.execute_script(
            "var v = document.getElementById('tile-received-day-value');"
            "return v && v.textContent !== '…' && window.hotlineWall"
            " && document.querySelector('#graph-hourly .chart-col');"
        ),
        timeout,
        "the wall never showed its numbers",
    )


def requested_urls(driver: Any) -> list[str]:
    """URLs the page requested since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@contextmanager
def renderer_held_back(driver: Any) -> Iterator[None]:
    """Pages loaded inside run without Dash's renderer: what a prerendered page's index
    alone shows (its HTML copy). Its failed start is a console error the caller expects."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*dash_renderer*"]})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


# The boxes (left, top, width, height; whole pixels) of the elements a selector matches.
BOXES = """
return Array.from(document.querySelectorAll(arguments[0]), (e) => {
  const r = e.getBoundingClientRect();
  return [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)];
});
"""


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """Console and network errors since the last call."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


READ_WALL = """
const text = (id) => { const e = document.getElementById(id); return e ? e.textContent : null; };
const tiles = {};
for (const key of arguments[0]) {
  const id = 'tile-' + key.replace(/_/g, '-');
  tiles[key] = {value: text(id + '-value'), className: document.getElementById(id).className};
}
const urgency = {};
for (const level of ['4', '3', '2', '1', 'unclassified']) {
  urgency[level] = text('urgency-' + level + '-value');
}
const lists = {};
for (const list of ['list-fields', 'list-status', 'list-channel', 'list-line']) {
  const rows = [];
  const container = document.getElementById(list);
  for (const row of container.querySelectorAll('.barlist-row')) {
    rows.push([row.querySelector('.barlist-label').textContent,
               row.querySelector('.barlist-value').textContent]);
  }
  lists[list] = rows;
}
const overdue = [...document.querySelectorAll('#overdue-body tr')].map(
  (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
// The charts are HTML (layouts/wall_charts.py): each column carries its numbers.
const columns = (selector) => [...document.querySelectorAll(selector)];
const number = (text) => (text === '' || text === undefined ? null : Number(text));
const hourly = columns('#graph-hourly .chart-col');
const shifts = columns('#graph-shifts .chart-group');
return {
  tiles, urgency, lists, overdue,
  hourly: hourly.length ? hourly.map((c) => number(c.dataset.value)) : null,
  hourlyLabels: hourly.length
    ? columns('#graph-hourly .chart-tick').map((t) => t.textContent) : null,
  shifts: shifts.length ? shifts.map((g) => number(g.dataset.value)) : null,
  shiftsBefore: shifts.length ? shifts.map((g) => number(g.dataset.previous)) : null,
  dataTime: text('wall-data-time'),
  shift: text('wall-shift'),
  banner: document.getElementById('wall-banner').className,
  bannerText: text('wall-banner-text'),
  wall: document.getElementById('wall').className,
  lang: document.documentElement.lang,
};
"""

# Everything that must fit: the canvas in the viewport, and no box clipping its content.
LAYOUT_PROBLEMS = """
const problems = [];
const vw = window.innerWidth, vh = window.innerHeight;
const root = document.documentElement, body = document.body;
if (root.scrollWidth > vw || root.scrollHeight > vh) problems.push('page scrolls');
if (body.scrollWidth > vw || body.scrollHeight > vh) problems.push('body scrolls');
const wall = document.getElementById('wall').getBoundingClientRect();
if (wall.left < -1 || wall.top < -1 || wall.right > vw + 1 || wall.bottom > vh + 1) {
  problems.push('wall outside the viewport: ' + JSON.stringify(wall));
}
const boxes = document.querySelectorAll(
  '.wall, .wall-header, .wall-banner, .tile, .tile-label, .tile-value, .tile-note, .panel, ' +
  '.panel-title, .panel-body, .barlist, .barlist-label, .barlist-value, .urgency-row, ' +
  '.urgency-text, .overdue-table td, .overdue-table th, .wall-clock, .wall-data-time, ' +
  '.overdue-more, .sb-label, .sb-value, .sb-note, .sb-state, .chart-legend, ' +
  '.chart-group-label, .wall-alert-rule, .wall-alert-age, .wall-alert-more');
for (const box of boxes) {
  if (box.offsetParent === null && getComputedStyle(box).position !== 'fixed') continue;
  if (getComputedStyle(box).visibility === 'hidden') continue;
  if (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 2) {
    problems.push((box.id || box.className) + ' clips "' + box.textContent.slice(0, 40) + '" ' +
      box.scrollWidth + 'x' + box.scrollHeight + ' > ' + box.clientWidth + 'x' + box.clientHeight);
  }
}
// Every panel and tile lies inside the wall's main area or header, not under another.
const main = document.getElementById('wall-main').getBoundingClientRect();
for (const panel of document.querySelectorAll('#wall-main .panel')) {
  if (panel.offsetParent === null || getComputedStyle(panel).visibility === 'hidden') continue;
  const r = panel.getBoundingClientRect();
  if (r.bottom > main.bottom + 1 || r.right > main.right + 1) {
    problems.push('panel past the main area: ' + panel.className);
  }
}
// The charts keep a real height (design px: offsetHeight ignores the canvas's scale), and
// no number over a bar runs into the legend.
const charts = document.querySelectorAll('#wall-main .panel-hourly, #wall-main .panel-shifts');
for (const panel of charts) {
  if (panel.offsetParent === null || getComputedStyle(panel).visibility === 'hidden') continue;
  if (panel.offsetHeight < 200) problems.push('chart too low: ' + panel.className);
  const legend = panel.querySelector('.chart-legend');
  if (!legend) continue;
  const under = legend.getBoundingClientRect().bottom;
  for (const label of panel.querySelectorAll('.chart-bar-value')) {
    if (!label.textContent || getComputedStyle(label).visibility === 'hidden') continue;
    if (label.getBoundingClientRect().top < under - 1) {
      problems.push('chart number over the legend: ' + label.textContent);
    }
  }
}
return problems;
"""
