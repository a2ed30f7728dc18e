"""``python -m bench.switchboard``: the queue_log follower and the switchboard figures (issue 12).

(g1) A day of a busy centre's queue_log (100,000 events) followed into a fresh
PostgreSQL schema and an SQLite file, timed from the first line to the last.
(g2) The switchboard figures next to 10 M tickets: a calls table of a busy
centre (30,000 calls a day for 90 days) in a schema of its own inside
``bench_10m`` (the shared tickets are not touched, no migration is run on the
shared database), then the switchboard query and the whole snapshot timed.
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from bench import datasets, measure
from bench.cli import add_database_url, write_section
from dashboard.settings import DEFAULT_REFERENCE_FILE, PROJECT_ROOT
from dashboard.snapshot import compute_snapshot
from dashboard.switchboard.demo_log import DemoPbx
from dashboard.switchboard.follower import QueueLogFollower
from data_access.engine import make_engine, normalise_url
from data_access.migrate import upgrade_to_head
from data_access.reference import read_queue_lines
from data_access.schema import calls, metadata, operator_states
from data_access.switchboard import read_switchboard_counts
from data_access.values import CallTargets

log = logging.getLogger("bench")

EVENTS = 100_000
CALLS_PER_DAY = 30_000
CALL_DAYS = 90
SCHEMA = "switchboard_bench"
HEADING = "## (i) The switchboard"
RUNS = 15


@dataclass
class FollowTiming:
    """One follow of the day's queue_log."""

    database: str
    seconds: float
    calls: int
    malformed: int


@dataclass
class SwitchboardResult:
    """What ``run`` measured."""

    follows: list[FollowTiming]
    call_rows: int
    query_day: measure.Timing
    query_shift: measure.Timing
    snapshot_day: measure.Timing
    generated_seconds: float


def busy_day_log(path: Path, day_start: datetime, events: int = EVENTS) -> int:
    """A day of a busy centre: 80 operators a shift; the first ``events`` lines; calls entered."""
    calendar = datasets.calendar()
    staff = {shift: [f"agent{shift}{n:02d}" for n in range(80)] for shift in (1, 2, 3)}
    pbx = DemoPbx(calendar, staff, 1500.0, random.Random(12), day_start.timestamp())
    lines = pbx.advance((day_start + timedelta(days=1)).timestamp()) + pbx.flush()
    lines = lines[:events]
    path.write_text("".join(lines), encoding="utf-8")
    return sum(1 for line in lines if "|ENTERQUEUE|" in line)


def _follow(url: str, path: Path, label: str) -> FollowTiming:
    engine = make_engine(url, statement_timeout_ms=600_000)
    try:
        upgrade_to_head(engine)
        follower = QueueLogFollower(engine, path, read_queue_lines(DEFAULT_REFERENCE_FILE))
        started = time.perf_counter()
        result = follower.follow_once()
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            stored = int(conn.execute(text("SELECT count(*) FROM calls")).scalar_one())
        assert result.lines == EVENTS, result
        return FollowTiming(label, seconds, stored, result.malformed)
    finally:
        engine.dispose()


def measure_follow(base_url: str, workdir: Path) -> tuple[list[FollowTiming], int]:
    """Follow the same day into PostgreSQL (a fresh schema) and SQLite (a new file)."""
    path = workdir / "queue_log"
    entered = busy_day_log(path, datetime(2026, 12, 1, 23, 0, tzinfo=UTC))
    timings = []
    schema = f"bench_follow_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
        timings.append(_follow(url, path, "PostgreSQL"))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    timings.append(_follow(f"sqlite:///{workdir / 'follow.db'}", path, "SQLite"))
    for timing in timings:
        assert timing.calls == entered, (timing, entered)
    return timings, entered


FILL_CALLS = f"""
INSERT INTO {SCHEMA}.calls (call_id, queue, line, entered_at, answered_at, ended_at, outcome,
                            operator, wait_seconds, talk_seconds)
SELECT 'b' || g, q.queue, q.line, t.entered,
       CASE WHEN o.kind = 'answered' THEN t.entered + make_interval(secs => w.wait) END,
       CASE WHEN t.entered < :now - interval '20 minutes'
            THEN t.entered + make_interval(secs => w.wait + CASE WHEN o.kind = 'answered'
                                                             THEN w.talk ELSE 0 END) END,
       CASE WHEN t.entered < :now - interval '20 minutes' THEN o.kind END,
       CASE WHEN o.kind = 'answered' THEN 'agent' || (g % 80) END,
       w.wait,
       CASE WHEN o.kind = 'answered' AND t.entered < :now - interval '20 minutes'
            THEN w.talk END
FROM generate_series(1, :rows) AS g
CROSS JOIN LATERAL (SELECT :now - make_interval(secs => (g::float8 / :rows) * :span) AS entered) t
CROSS JOIN LATERAL (SELECT CASE WHEN g % 100 < 86 THEN 'hotline1022' WHEN g % 100 < 93
                           THEN 'thanhuy' ELSE 'ubnd' END AS queue,
                           CASE WHEN g % 100 < 86 THEN '1022' WHEN g % 100 < 93
                           THEN 'thanh_uy' ELSE 'ubnd' END AS line) q
CROSS JOIN LATERAL (SELECT CASE WHEN g % 17 = 0 THEN 'abandoned' WHEN g % 97 = 0 THEN 'timeout'
                           ELSE 'answered' END AS kind) o
CROSS JOIN LATERAL (SELECT (g::bigint * 7919 % 45)::int AS wait,
                           (30 + g::bigint * 104729 % 300)::int AS talk) w
"""


def prepare_calls(url: str, now: datetime) -> tuple[int, float]:
    """The calls table of a busy centre in its own schema of ``bench_10m`` (reused when there)."""
    rows = CALLS_PER_DAY * CALL_DAYS
    engine = make_engine(url, statement_timeout_ms=3_600_000)
    started = time.perf_counter()
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
            conn.execute(text(f"SET LOCAL search_path = {SCHEMA}"))
            metadata.create_all(conn, tables=[calls, operator_states])
            have = int(conn.execute(text(f"SELECT count(*) FROM {SCHEMA}.calls")).scalar_one())
            newest = conn.execute(text(f"SELECT max(entered_at) FROM {SCHEMA}.calls")).scalar()
            fresh = newest is not None and now - newest < timedelta(hours=1)
            if have != rows or not fresh:
                conn.execute(text(f"TRUNCATE {SCHEMA}.calls, {SCHEMA}.operator_states"))
                conn.execute(
                    text(FILL_CALLS),
                    {"rows": rows, "now": now, "span": CALL_DAYS * 86400.0},
                )
                conn.execute(
                    text(
                        f"INSERT INTO {SCHEMA}.operator_states (operator, state, since) "
                        "SELECT 'agent' || n, (ARRAY['available','on_call','paused'])[1 + n % 3],"
                        " :now - interval '5 minutes' FROM generate_series(0, 79) AS n"
                    ),
                    {"now": now},
                )
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text(f"ANALYZE {SCHEMA}.calls")
            )
    finally:
        engine.dispose()
    return rows, time.perf_counter() - started


def _timed(engine: Engine, call: object, runs: int = RUNS) -> measure.Timing:
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        values.append((time.perf_counter() - started) * 1000)
    return measure.Timing(tuple(values))


def run(base_url: str) -> SwitchboardResult:
    """Measure (g1) and (g2)."""
    with tempfile.TemporaryDirectory(prefix="hotline-switchboard-") as workdir:
        follows, _ = measure_follow(normalise_url(base_url), Path(workdir))
    url = datasets.database_url(base_url, datasets.SIZES["10M"].database)
    now = datetime.now(UTC).replace(microsecond=0)
    rows, generated = prepare_calls(url, now)
    board_url = f"{url}?options=-csearch_path%3D{SCHEMA},public"
    engine = make_engine(board_url, readonly=True, statement_timeout_ms=120_000)
    calendar = datasets.calendar()
    try:
        day = calendar.current_window(now, whole_day=True)
        shift = calendar.current_window(now)

        def query(window: object) -> object:
            with engine.connect() as conn:
                return read_switchboard_counts(
                    conn,
                    start=window.start,  # type: ignore[attr-defined]
                    end=window.end,  # type: ignore[attr-defined]
                    now=now,
                    targets=CallTargets(),
                )

        query(day)  # warm
        query_day = _timed(engine, lambda: query(day))
        query_shift = _timed(engine, lambda: query(shift))
        snapshot_day = _timed(engine, lambda: compute_snapshot(engine, calendar, day, now), 7)
    finally:
        engine.dispose()
    return SwitchboardResult(follows, rows, query_day, query_shift, snapshot_day, generated)


def _ms(milliseconds: float) -> str:
    return f"{milliseconds:,.1f} ms"


def section(result: SwitchboardResult) -> list[str]:
    """The report's section (g)."""
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.switchboard` "
        "(also the last step of `make bench`).",
        "",
        f"**(g1) Following a day of a busy centre's queue_log**: {EVENTS:,} events (the demo PBX "
        "with 80 operators a shift, about 1,500 calls an hour at the average hour), one pass of "
        "`follow-queue-log --once` into an empty database, batches of 5,000 lines a transaction "
        "(each with its position).",
        "",
        "| database | seconds | events/s | calls stored | malformed |",
        "| --- | --- | --- | --- | --- |",
    ]
    for item in result.follows:
        lines.append(
            f"| {item.database} | {item.seconds:.1f} s | {EVENTS / item.seconds:,.0f} | "
            f"{item.calls:,} | {item.malformed} |"
        )
    lines += [
        "",
        f"**(g2) The switchboard figures at 10 M tickets**: `bench_10m`'s tickets with a calls "
        f"table of {result.call_rows:,} rows ({CALLS_PER_DAY:,} calls a day for {CALL_DAYS} "
        f"days, in schema `{SCHEMA}` of that database; generated in {result.generated_seconds:.0f}"
        f" s when missing), {RUNS} runs each after a warm-up.",
        "",
        "| what | median | p95 |",
        "| --- | --- | --- |",
        f"| switchboard query, current operating day | {_ms(result.query_day.median)} | "
        f"{_ms(result.query_day.p95)} |",
        f"| switchboard query, current shift | {_ms(result.query_shift.median)} | "
        f"{_ms(result.query_shift.p95)} |",
        f"| whole snapshot of the day (tickets + calls), 7 runs | "
        f"{_ms(result.snapshot_day.median)} | {_ms(result.snapshot_day.p95)} |",
        "",
        "The switchboard adds three short statements to the snapshot's transaction: the queue "
        "now (the partial index on waiting calls), the window's counts (the `entered_at` index) "
        "and the per-operator counts; all bounded by the window, not the history.",
        "",
    ]
    return lines


def update_report(path: Path, result: SwitchboardResult) -> None:
    """Put section (g) into the report (replacing an older one), before "Not met"."""
    write_section(path, HEADING, section(result))


def main(argv: Sequence[str] | None = None) -> int:
    """Run (g) and write it into the report."""
    parser = argparse.ArgumentParser(prog="python -m bench.switchboard", description=__doc__)
    add_database_url(parser)
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "docs" / "PERFORMANCE.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    result = run(args.database_url)
    update_report(args.output, result)
    for line in section(result):
        print(line)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
