"""The wall in a real browser (SPEC section 6): first full render, JS heap over refreshes.

``python -m bench.browser`` runs only this part and prints the figures (``--update-report``
also puts them into docs/PERFORMANCE.md); ``python -m bench`` runs it after the rest.

The real app (``create_app``) is served by werkzeug in a thread on a free 127.0.0.1 port,
on an SQLite file with eight days of demo history (490 tickets a day), refreshing every
second, with the demo feed (``HOTLINE_SIMULATE``) inserting about a ticket a second and
moving tickets along, so the refreshes really patch the tiles, lists and figures.
Debian's headless Chromium (selenium, ``/usr/bin/chromium`` + ``/usr/bin/chromedriver``)
opens ``/`` at 1920x1080.

- First full render: each load in a new Chromium with a new profile and the cache
  disabled, the time from the navigation start (``performance.timeOrigin``) until a KPI
  tile holds digits and both figures have drawn their bars, taken in the page (a
  MutationObserver, then the next animation frame). One load warms the server up and is
  not counted. The target is judged on the median.
- JS heap: one page; the wall's poll (``dcc.Interval`` ``wall-poll``) is set to a short
  interval from the page (``dash_clientside.set_props``, no app change); a refresh is one
  answered ``POST /_dash-update-component`` of the wall's refresh callback (through the
  in-flight guard, as on a wall), counted by a wrapper of ``window.fetch`` installed before
  the page's scripts. ``JSHeapUsedSize`` and ``Nodes`` (CDP ``Performance.getMetrics``) at
  rest (poll paused a second) after forced GCs (CDP ``HeapProfiler.collectGarbage``), after
  the warm-up, at steps for the trend, and after the last refresh. At the end, the heap
  an entry of Dash's undo history takes (it grows with every Interval tick).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.cli import add_update_report, bench_logging, finish_report
from dashboard import ids
from dashboard.arrivals import arrival_factor
from dashboard.settings import Settings
from dashboard.shifts import utc_now
from data_access.engine import make_engine
from layouts.prerender import ROOT_CLASS
from tests.support.browser import chrome_driver, missing_browser, serve, wall_settings
from tests.support.db import prepare_database

log = logging.getLogger("bench")

from bench.browser_plan import (  # noqa: E402 - the plan of the run, shared with the report
    HEAP_GROWTH_TARGET,
    HEIGHT,
    HISTORY_DAYS,
    LOADS,
    NEW_TICKETS_PER_SECOND,
    POLL_MS,
    READINGS,
    REFRESH_SECONDS,
    REFRESHES,
    RENDER_TARGET_MS,
    REST_SECONDS,
    TICKETS_PER_DAY,
    WARMUP_REFRESHES,
    WIDTH,
)

# A stop for a page that no longer refreshes; 2,000 refreshes take 8 to 15 minutes here.
TIME_LIMIT_SECONDS = 20 * 60
SAMPLES = 8  # heap samples between the warm-up and the end (for the trend)

# Installed before the page's own scripts (Page.addScriptToEvaluateOnNewDocument).
PAGE_PROBE = """
(() => {
  const bench = window.__bench = {
    numbers: null, plotly: null, complete: null, painted: null, tasks: [], observer: null,
    copy: null, copyPainted: null,
    refreshes: 0, changed: 0, figures: 0, failed: 0,
  };
  // Long tasks (> 50 ms of main thread), read (and the observer stopped) by READ_LOAD.
  try {
    bench.observer = new PerformanceObserver((list) => {
      for (const task of list.getEntries()) bench.tasks.push([task.startTime, task.duration]);
    });
    bench.observer.observe({type: 'longtask', buffered: true});
  } catch (e) {}
  // When Plotly's bundle has been evaluated: its first assignment of window.Plotly.
  Object.defineProperty(window, 'Plotly', {
    configurable: true,
    get() { return undefined; },
    set(value) {
      bench.plotly = performance.now();
      Object.defineProperty(window, 'Plotly', {
        value, writable: true, configurable: true, enumerable: true,
      });
    },
  });
  // The wall as the index's HTML copy shows it (layouts/prerender.py: no ids, the same
  // classes), painted: the same tile holds digits and both charts have their bars.
  const copyDone = () => {
    const copy = document.querySelector('.%(copy)s');
    const tile = copy && copy.querySelectorAll('.wall-kpis > .tile')[%(tile_index)d];
    const value = tile && tile.querySelector('.tile-value');
    if (!value || !/[0-9]/.test(value.textContent)) return false;
    return %(panels)s.every((panel) => copy.querySelector(panel + ' .chart-bar'));
  };
  // The first full render by Dash: a KPI tile holds digits and both charts have their bars.
  const done = () => {
    const value = document.getElementById(%(tile)s);
    if (!value || !/[0-9]/.test(value.textContent)) return false;
    if (bench.numbers === null) bench.numbers = performance.now();
    return %(graphs)s.every((id) => document.querySelector('#' + id + ' .chart-bar'));
  };
  const observer = new MutationObserver(() => {
    if (bench.copy === null && copyDone()) {
      bench.copy = performance.now();
      requestAnimationFrame(() => { bench.copyPainted = performance.now(); });
    }
    if (bench.complete !== null || !done()) return;
    bench.complete = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => { bench.painted = performance.now(); });
  });
  observer.observe(document, {childList: true, subtree: true, characterData: true});
  // Refreshes: answered POSTs of the callback the wall's poll drives.
  const original = window.fetch;
  window.fetch = function (resource, init) {
    const promise = original.apply(this, arguments);
    const url = typeof resource === 'string' ? resource : (resource && resource.url) || '';
    const body = init && typeof init.body === 'string' ? init.body : '';
    if (url.indexOf('_dash-update-component') < 0 || body.indexOf(%(request)s) < 0) {
      return promise;
    }
    return promise.then((response) => {
      if (!response.ok) { bench.failed += 1; return response; }
      response.clone().json().then((answer) => {
        const changed = Object.keys((answer && answer.response) || {});
        bench.refreshes += 1;
        if (changed.some((key) => key !== %(meta)s)) bench.changed += 1;
        const chart = (key) => %(graphs)s.some((id) => key.indexOf(id) >= 0);
        if (changed.some(chart)) bench.figures += 1;
      }, () => { bench.failed += 1; });
      return response;
    }, (error) => { bench.failed += 1; throw error; });
  };
})();
"""

READ_LOAD = r"""
const nav = performance.getEntriesByType('navigation')[0] || {};
const paint = performance.getEntriesByType('paint')
  .find((p) => p.name === 'first-contentful-paint');
const resources = performance.getEntriesByType('resource');
const plotly = resources.find((r) => /plotly[^/]*\.js/.test(r.name));
const bench = window.__bench;
if (bench.observer) {
  for (const task of bench.observer.takeRecords()) {
    bench.tasks.push([task.startTime, task.duration]);
  }
  bench.observer.disconnect();
  bench.observer = null;
}
const busy = bench.tasks.filter((task) => task[0] < bench.complete)
  .reduce((sum, task) => sum + Math.min(task[1], bench.complete - task[0]), 0);
return {
  numbers: bench.numbers,
  plotly: plotly ? plotly.responseEnd : null,
  plotly_ready: bench.plotly,
  busy: busy,
  complete: window.__bench.complete,
  painted: window.__bench.painted,
  copy_painted: window.__bench.copyPainted,
  response_end: nav.responseEnd || null,
  dom_content_loaded: nav.domContentLoadedEventEnd || null,
  load_event: nav.loadEventEnd || null,
  first_paint: paint ? paint.startTime : null,
  requests: resources.length + 1,
  bytes: resources.reduce((sum, r) => sum + (r.transferSize || 0), nav.transferSize || 0),
  cached: resources.filter((r) => r.transferSize === 0 && r.decodedBodySize > 0).length,
};
"""

READ_PAGE = """
const stores = window.dash_stores || [];
const state = stores.length ? stores[0].getState() : null;
return {
  refreshes: window.__bench.refreshes,
  changed: window.__bench.changed,
  figures: window.__bench.figures,
  failed: window.__bench.failed,
  history: state && state.history ? state.history.past.length : null,
  loaded_at: window.hotlineWall ? window.hotlineWall.state.loadedAt : null,
  skipped: window.hotlineWall ? window.hotlineWall.state.skipped : null,
};
"""

PAUSE = "window.dash_clientside.set_props(%(poll)s, {disabled: arguments[0]});"

# Entries like those of Dash's undo history (dash-renderer's recordHistory: an entry per
# change of a callback input that did not come from a callback, so one per Interval tick).
HISTORY_LIKE = """
const stores = window.dash_stores || [];
if (!stores.length || !stores[0].getState().history) return null;
const entries = window.__benchHistory = [];
for (let i = 0; i < arguments[0]; i++) {
  const entry = {id: 'wall-poll', props: {}};
  entry.props.n_intervals = 100000 + i;
  entries.push(entry);
}
return entries.length;
"""
HISTORY_PROBE_ENTRIES = 50_000

# Bench-only, from the page: a short poll; no scheduled soft reload during the run (it
# would start a new page, and a shift change can fall inside a run).
SPEED_UP = """
window.hotlineWall.state.nextReloadTry = Number.MAX_VALUE;
window.dash_clientside.set_props(%(poll)s, {interval: arguments[0]});
"""


@dataclass
class Load:
    """One cold load of the wall (milliseconds from the navigation start)."""

    numbers_ms: float  # a KPI tile holds digits
    plotly_ms: float | None  # Plotly's script downloaded
    plotly_ready_ms: float | None  # Plotly's script evaluated (window.Plotly set)
    busy_ms: float  # main-thread time in long tasks until complete
    complete_ms: float
    painted_ms: float  # Dash's page drawn, the frame after (then it is live)
    response_end_ms: float | None
    dom_content_loaded_ms: float | None
    load_event_ms: float | None
    first_paint_ms: float | None
    requests: int
    kilobytes: float
    cached: int
    # The index's HTML copy on screen with the same numbers (see _copy_painted).
    copy_ms: float | None = None

    @property
    def shown_ms(self) -> float:
        """The first full render on screen: the copy's, or Dash's when it came first (or
        there was none)."""
        return min(self.painted_ms, self.copy_ms or self.painted_ms)


@dataclass
class HeapSample:
    """The page after a forced GC."""

    refreshes: int
    seconds: float
    heap_used: int
    heap_total: int
    nodes: int
    listeners: int
    documents: int
    history: int | None


@dataclass
class BrowserResult:
    """Everything the browser part measured."""

    started: datetime
    chromium: str = ""
    load_average: str = ""
    warmup_load: Load | None = None
    loads: list[Load] = field(default_factory=list)
    poll_ms: int = POLL_MS
    target_refreshes: int = REFRESHES
    warmup_refreshes: int = WARMUP_REFRESHES
    samples: list[HeapSample] = field(default_factory=list)
    changed: int = 0
    figures: int = 0
    failed: int = 0
    skipped: int = 0
    reloaded: bool = False
    tickets_added: int = 0
    history_entry_bytes: float | None = None  # heap per entry of Dash's undo history
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # The method, for the report (which does not import this module at run time).
    history_days: int = HISTORY_DAYS
    tickets_per_day: int = TICKETS_PER_DAY
    refresh_seconds: float = REFRESH_SECONDS
    rest_seconds: float = REST_SECONDS
    readings: int = READINGS

    @property
    def render_median(self) -> float | None:
        values = [load.shown_ms for load in self.loads]
        return statistics.median(values) if values else None

    @property
    def render_max(self) -> float | None:
        return max((load.shown_ms for load in self.loads), default=None)

    @property
    def start(self) -> HeapSample | None:
        return self.samples[0] if self.samples else None

    @property
    def end(self) -> HeapSample | None:
        return self.samples[-1] if len(self.samples) > 1 else None

    @property
    def refreshes(self) -> int:
        return self.end.refreshes if self.end else 0

    @property
    def growth(self) -> float | None:
        start, end = self.start, self.end
        if start is None or end is None or not start.heap_used:
            return None
        return (end.heap_used - start.heap_used) / start.heap_used

    @property
    def render_met(self) -> bool | None:
        """The target is judged on the median of the cold loads (the max is reported)."""
        median = self.render_median
        return None if median is None else median <= RENDER_TARGET_MS

    @property
    def heap_met(self) -> bool | None:
        """None when the run stopped short of the target's 2,000 refreshes and stayed flat."""
        growth = self.growth
        if growth is None:
            return None
        if growth > HEAP_GROWTH_TARGET:
            return False
        return True if self.refreshes >= REFRESHES else None

    @property
    def met(self) -> bool | None:
        """Met when both are; not met when either is not; else not measured in full."""
        verdicts = (self.render_met, self.heap_met)
        if False in verdicts:
            return False
        return None if None in verdicts else True


# --- the app ------------------------------------------------------------------------------
def _feed_rate() -> int:
    """HOTLINE_SIMULATE_PER_HOUR giving about NEW_TICKETS_PER_SECOND at the current hour."""
    zone = Settings(HOTLINE_SIMULATE=False).zone
    factor = arrival_factor(utc_now().astimezone(zone).hour)
    return max(1, min(100_000, round(NEW_TICKETS_PER_SECOND * 3600 / factor)))


@contextmanager
def serving_wall(directory: Path) -> Iterator[tuple[str, Any]]:
    """The real app on an SQLite demo database, on a free port; yields (base URL, engine)."""
    from dashboard.demo import write_demo_history

    url = f"sqlite:///{directory / 'tickets.db'}"
    prepare_database(url)
    writer = make_engine(url, statement_timeout_ms=600_000)
    try:
        write_demo_history(
            writer,
            wall_settings(url, HOTLINE_REFRESH_SECONDS=REFRESH_SECONDS),
            days=HISTORY_DAYS,
            per_day=TICKETS_PER_DAY,
            seed=1022,
        )
    finally:
        writer.dispose()
    settings = wall_settings(
        url,
        HOTLINE_REFRESH_SECONDS=REFRESH_SECONDS,
        HOTLINE_SIMULATE=True,
        HOTLINE_SIMULATE_PER_HOUR=_feed_rate(),
    )
    with serve(settings, url) as wall:
        yield wall.base, wall.writer


def _count_tickets(engine: Any) -> int:
    from sqlalchemy import func, select

    from data_access.schema import tickets

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tickets)).scalar() or 0)


# --- the browser --------------------------------------------------------------------------
def available() -> str | None:
    """None when Chromium, chromedriver and selenium are there; else what is missing."""
    missing = missing_browser()
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    return ", ".join(missing) or None


@contextmanager
def chromium(profile: Path, *, cold: bool = True) -> Iterator[Any]:
    """Headless Chromium on a new profile, 1920x1080, the page probe installed.

    ``cold``: the cache disabled too. That takes CDP's Network domain, which keeps a record
    of every request in the page's renderer, so the heap run goes without it.
    """
    driver = chrome_driver(profile, window_size=f"{WIDTH},{HEIGHT}")
    try:
        driver.set_page_load_timeout(60)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        if cold:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        source = PAGE_PROBE % {
            "tile": repr(ids.tile_value("received_day")),
            "request": repr(f'"{ids.WALL_REQUEST}"'),
            "meta": repr(ids.WALL_META),
            "graphs": repr(list(ids.GRAPHS)),
            "copy": ROOT_CLASS,
            "tile_index": ids.TILE_KEYS.index("received_day"),
            "panels": repr([".panel-hourly", ".panel-shifts"]),  # the two charts' panels
        }
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        driver.execute_cdp_cmd("Performance.enable", {})
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, script: str, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise RuntimeError(f"the wall never {what} within {timeout:.0f} s")


def cold_load(base_url: str, directory: Path) -> Load:
    """One load of the wall in a new browser with a new profile."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=directory))
    try:
        with chromium(profile) as driver:
            driver.get(base_url + "/")
            _wait(driver, "return window.__bench.painted !== null;", 30, "showed its numbers")
            data = driver.execute_script(READ_LOAD)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return Load(
        numbers_ms=float(data["numbers"]),
        plotly_ms=data["plotly"],
        plotly_ready_ms=data["plotly_ready"],
        busy_ms=float(data["busy"]),
        complete_ms=float(data["complete"]),
        painted_ms=float(data["painted"]),
        copy_ms=_copy_painted(data["copy_painted"], data["first_paint"]),
        response_end_ms=data["response_end"],
        dom_content_loaded_ms=data["dom_content_loaded"],
        load_event_ms=data["load_event"],
        first_paint_ms=data["first_paint"],
        requests=int(data["requests"]),
        kilobytes=float(data["bytes"]) / 1024,
        cached=int(data["cached"]),
    )


def _copy_painted(frame: float | None, contentful: float | None) -> float | None:
    """When the copy was on screen: the first contentful paint once the copy was whole.

    ``frame`` is the animation frame after the copy was whole: the start of the frame, before
    its style and layout (a cold layout of the wall takes a few hundred milliseconds on a slow
    CPU). The paint's own time comes from the Paint Timing API, and the copy is the page's
    first content; so the later of the two."""
    if frame is None:
        return None
    return max(frame, contentful) if contentful is not None else frame


def _metrics(driver: Any) -> dict[str, float]:
    for _ in range(2):
        driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    return {
        item["name"]: item["value"]
        for item in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    }


def _sample(driver: Any, started: float) -> HeapSample:
    """The page at rest: the poll paused (bench only) and the refresh in flight answered,
    then the smallest of a few readings, each after a forced GC. Readings taken while a
    refresh is being applied move by a megabyte or two with the work in flight; at rest
    they agree to 10 kB."""
    driver.execute_script(PAUSE % {"poll": repr(ids.WALL_POLL)}, True)
    try:
        time.sleep(REST_SECONDS)
        readings = [_metrics(driver) for _ in range(READINGS)]
    finally:
        driver.execute_script(PAUSE % {"poll": repr(ids.WALL_POLL)}, False)
    metrics = min(readings, key=lambda item: item["JSHeapUsedSize"])
    page = driver.execute_script(READ_PAGE)
    return HeapSample(
        refreshes=int(page["refreshes"]),
        seconds=time.monotonic() - started,
        heap_used=int(metrics["JSHeapUsedSize"]),
        heap_total=int(metrics["JSHeapTotalSize"]),
        nodes=int(metrics["Nodes"]),
        listeners=int(metrics["JSEventListeners"]),
        documents=int(metrics["Documents"]),
        history=page["history"],
    )


def _history_entry_bytes(driver: Any) -> float | None:
    """The heap one entry of Dash's undo history takes: entries of the same shape as the
    renderer's (``{id, props: {n_intervals}}`` in an array) added in bulk, with the poll
    stopped, the heap before and after (bench only, after the last sample)."""
    driver.execute_script(PAUSE % {"poll": repr(ids.WALL_POLL)}, True)
    time.sleep(REST_SECONDS)
    before = min(_metrics(driver)["JSHeapUsedSize"] for _ in range(READINGS))
    if driver.execute_script(HISTORY_LIKE, HISTORY_PROBE_ENTRIES) is None:
        return None
    after = min(_metrics(driver)["JSHeapUsedSize"] for _ in range(READINGS))
    driver.execute_script("delete window.__benchHistory;")
    return max(0.0, (after - before) / HISTORY_PROBE_ENTRIES)


def heap_run(result: BrowserResult, base_url: str, directory: Path, *, time_limit: float) -> None:
    """The JS heap after the warm-up and after ``result.target_refreshes`` refreshes.

    The pace is the browser's: each refresh costs the page a few hundred milliseconds of
    main-thread time here (Dash's renderer runs every component's store subscription on
    each of the ~80 store updates of a refresh), and the in-flight guard drops the ticks
    that come while one is pending, so a poll much shorter than that only adds dropped
    ticks (each one costing ~20 store updates) and slows the run down.
    """
    profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=directory))
    try:
        with chromium(profile, cold=False) as driver:
            driver.get(base_url + "/")
            _wait(driver, "return window.__bench.painted !== null;", 30, "showed its numbers")
            loaded_at = driver.execute_script(READ_PAGE)["loaded_at"]
            driver.execute_script(SPEED_UP % {"poll": repr(ids.WALL_POLL)}, result.poll_ms)
            started = time.monotonic()
            deadline = started + time_limit
            step = max(1, (result.target_refreshes - result.warmup_refreshes) // SAMPLES)
            checkpoints = [
                checkpoint
                for checkpoint in range(result.warmup_refreshes, result.target_refreshes, step)
                if checkpoint == result.warmup_refreshes
                or checkpoint <= result.target_refreshes - step // 2
            ]
            checkpoints.append(result.target_refreshes)
            for checkpoint in checkpoints:
                if result.samples and result.samples[-1].refreshes >= checkpoint:
                    continue  # the last sample ran past this one
                while driver.execute_script("return window.__bench.refreshes;") < checkpoint:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.25)
                sample = _sample(driver, started)
                result.samples.append(sample)
                log.info(
                    "browser: %d refreshes, heap %.2f MB, %d nodes",
                    sample.refreshes,
                    sample.heap_used / 1e6,
                    sample.nodes,
                )
                if time.monotonic() > deadline:
                    result.notes.append(
                        f"stopped at the time limit ({time_limit:.0f} s) after "
                        f"{sample.refreshes} refreshes"
                    )
                    break
            page = driver.execute_script(READ_PAGE)
            result.history_entry_bytes = _history_entry_bytes(driver)
            result.changed = int(page["changed"])
            result.figures = int(page["figures"])
            result.failed = int(page["failed"])
            result.skipped = int(page["skipped"] or 0)
            result.reloaded = page["loaded_at"] != loaded_at
            result.chromium = driver.capabilities.get("browserVersion", "")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def run(
    *,
    loads: int = LOADS,
    refreshes: int = REFRESHES,
    poll_ms: int = POLL_MS,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> BrowserResult:
    """Serve the wall, measure the first render and the heap; the figures."""
    load_1, load_5, _ = os.getloadavg()
    result = BrowserResult(
        started=datetime.now(UTC),
        load_average=f"{load_1:.2f} (1 min), {load_5:.2f} (5 min)",
        poll_ms=poll_ms,
        target_refreshes=refreshes,
        warmup_refreshes=min(WARMUP_REFRESHES, refreshes // 3),
    )
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-browser-") as workdir:
        directory = Path(workdir)
        with serving_wall(directory) as (base_url, writer):
            log.info("browser: the wall at %s", base_url)
            if loads:
                result.warmup_load = cold_load(base_url, directory)
            for number in range(loads):
                load = cold_load(base_url, directory)
                result.loads.append(load)
                log.info(
                    "browser: cold load %d: %.0f ms (Dash's page %.0f ms)",
                    number + 1,
                    load.shown_ms,
                    load.painted_ms,
                )
            before = _count_tickets(writer)
            heap_run(result, base_url, directory, time_limit=time_limit)
            result.tickets_added = _count_tickets(writer) - before
    result.seconds = time.perf_counter() - began
    return result


# --- printing -----------------------------------------------------------------------------
def summary(result: BrowserResult) -> str:
    """The figures, as plain text."""
    lines = [f"Chromium {result.chromium}; {platform.platform()}; run took {result.seconds:.0f} s"]
    if result.loads:
        lines.append(
            f"first full render ({len(result.loads)} cold loads): median "
            f"{result.render_median:,.0f} ms, max {result.render_max:,.0f} ms "
            f"(target ≤ {RENDER_TARGET_MS:,} ms): {_word(result.render_met)}"
        )
        for load in ([result.warmup_load] if result.warmup_load else []) + result.loads:
            lines.append(
                f"  {'warm-up: ' if load is result.warmup_load else ''}"
                f"shown {load.shown_ms:,.0f} ms (copy {_num(load.copy_ms)}, Dash's page "
                f"{load.painted_ms:,.0f} ms); document {_num(load.response_end_ms)}, "
                f"DOMContentLoaded {_num(load.dom_content_loaded_ms)}, numbers "
                f"{_num(load.numbers_ms)}, Plotly downloaded {_num(load.plotly_ms)}, evaluated "
                f"{_num(load.plotly_ready_ms)}, figures "
                f"{_num(load.complete_ms)}; long tasks {load.busy_ms:,.0f} ms; "
                f"{load.requests} requests, {load.kilobytes:,.0f} KB, {load.cached} cached"
            )
    start, end = result.start, result.end
    if start and end:
        lines.append(
            f"JS heap over {end.refreshes - start.refreshes:,} refreshes (poll {result.poll_ms} "
            f"ms, {end.seconds - start.seconds:.0f} s): {start.heap_used / 1e6:.2f} MB at "
            f"{start.refreshes} -> {end.heap_used / 1e6:.2f} MB at {end.refreshes}: "
            f"{result.growth:+.1%} (target ≤ +{HEAP_GROWTH_TARGET:.0%}): {_word(result.heap_met)}"
        )
        lines.append(
            f"  nodes {start.nodes:,} -> {end.nodes:,}; listeners {start.listeners:,} -> "
            f"{end.listeners:,}; Dash undo history {start.history} -> {end.history} entries"
        )
        lines.append(
            f"  {result.changed:,} refreshes changed the screen, {result.figures:,} patched a "
            f"figure; {result.tickets_added} tickets added; {result.failed} failed; "
            f"{result.skipped:,} ticks skipped by the guard; page reloaded: {result.reloaded}"
        )
        for sample in result.samples:
            lines.append(
                f"  {sample.refreshes:>5} refreshes {sample.seconds:>5.0f} s: heap "
                f"{sample.heap_used / 1e6:6.2f} MB (total {sample.heap_total / 1e6:.1f}), "
                f"{sample.nodes:,} nodes, {sample.listeners} listeners"
            )
        if result.history_entry_bytes is not None and end.history:
            lines.append(
                f"  Dash undo history at the end: {end.history:,} entries × "
                f"{result.history_entry_bytes:.0f} bytes = "
                f"{end.history * result.history_entry_bytes / 1024:,.0f} KB"
            )
    lines.extend(result.notes)
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _word(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "NOT MET")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.browser``: run the browser part, print (and report) the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__)
    parser.add_argument("--loads", type=int, default=LOADS, help="cold loads (median, max)")
    parser.add_argument("--refreshes", type=int, default=REFRESHES)
    parser.add_argument("--poll-ms", type=int, default=POLL_MS, help="the poll during the run")
    parser.add_argument(
        "--time-limit", type=float, default=TIME_LIMIT_SECONDS, help="seconds for the refreshes"
    )
    add_update_report(parser)
    args = parser.parse_args(argv)
    bench_logging(log)
    missing = available()
    if missing:
        print(f"no browser bench: {missing} missing", file=sys.stderr)
        return 2
    result = run(
        loads=args.loads,
        refreshes=args.refreshes,
        poll_ms=args.poll_ms,
        time_limit=args.time_limit,
    )
    print(summary(result))

    def update(path: Path) -> None:
        from bench.report import update_browser_section

        update_browser_section(result, path)

    return finish_report(args, update, log)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
