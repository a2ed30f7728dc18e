"""Benchmark databases: PostgreSQL ones generated on the server side, SQLite copies of them.

Every size holds the same density, about 9,100 tickets per operating day, so a day window
contains the same tickets at 100 k, 1 M and 10 M and only the length of the history grows
(10 M is three years). Rows are written in time order, as an intake system writes them.
"""

from __future__ import annotations

import logging
import math
import random
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from dashboard.shifts import ShiftCalendar
from data_access.engine import make_engine, normalise_url
from data_access.migrate import upgrade_to_head
from tests.support.db import prepare_database

log = logging.getLogger("bench")

GENERATOR_VERSION = "3"
PER_DAY = 9_132  # 10 M tickets over three years (1,095 operating days)
TIMEZONE = "Asia/Ho_Chi_Minh"
DAY_START_HOUR = 6
SHIFTS = "06:00-14:00,14:00-22:00,22:00-06:00"

# Relative arrivals per local hour, from 06:00 (the start of the operating day) on:
# morning and early-afternoon peaks, quiet nights.
HOUR_WEIGHTS = (4, 8, 12, 13, 12, 10, 7, 9, 11, 10, 9, 7, 5, 4, 4, 3, 2, 1.5, 1, 1, 1, 1, 1, 2)

CHANNELS = (("call", 70), ("web", 15), ("sms", 8), ("email", 7))
LINES = (("1022", 85), ("ubnd", 10), ("thanh_uy", 5))
URGENCIES = ((1, 45), (2, 45), (3, 8), (4, 2))
# Shares of the fields in October 2025: administration ~43 %, noise ~9 %, buses ~7.5 %.
CATEGORIES = (
    ("hanh_chinh", 43, "vp_ubnd", 120),
    ("moi_truong", 9, "so_tnmt", 72),
    ("xe_buyt", 7.5, "ql_gtcc", 24),
    ("giao_thong", 6, "so_gtvt", 2),
    ("trat_tu_do_thi", 6, "so_xay_dung", 72),
    ("dien", 5, "evn_hcmc", 4),
    ("thoat_nuoc", 5, "chong_ngap", 4),
    ("cap_nuoc", 4, "sawaco", 8),
    ("khac", 4, "vp_ubnd", 120),
    ("cay_xanh", 3, "cay_xanh", 2),
    ("y_te", 3, "so_y_te", 24),
    ("an_ninh", 3, "cong_an", 4),
    ("tham_nhung", 1, "noi_chinh", 360),
    ("xay_dung_dang", 0.5, "vp_thanh_uy", 360),
)
AREAS = (
    "phuong_sai_gon",
    "phuong_ben_thanh",
    "phuong_tan_dinh",
    "phuong_cau_ong_lanh",
    "phuong_ban_co",
    "phuong_xuan_hoa",
    "phuong_nhieu_loc",
    "phuong_cho_lon",
    "phuong_an_dong",
    "phuong_thu_duc",
    "phuong_binh_thanh",
    "phuong_go_vap",
    "phuong_tan_son_nhat",
    "phuong_phu_nhuan",
    "phuong_binh_tan",
    "xa_cu_chi",
    "xa_binh_chanh",
    "xa_nha_be",
)
# Tickets older than this are all resolved or closed (the hotline audits its backlog);
# younger ones may be stuck, which gives the board a realistic overdue tail.
STUCK_HORIZON_DAYS = 60
STUCK_SHARE = 0.004


@dataclass(frozen=True)
class Size:
    """One benchmark size: a label, a row count and its PostgreSQL database name."""

    label: str
    rows: int

    @property
    def database(self) -> str:
        """The PostgreSQL database name (bench_100k, bench_1m, bench_10m)."""
        return f"bench_{self.label.lower()}"

    @property
    def days(self) -> int:
        """Operating days of history at the common density."""
        return max(1, math.ceil(self.rows / PER_DAY))


SEEDS = {"100k": 100, "1M": 1000, "10M": 10000}
SIZES = {"100k": Size("100k", 100_000), "1M": Size("1M", 1_000_000), "10M": Size("10M", 10_000_000)}


def calendar() -> ShiftCalendar:
    """The calendar of the benchmark data (the board's defaults)."""
    return ShiftCalendar.from_spec(TIMEZONE, SHIFTS)


def database_url(base_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``base_url``."""
    return make_url(normalise_url(base_url)).set(database=name).render_as_string(False)


def _cumulative(weights: tuple[float, ...]) -> list[float]:
    total = float(sum(weights))
    running, result = 0.0, [0.0]
    for weight in weights:
        running += weight
        result.append(running / total)
    result[-1] = 1.0
    return result


def _pick_sql(expression: str, choices: tuple[tuple[object, float], ...]) -> str:
    """A CASE choosing among weighted values from a uniform number ``expression``."""
    cumulative = _cumulative(tuple(weight for _, weight in choices))
    parts = []
    for (value, _), upper in zip(choices[:-1], cumulative[1:-1], strict=True):
        literal = f"'{value}'" if isinstance(value, str) else str(value)
        parts.append(f"WHEN {expression} < {upper:.6f} THEN {literal}")
    last = choices[-1][0]
    last_literal = f"'{last}'" if isinstance(last, str) else str(last)
    return f"CASE {' '.join(parts)} ELSE {last_literal} END"


def _generator_sql() -> str:
    """INSERT ... SELECT generating the tickets of some operating days, in time order.

    Within a day, ticket k of n is received at the inverse of the day's arrival curve at
    (k - u) / n, so times grow with k and the heap is written in received_at order.

    Long because it is one SQL statement whose nested subqueries read from the inside out;
    cut into Python pieces it would no longer read as one query.
    """
    cat_choices = tuple((code, weight) for code, weight, _, _ in CATEGORIES)
    agency = " ".join(f"WHEN '{code}' THEN '{ag}'" for code, _, ag, _ in CATEGORIES)
    sla = " ".join(f"WHEN '{code}' THEN {hours_}" for code, _, _, hours_ in CATEGORIES)
    areas = "ARRAY[" + ",".join(f"'{a}'" for a in AREAS) + "]"
    return f"""
INSERT INTO tickets (id, code, received_at, channel, line, category, urgency, status, agency,
                     operator, area, forwarded_at, due_at, resolved_at, closed_at, satisfaction,
                     citizen_name, citizen_phone, citizen_email, content)
SELECT s.id,
       '1022-' || to_char(s.day, 'YYMMDD') || '-'
           || lpad(CAST(s.id AS text), greatest(8, length(CAST(s.id AS text))), '0'),
       s.received_at, s.channel, s.line,
       CASE WHEN s.classified_at <= s.data_end THEN s.cat END,
       CASE WHEN s.classified_at <= s.data_end THEN s.urg END,
       CASE WHEN s.res_at IS NOT NULL AND s.res_at + interval '1 day' <= s.data_end THEN 'closed'
            WHEN s.res_at IS NOT NULL AND s.res_at <= s.data_end THEN 'resolved'
            WHEN s.fwd_at IS NOT NULL AND s.fwd_at + interval '30 minutes' <= s.data_end
                 THEN 'in_progress'
            WHEN s.fwd_at IS NOT NULL AND s.fwd_at <= s.data_end THEN 'forwarded'
            WHEN s.classified_at <= s.data_end THEN 'classified'
            ELSE 'received' END,
       CASE WHEN s.fwd_at <= s.data_end THEN s.target END,
       'op' || lpad(CAST(1 + (s.id % 24) AS text), 2, '0'),
       s.area,
       CASE WHEN s.fwd_at <= s.data_end THEN date_trunc('second', s.fwd_at) END,
       CASE WHEN s.urg > 1 AND s.classified_at <= s.data_end
            THEN s.received_at + make_interval(hours => s.sla_hours) END,
       CASE WHEN s.res_at <= s.data_end THEN date_trunc('second', s.res_at) END,
       CASE WHEN s.res_at + interval '1 day' <= s.data_end
            THEN date_trunc('second', s.res_at + interval '1 day') END,
       CASE WHEN s.res_at + interval '1 day' <= s.data_end AND s.r_fwd < 0.6
            THEN 1 + CAST(floor(s.r_line * 5) AS int) END,
       'Công dân ' || CAST(s.id % 9973 AS text),
       '09' || lpad(CAST(s.id % 100000000 AS text), 8, '0'),
       'cd' || CAST(s.id % 9973 AS text) || '@example.vn',
       'Phản ánh về ' || s.cat || ' tại ' || s.area
           || ', đề nghị cơ quan chức năng kiểm tra và xử lý sớm. Mã ' || CAST(s.id AS text)
FROM (
    -- Each level computes its columns once (OFFSET 0 keeps the planner from inlining them).
    SELECT p.*,
           CASE WHEN p.urg = 1 THEN NULL
                ELSE p.received_at + make_interval(secs => -480 * ln(1 - p.r_fwd)) END AS fwd_at,
           CASE WHEN p.urg = 1 THEN p.received_at + make_interval(secs => -600 * ln(1 - p.r_res))
                WHEN p.r_stuck < {STUCK_SHARE} AND p.received_at > p.data_end
                     - make_interval(days => {STUCK_HORIZON_DAYS}) THEN NULL
                ELSE p.received_at + make_interval(secs => -3600 * p.sla_hours
                     * (CASE WHEN p.urg = 2 THEN 0.4 ELSE 0.6 END) * ln(1 - p.r_res)) END AS res_at,
           p.received_at + make_interval(secs => 60 + 240 * p.r_misc) AS classified_at
    FROM (
        SELECT b.*,
               CASE b.cat {sla} END AS sla_hours,
               CASE WHEN b.r_misc < 0.9 THEN CASE b.cat {agency} END ELSE 'vp_ubnd' END AS target,
               (CAST({areas} AS text[]))[1 + CAST(floor(b.r_misc * {len(AREAS)}) AS int)] AS area
        FROM (
            SELECT t.*,
                   date_trunc('second',
                       ((t.day + make_interval(hours => {DAY_START_HOUR}))
                        AT TIME ZONE '{TIMEZONE}')
                       + make_interval(secs => 3600 * (t.h + (t.u - t.lo) / (t.hi - t.lo)))
                   ) AS received_at,
                   {_pick_sql("t.r_channel", CHANNELS)} AS channel,
                   {_pick_sql("t.r_line", LINES)} AS line,
                   {_pick_sql("t.r_cat", cat_choices)} AS cat,
                   {_pick_sql("t.r_urg", URGENCIES)} AS urg
            FROM (
                SELECT r.*, bounds[r.h + 1] AS lo, bounds[r.h + 2] AS hi
                FROM (
                    SELECT q.*, width_bucket(q.u, CAST(:hour_bounds AS float8[])) - 1 AS h
                    FROM (
                        SELECT d.day, d.first_id + g.k AS id, (g.k - random()) / d.n AS u,
                               random() AS r_channel, random() AS r_line, random() AS r_cat,
                               random() AS r_urg, random() AS r_fwd, random() AS r_res,
                               random() AS r_stuck, random() AS r_misc,
                               CAST(:data_end AS timestamptz) AS data_end
                        FROM unnest(CAST(:days AS date[]), CAST(:counts AS int[]),
                                    CAST(:first_ids AS bigint[])) AS d(day, n, first_id)
                             CROSS JOIN LATERAL generate_series(1, d.n) AS g(k)
                        OFFSET 0
                    ) AS q OFFSET 0
                ) AS r, CAST(:hour_bounds AS float8[]) AS bounds OFFSET 0
            ) AS t OFFSET 0
        ) AS b OFFSET 0
    ) AS p OFFSET 0
) AS s
WHERE s.received_at > CAST(:not_before AS timestamptz) AND s.received_at <= s.data_end
"""


def day_counts(days: list[date], seed: int) -> list[int]:
    """Tickets per operating day: weekdays busier than weekends, with rainy-day bursts."""
    rng = random.Random(seed)
    counts = []
    mean_factor = (5 * 1.08 + 2 * 0.8) / 7 * (1 + 0.08 * 0.35)
    for day in days:
        factor = 1.08 if day.weekday() < 5 else 0.8
        if rng.random() < 0.08:  # a heavy rain: flooding and fallen-tree reports
            factor *= 1.35
        counts.append(max(1, int(PER_DAY * factor / mean_factor * rng.uniform(0.93, 1.07))))
    return counts


def _admin_engine(base_url: str) -> Engine:
    return create_engine(
        database_url(base_url, "postgres"), isolation_level="AUTOCOMMIT", pool_size=1
    )


def _meta(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('bench_meta')")).scalar()
        if exists is None:
            return {}
        return dict(conn.execute(text("SELECT key, value FROM bench_meta")).all())


def _write_meta(engine: Engine, values: dict[str, str]) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS bench_meta (key text primary key, value text)")
        )
        for key, value in values.items():
            conn.execute(
                text(
                    "INSERT INTO bench_meta VALUES (:k, :v) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
                ),
                {"k": key, "v": value},
            )


@dataclass(frozen=True)
class BuiltDatabase:
    """A benchmark database: where it is, what it holds and how long building it took."""

    size: Size
    url: str
    rows: int
    data_end: datetime
    build_seconds: float | None
    reused: bool


def _insert_days(
    url: str,
    days: list[date],
    counts: list[int],
    first_ids: list[int],
    end: datetime,
    after: datetime,
) -> int:
    engine = create_engine(url, pool_size=1)
    bounds = _cumulative(HOUR_WEIGHTS)
    written = 0
    try:
        step = 20
        for offset in range(0, len(days), step):
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL synchronous_commit = off"))
                conn.execute(text("SET LOCAL work_mem = '256MB'"))
                result = conn.execute(
                    text(_generator_sql()),
                    {
                        "days": days[offset : offset + step],
                        "counts": counts[offset : offset + step],
                        "first_ids": first_ids[offset : offset + step],
                        "hour_bounds": bounds,
                        "data_end": end,
                        "not_before": after,
                    },
                )
                written += result.rowcount
    finally:
        engine.dispose()
    return written


@contextmanager
def indexes_dropped(url: str) -> Iterator[None]:
    """Drop the indexes and keys of ``tickets`` for a bulk load, then recreate them verbatim.

    The definitions are read back from the catalog, so the recreated indexes are exactly the
    migration's; building them once after the load is far cheaper than maintaining them row
    by row through a small shared_buffers.
    """
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with engine.connect() as conn:
            keys = conn.execute(
                text(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'tickets'::regclass AND contype IN ('p', 'u') "
                    "ORDER BY contype"
                )
            ).all()
            foreign = conn.execute(
                text(
                    "SELECT conname, CAST(conrelid::regclass AS text), pg_get_constraintdef(oid) "
                    "FROM pg_constraint WHERE confrelid = 'tickets'::regclass AND contype = 'f'"
                )
            ).all()
            key_names = {name for name, _ in keys}
            indexes = [
                (name, definition)
                for name, definition in conn.execute(
                    text(
                        "SELECT indexname, indexdef FROM pg_indexes "
                        "WHERE schemaname = current_schema() AND tablename = 'tickets'"
                    )
                )
                if name not in key_names
            ]
            for name, table, _ in foreign:
                conn.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
            for name, _ in indexes:
                conn.execute(text(f'DROP INDEX "{name}"'))
            for name, _ in keys:
                conn.execute(text(f'ALTER TABLE tickets DROP CONSTRAINT "{name}"'))
        yield
        with engine.connect() as conn:
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
            conn.execute(text("SET max_parallel_maintenance_workers = 2"))
            for name, definition in keys:
                conn.execute(text(f'ALTER TABLE tickets ADD CONSTRAINT "{name}" {definition}'))
            for _, definition in indexes:
                conn.execute(text(definition))
            for name, table, definition in foreign:
                conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
    finally:
        engine.dispose()


def generate(
    url: str,
    first_day: date,
    last_day: date,
    *,
    first_id: int,
    end: datetime,
    after: datetime,
    seed: int,
    parallel: int = 2,
) -> int:
    """Generate the tickets of operating days first..last received in (after, end]."""
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    counts = day_counts(days, seed)
    first_ids, running = [], first_id
    for count in counts:
        first_ids.append(running)
        running += count
    # Two loaders on two cores: each takes every other block of days.
    chunks: list[tuple[list[date], list[int], list[int]]] = [([], [], []) for _ in range(parallel)]
    block = 20
    for index in range(0, len(days), block):
        target = chunks[(index // block) % parallel]
        target[0].extend(days[index : index + block])
        target[1].extend(counts[index : index + block])
        target[2].extend(first_ids[index : index + block])
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(_insert_days, url, d, c, f, end, after) for d, c, f in chunks if d]
        return sum(future.result() for future in futures)


def prepare_schema(url: str) -> None:
    """Bring a benchmark database to the newest migration and its rollups up to date."""
    engine = make_engine(url, statement_timeout_ms=3_600_000)
    try:
        upgrade_to_head(engine)
        try:
            from data_access.overview_rollups import day_start_minutes, sync_rollups
        except ImportError:
            return
        with engine.begin() as conn:
            if sync_rollups(conn, TIMEZONE, day_start_minutes(DAY_START_HOUR, 0)):
                log.info("rebuilt the overview rollups of %s", make_url(url).database)
    finally:
        engine.dispose()


# The tables autovacuum would analyze with its default thresholds: never analyzed, or
# changed in more than 50 rows + 10 % since.
STALE_STATISTICS = """
SELECT format('%I.%I', s.schemaname, s.relname)
FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.reltuples < 0 OR s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
ORDER BY 1
"""


def settle(base_url: str, name: str, *, timeout: float = 120) -> None:
    """Let background work end before timing: a checkpoint, no autovacuum on ``name``, and
    the statistics a production server's autovacuum would have collected by now."""
    admin = _admin_engine(base_url)
    try:
        with admin.connect() as conn:
            conn.execute(text("CHECKPOINT"))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                busy = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = :n "
                        "AND backend_type = 'autovacuum worker'"
                    ),
                    {"n": name},
                ).scalar()
                if not busy:
                    break
                time.sleep(1)
            else:
                log.warning("autovacuum still running on %s; measuring anyway", name)
    finally:
        admin.dispose()
    analyze_stale(database_url(base_url, name))


def analyze_stale(url: str) -> tuple[str, ...]:
    """ANALYZE the tables whose statistics autovacuum would renew (it may be off or behind,
    as on a machine that just built the database): the planner must not measure guesses."""
    engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with engine.connect() as conn:
            stale = tuple(str(name) for name in conn.execute(text(STALE_STATISTICS)).scalars())
            for table in stale:
                conn.execute(text(f"ANALYZE {table}"))  # quoted by format('%I')
    finally:
        engine.dispose()
    if stale:
        log.info("analyzed %s (statistics missing or stale)", ", ".join(stale))
    return stale


def _sync_sequence(conn: Connection) -> None:
    """Rows were written with explicit ids: move the id sequence past them."""
    conn.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('tickets', 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM tickets), false)"
        )
    )


def build_postgres(base_url: str, size: Size, *, rebuild: bool = False) -> BuiltDatabase:
    """Create (or reuse) the PostgreSQL database of a size; reused ones are topped up to now."""
    url = database_url(base_url, size.database)
    admin = _admin_engine(base_url)
    now = datetime.now(UTC).replace(microsecond=0)
    cal = calendar()
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": size.database}
            ).scalar()
            if exists and not rebuild:
                engine = create_engine(url, pool_size=1)
                meta = _meta(engine)
                if meta.get("version") == GENERATOR_VERSION and meta.get("size") == size.label:
                    prepare_schema(url)
                    reused = _top_up(url, engine, meta, now, size)
                    engine.dispose()
                    return reused
                engine.dispose()
            if exists:
                conn.execute(text(f'DROP DATABASE "{size.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{size.database}"'))
    finally:
        admin.dispose()

    started = time.perf_counter()
    prepare_database(url, statement_timeout_ms=3_600_000)
    last_day = cal.operating_day(now)
    first_day = last_day - timedelta(days=size.days - 1)
    log.info("generating %s tickets (%s days) in %s", size.label, size.days, size.database)
    with indexes_dropped(url):
        rows = generate(
            url,
            first_day,
            last_day,
            first_id=0,
            end=now,
            after=now - timedelta(days=size.days + 2),
            seed=SEEDS[size.label],
        )
    plain = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with plain.connect() as conn:
            _sync_sequence(conn)
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
            conn.execute(text("VACUUM (ANALYZE) tickets"))
    finally:
        plain.dispose()
    prepare_schema(url)
    seconds = time.perf_counter() - started
    _write_meta(
        create_engine(url, pool_size=1),
        {
            "version": GENERATOR_VERSION,
            "size": size.label,
            "data_end": now.isoformat(),
            "build_seconds": f"{seconds:.1f}",
        },
    )
    log.info("built %s: %s rows in %.1f s", size.database, rows, seconds)
    return BuiltDatabase(size, url, rows, now, seconds, reused=False)


def _top_up(
    url: str, engine: Engine, meta: dict[str, str], now: datetime, size: Size
) -> BuiltDatabase:
    """Add the tickets received since the database was built, so 'now' has live data."""
    data_end = datetime.fromisoformat(meta["data_end"])
    cal = calendar()
    if now - data_end > timedelta(minutes=1):
        with engine.connect() as conn:
            max_id = int(
                conn.execute(text("SELECT coalesce(max(id), 0) FROM tickets")).scalar_one()
            )
        added = generate(
            url,
            cal.operating_day(data_end),
            cal.operating_day(now),
            first_id=max_id,
            end=now,
            after=data_end,
            seed=int(now.timestamp()) & 0xFFFF,
            parallel=1,
        )
        with engine.connect() as conn:
            _sync_sequence(conn)
            conn.execute(text("ANALYZE tickets"))
            conn.commit()
        _write_meta(engine, {"data_end": now.isoformat()})
        log.info("topped up %s with %s tickets since %s", size.database, added, data_end)
        data_end = now
    with engine.connect() as conn:
        rows = int(conn.execute(text("SELECT count(*) FROM tickets")).scalar_one())
    return BuiltDatabase(size, url, rows, data_end, None, reused=True)


def build_sqlite(
    source: BuiltDatabase, directory: Path, *, rebuild: bool = False
) -> tuple[str, float | None]:
    """Copy a PostgreSQL benchmark database into an SQLite file (same rows, same numbers)."""
    path = directory / f"{source.size.database}.sqlite"
    url = f"sqlite:///{path}"
    marker = source.data_end.isoformat()
    if path.exists() and not rebuild:
        try:
            with sqlite3.connect(path) as db:
                row = db.execute("SELECT value FROM bench_meta WHERE key='data_end'").fetchone()
            if row and row[0] == marker:
                return url, None
        except sqlite3.Error:
            pass
    started = time.perf_counter()
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    prepare_database(url)
    columns = (
        "id, code, received_at, channel, line, category, urgency, status, agency, operator, area,"
        " forwarded_at, due_at, resolved_at, closed_at, satisfaction, citizen_name,"
        " citizen_phone, citizen_email, content"
    )
    stamp = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    select_list = columns
    for name in ("received_at", "forwarded_at", "due_at", "resolved_at", "closed_at"):
        select_list = select_list.replace(f" {name},", f" {stamp.format(name)},", 1)
    select_list = select_list.replace(
        "id, code, received_at,", f"id, code, {stamp.format('received_at')},"
    )
    pg = create_engine(source.url, pool_size=1)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        marks = ",".join("?" * 20)
        with pg.connect() as conn:
            raw: Any = conn.connection.dbapi_connection  # psycopg2's: named cursors, itersize
            cursor = raw.cursor(name="copy_out")
            cursor.itersize = 20_000
            cursor.execute(f"SELECT {select_list} FROM tickets ORDER BY id")
            while True:
                batch = cursor.fetchmany(20_000)
                if not batch:
                    break
                db.executemany(f"INSERT INTO tickets ({columns}) VALUES ({marks})", batch)
            cursor.close()
        db.execute("CREATE TABLE bench_meta (key text primary key, value text)")
        db.execute("INSERT INTO bench_meta VALUES ('data_end', ?)", (marker,))
        db.commit()
        db.execute("ANALYZE")
        db.execute("PRAGMA journal_mode=WAL")
        db.commit()
    finally:
        db.close()
        pg.dispose()
    return url, time.perf_counter() - started
