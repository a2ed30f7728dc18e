"""Timings of the snapshot, the floor and the leaders' overview (warm, median of N runs)."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event

from bench.floor import comparable, floor_parameters, fold_floor, run_floor
from dashboard.shifts import ShiftCalendar, Window
from dashboard.snapshot import Snapshot, compute_snapshot


def percentile(values: tuple[float, ...] | list[float], share: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(share * len(ordered))) - 1)]


@dataclass(frozen=True)
class Timing:
    """Wall-clock times of repeated runs, in milliseconds."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median run."""
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        """95th percentile run (nearest rank)."""
        return percentile(self.runs, 0.95)

    @property
    def best(self) -> float:
        """Fastest run."""
        return min(self.runs)


def time_runs(function: Callable[[], Any], *, runs: int, warmup: int) -> tuple[Timing, Any]:
    """Run ``function`` warmup + runs times; the timings of the measured runs and last result."""
    result = None
    for _ in range(warmup):
        result = function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return Timing(tuple(times)), result


@dataclass
class QueryLog:
    """Per-statement execution times of an engine (SQLAlchemy cursor events)."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def attach(self, engine: Engine) -> Callable[[], None]:
        """Start recording on ``engine``; returns a function that stops."""

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            conn.info["bench_started"] = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            elapsed = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
            self.times.setdefault(_label(statement), []).append(elapsed)

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)

        def detach() -> None:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)

        return detach

    def medians(self) -> dict[str, float]:
        """Median time of each statement."""
        return {label: statistics.median(values) for label, values in self.times.items()}


QUERY_LABELS = (
    ("AS kind, categories.code", "reference codes"),
    ("GROUP BY tickets.channel", "received groups"),
    ("AS bucket", "received by hour/shift"),
    ("tickets.resolved_at >=", "resolved in window"),
    ("GROUP BY tickets.status, tickets.agency", "open backlog"),
    ("ORDER BY tickets.due_at", "most overdue"),
)


def _label(statement: str) -> str:
    for marker, label in QUERY_LABELS:
        if marker in statement:
            return label
    return " ".join(statement.split())[:50]


@dataclass(frozen=True)
class SnapshotResult:
    """The snapshot of one window against the floor, on one database."""

    window: Window
    received: int
    open: int
    snapshot: Timing
    floor: Timing
    per_query: dict[str, float]
    same_numbers: bool

    @property
    def ratio(self) -> float:
        """Snapshot time / floor time (medians)."""
        return self.snapshot.median / self.floor.median


def measure_snapshot(
    engine: Engine,
    calendar: ShiftCalendar,
    window: Window,
    now: datetime,
    *,
    runs: int = 21,
    warmup: int = 3,
) -> SnapshotResult:
    """Time compute_snapshot and the floor statement alternately; check they agree."""
    parameters = floor_parameters(calendar, window, now, intake_minutes=15, limit=10)

    def snapshot() -> Snapshot:
        return compute_snapshot(engine, calendar, window, now)

    def floor() -> list[tuple[Any, ...]]:
        with engine.connect() as conn:
            return run_floor(conn, parameters)

    snapshot_times: list[float] = []
    floor_times: list[float] = []
    for _ in range(warmup):
        snapshot()
        floor()
    result: Snapshot | None = None
    rows: list[tuple[Any, ...]] = []
    for _ in range(runs):  # alternate, so that both see the same machine
        timing, result = time_runs(snapshot, runs=1, warmup=0)
        snapshot_times.extend(timing.runs)
        timing, rows = time_runs(floor, runs=1, warmup=0)
        floor_times.extend(timing.runs)
    assert result is not None
    log = QueryLog()
    detach = log.attach(engine)
    try:
        for _ in range(5):
            snapshot()
    finally:
        detach()
    same = comparable(fold_floor(rows, calendar, window, now)) == comparable(result)
    return SnapshotResult(
        window=window,
        received=result.received,
        open=result.open,
        snapshot=Timing(tuple(snapshot_times)),
        floor=Timing(tuple(floor_times)),
        per_query=log.medians(),
        same_numbers=same,
    )


def differences(a: Any, b: Any) -> dict[str, tuple[Any, Any]]:
    """Fields of two dataclasses that differ (for a failed check's message)."""
    return {
        name: (getattr(a, name), getattr(b, name))
        for name in a.__dataclass_fields__
        if getattr(a, name) != getattr(b, name)
    }


def reference_day(calendar: ShiftCalendar, data_end: datetime) -> Window:
    """The last complete operating day of the data: the window measured at every size."""
    return calendar.window(calendar.operating_day(data_end) - timedelta(days=1))
