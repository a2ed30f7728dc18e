"""Open311 and the citizens' page at scale (SPEC section 9, issue 10).

``python -m bench.open311 [--update-report]`` measures, on the PostgreSQL benchmark
database of 10 M tickets (``bench_10m``, built by ``bench.datasets``):

- ``requests.json`` with its defaults (the last 90 days, at most 1,000 records, newest
  first): the query through the public-status service, and the whole HTTP answer through
  the real app's routes (Flask test client: parsing, query, JSON rendering), target ≤ 200 ms;
  the same with ``status=open``, ``status=closed``, a ``service_code`` and a 90-day range
  a year back;
- a lookup by code (``requests/{id}.json`` and the tracking page), target ≤ 20 ms, over
  codes drawn across the whole table;
- Lighthouse 12.2.3 (mobile preset, headless Chromium) on ``/tra-cuu`` served by the real
  app on a small SQLite file, target performance ≥ 95.

The benchmark database predates migration 0005: its ``categories.public`` column is
added here with the migration's own statement (``ADD COLUMN IF NOT EXISTS``, instant on
PostgreSQL) so that the figures use the real query. ``--update-report`` replaces its
own section of docs/PERFORMANCE.md (``make bench`` runs it after the main benchmark).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from werkzeug.serving import make_server

from bench import measure
from bench.cli import write_section
from dashboard.settings import PROJECT_ROOT, Settings
from data_access.engine import make_engine

if TYPE_CHECKING:
    from dash import Dash
    from flask.testing import FlaskClient

    from dashboard.public.service import PublicStatusService

log = logging.getLogger("bench")

DATABASE_URL = os.environ.get("BENCH_OPEN311_URL", "postgresql://postgres@127.0.0.1:5432/bench_10m")
REPORT = PROJECT_ROOT / "docs" / "PERFORMANCE.md"
HEADING = "## (h) Open311 and the citizens' page"
LIGHTHOUSE = "lighthouse@12.2.3"
CHROME_PATH = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
LIST_TARGET_MS = 200.0
LOOKUP_TARGET_MS = 20.0
LIGHTHOUSE_TARGET = 95
NPM_CACHE = Path(tempfile.gettempdir()) / "hotline-bench-npm"
OPEN311 = "/open311/v2"  # the routes' prefix


@dataclass
class Row:
    """One measured request."""

    what: str
    timing: measure.Timing
    records: int
    target_ms: float | None


@dataclass
class Result:
    """Everything measured."""

    started: datetime
    tickets: int = 0
    rows: list[Row] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    lighthouse: dict[str, float] = field(default_factory=dict)
    lighthouse_note: str = ""
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end


def prepare(url: str) -> None:
    """Migration 0005's column on the benchmark database (idempotent)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "ALTER TABLE categories ADD COLUMN IF NOT EXISTS public boolean "
                    "NOT NULL DEFAULT true"
                )
            )
            conn.execute(
                text(
                    "UPDATE categories SET public = false "
                    "WHERE code IN ('xay_dung_dang', 'tham_nhung') AND public"
                )
            )
    finally:
        engine.dispose()


def _bench_app(url: str) -> Dash:
    """The real app on ``url``, its jobs not started and its rate limits out of the way."""
    from dashboard.app import create_app

    return create_app(
        Settings.model_validate(
            {
                "DATABASE_URL": url,
                "HOTLINE_SIMULATE": False,
                "HOTLINE_LOG_LEVEL": "WARNING",
                "HOTLINE_PUBLIC_RATE_LIMIT": "1000000 per minute",
                "HOTLINE_GEOREPORT_RATE_LIMIT": "1000000 per minute",
            }
        ),
        start_jobs=False,
    )


def _read_database(url: str, runs: int, result: Result) -> tuple[datetime, list[str]]:
    """The data's size (into ``result``), its last arrival, ``runs`` codes drawn across the
    table and the plan of the default list (into ``result``)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            result.tickets = int(conn.execute(text("SELECT count(*) FROM tickets")).scalar_one())
            end = conn.execute(text("SELECT max(received_at) FROM tickets")).scalar_one()
            top = int(conn.execute(text("SELECT max(id) FROM tickets")).scalar_one())
            generator = random.Random(1022)
            ids = [generator.randint(1, top) for _ in range(runs * 2)]
            codes = [
                row[0]
                for row in conn.execute(
                    text("SELECT code FROM tickets WHERE id = ANY(:ids)"), {"ids": ids}
                )
            ][:runs]
            plan = _explain_default_list(conn, end)
            result.plan = plan[:4] + [line for line in plan if "Execution Time" in line]
    finally:
        engine.dispose()
    return end, codes


def _explain_default_list(conn: Connection, end: datetime) -> list[str]:
    """``EXPLAIN (ANALYZE)`` of the default list's statement (the 90 days before ``end``)."""
    plan_rows = conn.execute(
        text(
            "EXPLAIN (ANALYZE) SELECT id, code, status, category, agency, area, "
            "received_at, forwarded_at, due_at, resolved_at, closed_at FROM tickets "
            "WHERE category IN ('an_ninh','cap_nuoc','cay_xanh','dien','giao_thong',"
            "'hanh_chinh','khac','moi_truong','thoat_nuoc','trat_tu_do_thi','xe_buyt',"
            "'y_te') "
            "AND received_at >= :start AND received_at <= :end "
            "ORDER BY received_at DESC, id DESC LIMIT 1000"
        ),
        {"start": end - timedelta(days=90), "end": end},
    )
    return [row[0] for row in plan_rows]


@dataclass
class _Timer:
    """Times requests through the service and the app's routes into ``result.rows``."""

    result: Result
    runs: int
    public: PublicStatusService
    client: FlaskClient

    def add(self, what: str, function: Callable[[], int], target: float | None) -> None:
        """Time ``function`` (it returns the records it got) and keep the row."""
        timing, records = measure.time_runs(function, runs=self.runs, warmup=2)
        self.result.rows.append(Row(what, timing, records, target))
        log.info("%s: median %.1f ms, p95 %.1f ms", what, timing.median, timing.p95)

    def http(self, path: str, *, fresh: bool = True) -> int:
        """GET ``path`` (expecting 200); the records of a JSON list, else 1."""
        if fresh:  # the first request of a query: no answer to reuse
            self.public.answers.clear()
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = response.get_json()
        return len(body) if isinstance(body, list) else 1

    def xml_requests(self, path: str) -> int:
        """GET ``path`` with no answer to reuse; the ``<request>`` elements of the XML."""
        self.public.answers.clear()
        return self.client.get(path).data.count(b"<request>")


def _measure_lists(timer: _Timer, end: datetime) -> None:
    """The lists: through the service, then requests.json and .xml with their filters."""
    from data_access.values import RequestsQuery

    public, http, add = timer.public, timer.http, timer.add
    window = RequestsQuery(start=end - timedelta(days=90), end=end)
    add("service: 90 days, ≤ 1,000 newest", lambda: len(public.list(window)), LIST_TARGET_MS)
    stamp = end.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Relative to the data's end (the benchmark data ends when it was built).
    default_query = f"start_date={(end - timedelta(days=90)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
    add(
        "GET requests.json (90 days, ≤ 1,000)",
        lambda: http(f"{OPEN311}/requests.json?{default_query}&end_date={stamp}"),
        LIST_TARGET_MS,
    )
    add(
        "GET requests.json again within 5 s (shared answer)",
        lambda: http(f"{OPEN311}/requests.json?{default_query}&end_date={stamp}", fresh=False),
        LIST_TARGET_MS,
    )
    add(
        "GET requests.xml (90 days, ≤ 1,000)",
        lambda: timer.xml_requests(f"{OPEN311}/requests.xml?{default_query}&end_date={stamp}"),
        LIST_TARGET_MS,
    )
    for label, extra in (
        ("status=open", "status=open"),
        ("status=closed", "status=closed"),
        ("service_code=xe_buyt", "service_code=xe_buyt"),
    ):

        def filtered(extra: str = extra) -> int:
            return http(f"{OPEN311}/requests.json?{default_query}&end_date={stamp}&{extra}")

        add(f"GET requests.json?{label}", filtered, LIST_TARGET_MS)
    year_end = end - timedelta(days=365)
    year_start = year_end - timedelta(days=90)
    add(
        "GET requests.json, 90 days a year back",
        lambda: http(
            f"{OPEN311}/requests.json?start_date={year_start.strftime('%Y-%m-%dT%H:%M:%SZ')}"
            f"&end_date={year_end.strftime('%Y-%m-%dT%H:%M:%SZ')}"
        ),
        LIST_TARGET_MS,
    )


def _measure_lookups(timer: _Timer, codes: list[str]) -> None:
    """The lookups by code: through the service, requests/{code}.json and the tracking page."""
    public, client, http, add = timer.public, timer.client, timer.http, timer.add
    code_cycle = iter(codes * 4)
    add(
        "service: lookup by code",
        lambda: int(public.find(next(code_cycle)) is not None),
        LOOKUP_TARGET_MS,
    )
    add(
        "GET requests/{code}.json",
        lambda: http(f"{OPEN311}/requests/{next(code_cycle)}.json"),
        LOOKUP_TARGET_MS,
    )
    add(
        "GET /tra-cuu?code={code}",
        lambda: len(client.get(f"/tra-cuu?code={next(code_cycle)}").data),
        LOOKUP_TARGET_MS,
    )


def measure_database(url: str, runs: int) -> Result:
    """Lists and lookups through the service and through the app's routes."""
    result = Result(started=datetime.now().astimezone())
    start_load = os.getloadavg()[0]
    app = _bench_app(url)
    timer = _Timer(result, runs, app.server.config["HOTLINE_PUBLIC"], app.server.test_client())
    end, codes = _read_database(url, runs, result)
    _measure_lists(timer, end)
    _measure_lookups(timer, codes)
    app.server.config["HOTLINE_SERVICE"].engine.dispose()
    result.load = (start_load, os.getloadavg()[0])
    return result


def run_lighthouse(result: Result, workdir: Path) -> None:
    """Lighthouse (mobile preset) on /tra-cuu served by the real app on a small SQLite file."""
    from dashboard.app import create_app
    from dashboard.settings import DEFAULT_REFERENCE_FILE
    from data_access.migrate import upgrade_to_head
    from data_access.reference import load_reference_data, read_reference_file

    url = f"sqlite:///{workdir / 'tickets.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.begin() as conn:
        load_reference_data(conn, read_reference_file(DEFAULT_REFERENCE_FILE))
    engine.dispose()
    app = create_app(
        Settings.model_validate(
            {"DATABASE_URL": url, "HOTLINE_SIMULATE": False, "HOTLINE_LOG_LEVEL": "WARNING"}
        ),
        start_jobs=False,
    )
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    output = workdir / "lighthouse.json"
    environment = {
        **os.environ,
        "CHROME_PATH": CHROME_PATH,
        # Lighthouse is fetched from the npm registry once, into a cache kept between runs.
        "npm_config_cache": os.environ.get("BENCH_NPM_CACHE", str(NPM_CACHE)),
        "npm_config_update_notifier": "false",
    }
    command = [
        "npx",
        "--yes",
        LIGHTHOUSE,
        f"http://127.0.0.1:{server.server_port}/tra-cuu",
        "--output=json",
        f"--output-path={output}",
        "--quiet",
        "--chrome-flags=--headless --no-sandbox --disable-background-networking",
    ]
    try:
        completed = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=600
        )
        if completed.returncode != 0 or not output.exists():
            result.lighthouse_note = (completed.stderr or completed.stdout).strip()[-300:]
            return
        report = json.loads(output.read_text(encoding="utf-8"))
        result.lighthouse = {
            name: round(category["score"] * 100)
            for name, category in report["categories"].items()
            if category.get("score") is not None
        }
        audits = report["audits"]
        for audit in ("first-contentful-paint", "largest-contentful-paint", "total-byte-weight"):
            if audit in audits:
                result.lighthouse[audit] = audits[audit]["numericValue"]
        result.lighthouse_note = f"form factor {report['configSettings']['formFactor']}"
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
        result.lighthouse_note = f"{exc.__class__.__name__}: {exc}"[:300]
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.server.config["HOTLINE_SERVICE"].engine.dispose()


def section(result: Result) -> list[str]:
    """The report's section."""
    lines = [
        HEADING,
        "",
        f"Measured {result.started:%Y-%m-%d %H:%M %Z} by `python -m bench.open311` on "
        f"`bench_10m` ({result.tickets:,} tickets, PostgreSQL), in process through the real "
        "app's routes (Flask test client: no network, no gunicorn). The list windows end at "
        "the data's last ticket. Rate limits set out of the way for the run. Load average "
        f"{result.load[0]:.1f} → {result.load[1]:.1f} on {os.cpu_count()} cores (other "
        "work shared the machine: the Python part of a list, rendering 1,000 records, is "
        "the share that grows with it).",
        "",
        "| what | records | median | p95 | target (median) | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for row in result.rows:
        target = f"≤ {row.target_ms:.0f} ms" if row.target_ms is not None else ""
        ok = row.target_ms is None or row.timing.median <= row.target_ms
        verdict = "met" if ok else "NOT met"
        lines.append(
            f"| {row.what} | {row.records:,} | {row.timing.median:.1f} ms | "
            f"{row.timing.p95:.1f} ms | {target} | {verdict} |"
        )
    lines += [
        "",
        "The SQL of the default list alone (`EXPLAIN (ANALYZE)`, first lines and its time): the "
        "rest of a fresh answer is Python (rows, 1,000 records in words, JSON).",
        "",
        "```",
    ]
    lines += result.plan
    lines += ["```", ""]
    if result.lighthouse:
        performance = result.lighthouse.get("performance")
        ok = performance is not None and performance >= LIGHTHOUSE_TARGET
        scores = ", ".join(
            f"{name} {value:.0f}"
            for name, value in result.lighthouse.items()
            if name in ("performance", "accessibility", "best-practices", "seo")
        )
        lines.append(
            f"Lighthouse {LIGHTHOUSE.split('@')[1]} on `/tra-cuu` ({result.lighthouse_note}, "
            f"headless Chromium, simulated slow 4G): **{scores}** — performance target "
            f"≥ {LIGHTHOUSE_TARGET}: {'met' if ok else 'NOT met'}. First contentful paint "
            f"{result.lighthouse.get('first-contentful-paint', 0):.0f} ms, largest "
            f"{result.lighthouse.get('largest-contentful-paint', 0):.0f} ms, "
            f"{result.lighthouse.get('total-byte-weight', 0) / 1024:.1f} KiB in all."
        )
    else:
        lines.append(f"Lighthouse did not run: {result.lighthouse_note or 'skipped'}.")
    lines.append("")
    return lines


def update_report(result: Result, path: Path = REPORT) -> None:
    """Replace (or add) this section of docs/PERFORMANCE.md."""
    write_section(path, HEADING, section(result), empty="# Performance\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, and with --update-report write the section."""
    parser = argparse.ArgumentParser(prog="python -m bench.open311", description=__doc__)
    parser.add_argument("--url", default=DATABASE_URL)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--update-report", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s")
    prepare(args.url)
    result = measure_database(args.url, args.runs)
    if not args.skip_lighthouse:
        with tempfile.TemporaryDirectory(prefix="bench-open311-") as workdir:
            run_lighthouse(result, Path(workdir))
    print("\n".join(section(result)))
    if args.update_report:
        update_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
