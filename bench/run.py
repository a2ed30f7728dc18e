"""``python -m bench``: build the databases, measure everything, write docs/PERFORMANCE.md."""

from __future__ import annotations

import argparse
import logging
import os
import platform
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, text

from bench import browser, datasets, load, measure
from bench.browser import BrowserResult
from bench.cli import bench_logging
from bench.datasets import SIZES, BuiltDatabase
from bench.load import LoadResult
from dashboard.settings import PROJECT_ROOT
from dashboard.snapshot import compute_snapshot
from data_access.engine import make_engine

log = logging.getLogger("bench")

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
OVERVIEW_DAYS = 90
REFRESH_SECONDS = 5  # the board's default interval


@dataclass
class OverviewResult:
    """The leaders' 90-day view at one size."""

    size: str
    method: str
    timing: measure.Timing
    received: int


@dataclass
class SqliteResult:
    """The day snapshot on an SQLite copy of a PostgreSQL benchmark database."""

    size: str
    rows: int
    timing: measure.Timing
    same_as_postgresql: bool
    build_seconds: float | None


@dataclass
class Results:
    """Everything one run measured."""

    started: datetime
    quick: bool
    machine: dict[str, str] = field(default_factory=dict)
    databases: list[BuiltDatabase] = field(default_factory=list)
    snapshots: dict[str, measure.SnapshotResult] = field(default_factory=dict)
    overviews: list[OverviewResult] = field(default_factory=list)
    request_kind: str = ""
    request_note: str = ""
    load_size: str = ""
    workers: int = 0
    load: list[LoadResult] = field(default_factory=list)
    burst: LoadResult | None = None
    freshness: list[float] = field(default_factory=list)
    sqlite: list[SqliteResult] = field(default_factory=list)
    browser: BrowserResult | None = None
    browser_skipped: str = ""  # why the browser part did not run
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _git(*args: str) -> str:
    """The output of a git command in the repository (raises when git fails)."""
    return subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def machine_info(base_url: str) -> dict[str, str]:
    """CPU, memory, Python, PostgreSQL and its settings, the commit measured."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{int(memory) / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        memory = "unknown"
    load_1, load_5, _ = os.getloadavg()
    info = {
        "cpu": f"{cpu} ({os.cpu_count()} cores)",
        "load average at start": f"{load_1:.2f} (1 min), {load_5:.2f} (5 min); "
        "the machine is shared, other work runs beside the bench",
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    engine = make_engine(base_url)
    try:
        with engine.connect() as conn:
            info["postgresql"] = str(conn.execute(text("SHOW server_version")).scalar())
            settings = []
            for name in ("shared_buffers", "work_mem", "max_connections", "jit"):
                settings.append(f"{name}={conn.execute(text(f'SHOW {name}')).scalar()}")
            info["postgresql settings"] = ", ".join(settings) + " (server defaults, untuned)"
    finally:
        engine.dispose()
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        info["commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        info["commit"] = "unknown"
    return info


def measure_overview(engine: Engine, built: BuiltDatabase, *, quick: bool) -> list[OverviewResult]:
    """The leaders' 90-day view, as the board computes it (compute_overview)."""
    calendar = datasets.calendar()
    now = built.data_end
    last = calendar.operating_day(now)
    first = last - timedelta(days=OVERVIEW_DAYS - 1)
    results = []
    try:
        from dashboard.overview import compute_overview
    except ImportError:
        compute_overview = None  # type: ignore[assignment]  # an older tree without it

    def timed(function: Any) -> tuple[measure.Timing, Any]:
        started = time.perf_counter()
        result = function()  # the warm-up run
        first_ms = (time.perf_counter() - started) * 1000
        # Slow runs are few: the warm-up and two more; fast ones, five more.
        runs = 2 if first_ms > 3000 or quick else 5
        timing, _ = measure.time_runs(function, runs=runs, warmup=0)
        return timing, result

    if compute_overview is not None:
        timing, overview = timed(lambda: compute_overview(engine, calendar, first, last, now))
        method = "dashboard.overview.compute_overview"
        results.append(OverviewResult(built.size.label, method, timing, overview.current.received))
    else:
        window = calendar.range_window(first, last)
        timing, snapshot = timed(lambda: compute_snapshot(engine, calendar, window, now))
        method = "compute_snapshot over a 90-day range"
        results.append(OverviewResult(built.size.label, method, timing, snapshot.received))
    return results


def measure_sqlite(
    source: BuiltDatabase, directory: Path, pg_engine: Engine, *, rebuild: bool
) -> SqliteResult:
    """The day snapshot on an SQLite copy; its numbers must equal PostgreSQL's."""
    url, build_seconds = datasets.build_sqlite(source, directory, rebuild=rebuild)
    calendar = datasets.calendar()
    window = measure.reference_day(calendar, source.data_end)
    now = source.data_end
    engine = make_engine(url, readonly=True, statement_timeout_ms=60_000)
    try:
        timing, snapshot = measure.time_runs(
            lambda: compute_snapshot(engine, calendar, window, now), runs=11, warmup=2
        )
        with engine.connect() as conn:
            rows = int(conn.execute(text("SELECT count(*) FROM tickets")).scalar() or 0)
    finally:
        engine.dispose()
    reference = compute_snapshot(pg_engine, calendar, window, now)
    same = snapshot.to_json() == reference.to_json()
    return SqliteResult(source.size.label, rows, timing, same, build_seconds)


def run_load(results: Results, built: BuiltDatabase, redis_url: str, workdir: Path) -> None:
    """(c) viewers sending the real refresh request, and (d) freshness, on one database."""
    quick = results.quick
    phase = 15 if quick else 60
    # The shipped gunicorn.conf.py decides (WEB_CONCURRENCY overrides it, as in production).
    workers = int(runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))["workers"])
    results.workers = workers
    results.load_size = built.size.label
    with load.running_board(
        built.url, redis_url, workdir=workdir, workers=workers, refresh_seconds=REFRESH_SECONDS
    ) as board:
        dependencies = requests.get(f"{board.base_url}/_dash-dependencies", timeout=10).json()
        callbacks = load.interval_driven_callbacks(dependencies)
        body, path = None, "/api/snapshot"
        if callbacks:
            body, why = load.capture_refresh_request(
                board.base_url, callbacks[0]["output"], timeout=6 * REFRESH_SECONDS
            )
            if body is not None:
                path = "/_dash-update-component"
                results.request_kind = "POST /_dash-update-component (the wall's refresh)"
                results.request_note = f"request body {why}; {len(body.get('outputs', []))} outputs"
            else:
                results.request_kind = "GET /api/snapshot (fallback)"
                results.request_note = f"the wall's refresh request could not be captured: {why}"
        else:
            results.request_kind = "GET /api/snapshot (fallback)"
            results.request_note = "no Interval-driven server callback in /_dash-dependencies"
        log.info("load: %s", results.request_kind)
        load.run_viewers(board, path, body, viewers=10, seconds=5 if quick else 10)  # warm-up
        for viewers in (1, 100):
            log.info("load: %s viewer(s) for %s s", viewers, phase)
            results.load.append(load.run_viewers(board, path, body, viewers=viewers, seconds=phase))
        log.info("load: 100 viewers at the same instant")
        results.burst = load.run_viewers(
            board, path, body, viewers=100, seconds=3 if quick else 5, burst=True
        )
        log.info("freshness")
        results.freshness = load.measure_freshness(board, samples=3 if quick else 6)
    # Kept for a look when something failed: the server's log of this run.
    shutil.copy(workdir / "gunicorn.log", PROJECT_ROOT / "var" / "bench" / "gunicorn.log")


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line of ``python -m bench``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 k only, short load test")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the databases")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="any database on the PostgreSQL server to use (bench_* databases are created)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--skip-load", action="store_true", help="no load or freshness test")
    parser.add_argument(
        "--skip-browser", action="store_true", help="no first render or JS heap test (Chromium)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; returns the exit status."""
    args = _parse_args(argv)
    bench_logging(log)

    started = time.perf_counter()
    results = Results(started=datetime.now(UTC), quick=args.quick)
    results.machine = machine_info(args.database_url)
    labels = ["100k"] if args.quick else ["100k", "1M", "10M"]
    for label in labels:
        built = datasets.build_postgres(args.database_url, SIZES[label], rebuild=args.rebuild)
        results.databases.append(built)
        log.info("%s: %s rows (%s)", label, built.rows, "reused" if built.reused else "built")

    calendar = datasets.calendar()
    sqlite_dir = PROJECT_ROOT / "var" / "bench"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    for built in results.databases:
        datasets.settle(args.database_url, built.size.database)
        engine = make_engine(built.url, readonly=True, statement_timeout_ms=120_000)
        try:
            window = measure.reference_day(calendar, built.data_end)
            log.info("%s: snapshot vs floor", built.size.label)
            result = measure.measure_snapshot(engine, calendar, window, built.data_end)
            results.snapshots[built.size.label] = result
            if not result.same_numbers:
                raise AssertionError(f"{built.size.label}: the floor's numbers differ")
            log.info("%s: 90-day overview", built.size.label)
            results.overviews.extend(measure_overview(engine, built, quick=args.quick))
            if built.size.label in ("100k", "1M"):
                log.info("%s: SQLite copy", built.size.label)
                results.sqlite.append(
                    measure_sqlite(built, sqlite_dir, engine, rebuild=args.rebuild)
                )
        finally:
            engine.dispose()

    if not args.skip_load:
        with tempfile.TemporaryDirectory(prefix="hotline-bench-") as workdir:
            run_load(results, results.databases[-1], args.redis_url, Path(workdir))

    if args.skip_browser:
        results.browser_skipped = "`--skip-browser`"
    elif missing := browser.available():
        results.browser_skipped = f"{missing} missing"
    else:
        log.info("browser: first render and JS heap")
        # --quick: fewer loads and 300 refreshes (a trend, not the target's 2,000).
        results.browser = browser.run(
            loads=3 if args.quick else browser.LOADS,
            refreshes=300 if args.quick else browser.REFRESHES,
        )

    results.seconds = time.perf_counter() - started
    from bench.report import carry_browser_parts, write_report

    # Without the browser, the figures of the last `make bench-browser` stay in the report.
    previous = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    write_report(results, args.output)
    # (g) the shared snapshot's codec (seconds), a section of its own (issue 8).
    from bench import codec

    codec.update_report(codec.run(), args.output)
    # (g) The switchboard (issue 12): its own section of the same report.
    if not args.quick:
        from bench import switchboard

        log.info("switchboard: follow 100,000 events; figures at 10 M tickets")
        switchboard.update_report(args.output, switchboard.run(args.database_url))
    # (g) alerts (issue 9): latency and evaluation cost, a section of its own.
    from bench import alerts as alert_bench

    alert_bench.update_report(alert_bench.run(args.database_url, skip_10m=args.quick), args.output)
    if results.browser is None:
        text = args.output.read_text(encoding="utf-8")
        args.output.write_text(carry_browser_parts(previous, text), encoding="utf-8")
    log.info("wrote %s (%.0f s)", args.output, results.seconds)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
