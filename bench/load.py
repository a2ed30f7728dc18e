"""The served board under load: gunicorn with the repository's config, Redis, many viewers.

Viewers send the wall's real refresh request: the request a headless Chromium sends to
``/_dash-update-component`` for the Interval-driven callback (captured from the page), and
keep the state the answers give back (the key of what the screen shows), as a browser does.
"""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis
import requests
from sqlalchemy import create_engine, text

from bench.measure import percentile
from dashboard.shifts import utc_now
from dashboard.store import split_redis_url
from data_access.engine import make_engine, normalise_url
from data_access.schema import tickets
from tests.support.browser import chrome_driver, missing_browser
from tests.support.gunicorn import answers, free_port, start_gunicorn, stop_gunicorn, write_config

log = logging.getLogger("bench")

BENCH_HOOKS = """accesslog = {access_log!r}
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)s'


def post_worker_init(worker):
    # Count every statement the board sends to the database, across all workers.
    import redis
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    client = redis.Redis.from_url({redis_url!r})

    def count(*args):
        client.incr({queries_key!r})

    event.listen(Engine, "before_cursor_execute", count)
"""

ACCESS_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \S+ (?P<us>\d+)')

CAPTURE_SCRIPT = """
(() => {
  window.__benchRequests = [];
  const original = window.fetch;
  window.fetch = function (resource, init) {
    try {
      const url = typeof resource === 'string' ? resource : resource.url;
      if (url.indexOf('_dash-update-component') >= 0 && init && init.body) {
        window.__benchRequests.push(String(init.body));
      }
    } catch (e) {}
    return original.apply(this, arguments);
  };
})();
"""


@dataclass
class Board:
    """A running board: its URL, its Redis keys and its access log."""

    base_url: str
    database_url: str
    redis: redis.Redis
    prefix: str
    access_log: Path
    process: subprocess.Popen[bytes]
    refresh_seconds: int
    workers: int

    def counter(self, name: str) -> int:
        """A shared counter of the board (``computations``, ``bench-queries``)."""
        return int(self.redis.get(f"{self.prefix}:{name}") or 0)

    def log_offset(self) -> int:
        """The current size of the access log."""
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def server_times(self, start: int, end: int, path: str) -> tuple[list[float], int]:
        """Server times (ms) of ``path`` requests logged between two offsets, and non-2xx count."""
        with self.access_log.open("rb") as handle:
            handle.seek(start)
            chunk = handle.read(max(0, end - start)).decode(errors="replace")
        times, failures = [], 0
        for line in chunk.splitlines():
            match = ACCESS_LINE.search(line)
            if not match or not match["path"].startswith(path):
                continue
            times.append(int(match["us"]) / 1000)
            if not match["status"].startswith("2"):
                failures += 1
        return times, failures


@contextmanager
def running_board(
    database_url: str,
    redis_url: str,
    *,
    workdir: Path,
    workers: int,
    refresh_seconds: int,
) -> Iterator[Board]:
    """gunicorn app:server (the repo's gunicorn.conf.py) on a free port, sharing via Redis."""
    port = free_port()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    clean_url, _ = split_redis_url(redis_url)
    access_log = workdir / "access.log"
    access_log.unlink(missing_ok=True)
    config = write_config(
        workdir / "gunicorn_bench.py",
        port=port,
        workers=workers,
        extra=BENCH_HOOKS.format(
            access_log=str(access_log),
            redis_url=clean_url,
            queries_key=f"{prefix}:bench-queries",
        ),
    )
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": f"{clean_url}{'&' if '?' in clean_url else '?'}prefix={prefix}",
        "HOTLINE_REFRESH_SECONDS": str(refresh_seconds),
        "HOTLINE_SIMULATE": "false",
        "HOTLINE_LOG_LEVEL": "WARNING",
    }
    server_log = workdir / "gunicorn.log"
    process = start_gunicorn(config, env, server_log)
    client = redis.Redis.from_url(clean_url)
    board = Board(
        f"http://127.0.0.1:{port}",
        database_url,
        client,
        prefix,
        access_log,
        process,
        refresh_seconds,
        workers,
    )
    try:
        deadline = time.monotonic() + 60
        while board.counter("computations") < 1 or not answers(board.base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = server_log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the board did not start:\n{tail}")
            time.sleep(0.2)
        yield board
    finally:
        stop_gunicorn(process, timeout=20)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


# --- the refresh request -----------------------------------------------------------------------
def interval_driven_callbacks(dependencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Server callbacks reached from a dcc.Interval tick, through client-side callbacks too."""
    triggered = {
        (str(item["id"]), item["property"])
        for callback in dependencies
        for item in callback.get("inputs", [])
        if item.get("property") == "n_intervals"
    }
    reached: list[dict[str, Any]] = []
    changed = True
    while changed:
        changed = False
        for callback in dependencies:
            inputs = {(str(item["id"]), item["property"]) for item in callback.get("inputs", [])}
            if not inputs & triggered or callback in reached:
                continue
            reached.append(callback)
            for output in _outputs(callback["output"]):
                if output not in triggered:
                    triggered.add(output)
                    changed = True
    return [callback for callback in reached if not callback.get("clientside_function")]


def _outputs(spec: str) -> list[tuple[str, str]]:
    """(id, property) pairs of a Dash output string (``..a.b...c.d..`` for several)."""
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    result = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        result.append((component, prop))
    return result


def capture_refresh_request(
    base_url: str, output: str, *, timeout: float
) -> tuple[dict[str, Any] | None, str]:
    """The body a headless Chromium posts for the callback ``output``; (None, why) if not."""
    try:
        import selenium  # noqa: F401
    except ImportError as exc:
        return None, f"selenium unavailable ({exc.__class__.__name__})"
    if missing := missing_browser():
        return None, f"no chromium/chromedriver on this machine ({', '.join(missing)})"
    profile = Path(tempfile.mkdtemp(prefix="chromium-capture-"))
    try:
        driver = chrome_driver(profile, window_size="1920,1080")
    except Exception as exc:  # noqa: BLE001 - no browser here: say so, fall back
        shutil.rmtree(profile, ignore_errors=True)
        return None, f"no headless Chromium ({exc.__class__.__name__})"
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_SCRIPT})
        driver.get(base_url + "/")
        deadline = time.monotonic() + timeout
        seen: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            bodies = driver.execute_script("return window.__benchRequests || [];") or []
            seen = [json.loads(body) for body in bodies]
            matching = [body for body in seen if body.get("output") == output]
            # The second one is a steady-state refresh (the first follows the page load).
            if len(matching) >= 2:
                return matching[-1], "captured from headless Chromium"
            time.sleep(0.25)
        return None, f"no refresh request within {timeout:.0f} s ({len(seen)} other requests)"
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _component_key(component: Any) -> str:
    if isinstance(component, dict):
        return json.dumps(component, sort_keys=True, separators=(",", ":"))
    return str(component)


@dataclass
class Viewer:
    """One screen: posts the refresh request every interval and keeps what it is answered."""

    url: str
    body: dict[str, Any] | None
    session: requests.Session = field(default_factory=requests.Session)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def request(self) -> None:
        """One refresh, timed; errors are kept, never raised."""
        started = time.perf_counter()
        try:
            if self.body is None:
                response = self.session.get(self.url, timeout=10)
            else:
                response = self.session.post(self.url, json=self.body, timeout=10)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code not in (200, 204):
                self.errors.append(f"HTTP {response.status_code}")
                return
            if self.body is not None and response.status_code == 200:
                self._keep(response.json())
            self.latencies.append(elapsed)
        except (requests.RequestException, ValueError) as exc:
            self.errors.append(exc.__class__.__name__)

    def _keep(self, answer: dict[str, Any]) -> None:
        """Carry the answered values into the next request's state (as the renderer does)."""
        produced = answer.get("response") or {}
        assert self.body is not None
        for group in ("inputs", "state"):
            for entry in self.body.get(group, []):
                items = entry if isinstance(entry, list) else [entry]
                for item in items:
                    props = produced.get(_component_key(item.get("id")), {})
                    if item.get("property") in props:
                        item["value"] = props[item["property"]]


@dataclass(frozen=True)
class LoadResult:
    """What one load phase measured."""

    viewers: int
    seconds: float
    requests: int
    errors: int
    error_kinds: tuple[str, ...]
    client_ms: tuple[float, ...]
    server_ms: tuple[float, ...]
    computations: int
    queries: int
    transactions: int

    def per_minute(self, count: int) -> float:
        """A count over the phase, per minute."""
        return count / self.seconds * 60

    @staticmethod
    def percentile(values: tuple[float, ...], share: float) -> float | None:
        """Nearest-rank percentile (None without values)."""
        return percentile(values, share) if values else None


def _transactions(database_url: str) -> int:
    engine = create_engine(normalise_url(database_url), pool_size=1)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                        "WHERE datname = current_database()"
                    )
                ).scalar()
                or 0
            )
    finally:
        engine.dispose()


def run_viewers(
    board: Board,
    path: str,
    body: dict[str, Any] | None,
    *,
    viewers: int,
    seconds: float,
    burst: bool = False,
) -> LoadResult:
    """``viewers`` screens polling every refresh interval (random phases) for ``seconds``."""
    url = board.base_url + path
    crowd = [Viewer(url, json.loads(json.dumps(body)) if body else None) for _ in range(viewers)]
    period = board.refresh_seconds
    stop_at = time.monotonic() + seconds
    start_offset = board.log_offset()
    computations = board.counter("computations")
    queries = board.counter("bench-queries")
    transactions = _transactions(board.database_url)
    started = time.monotonic()
    barrier = threading.Barrier(viewers) if burst else None

    def screen(viewer: Viewer) -> None:
        if barrier is not None:
            for _ in range(int(seconds)):
                barrier.wait()
                viewer.request()
            return
        next_at = time.monotonic() + random.uniform(0, period)
        while next_at < stop_at:
            time.sleep(max(0.0, next_at - time.monotonic()))
            viewer.request()
            next_at += period

    threads = [threading.Thread(target=screen, args=(viewer,), daemon=True) for viewer in crowd]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    time.sleep(0.5)  # let the access log catch up
    server_ms, server_failures = board.server_times(start_offset, board.log_offset(), path)
    errors = [error for viewer in crowd for error in viewer.errors]
    return LoadResult(
        viewers=viewers,
        seconds=elapsed,
        requests=sum(len(viewer.latencies) for viewer in crowd) + len(errors),
        # A server error reaches its viewer as one; the access log only confirms it.
        errors=max(len(errors), server_failures),
        error_kinds=tuple(sorted(set(errors))),
        client_ms=tuple(ms for viewer in crowd for ms in viewer.latencies),
        server_ms=tuple(server_ms),
        computations=board.counter("computations") - computations,
        queries=board.counter("bench-queries") - queries,
        transactions=_transactions(board.database_url) - transactions,
    )


# --- freshness ---------------------------------------------------------------------------------
def measure_freshness(board: Board, *, samples: int) -> list[float]:
    """Seconds from an INSERT's commit to the new count in the served snapshot."""
    writer = make_engine(board.database_url)
    session = requests.Session()
    results = []

    def served() -> int:
        return int(session.get(f"{board.base_url}/api/snapshot", timeout=5).json()["received"])

    try:
        for _ in range(samples):
            time.sleep(random.uniform(0, board.refresh_seconds))
            before = served()
            now = utc_now()
            with writer.begin() as conn:
                conn.execute(
                    tickets.insert().values(
                        code=f"BENCH-{uuid.uuid4().hex[:12]}",
                        received_at=now - timedelta(seconds=1),
                        channel="call",
                        line="1022",
                        status="received",
                    )
                )
            committed = time.monotonic()
            while served() < before + 1:
                if time.monotonic() - committed > 6 * board.refresh_seconds:
                    raise RuntimeError("the new ticket never showed in the served snapshot")
                time.sleep(0.05)
            results.append(time.monotonic() - committed)
    finally:
        writer.dispose()
        session.close()
    return results


def summarize(values: list[float]) -> dict[str, float]:
    """Median and max of a list of numbers."""
    return {"median": statistics.median(values), "max": max(values)} if values else {}
