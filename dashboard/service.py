"""The snapshot service: computes the live snapshots once per interval and serves them.

The scheduled job recomputes the current shift and day; every screen and the
API read the stored result, so database work does not grow with viewers.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from dashboard.comparison import Comparison, ComparisonCache
from dashboard.intelligence.surges import surge_rule
from dashboard.settings import Settings
from dashboard.shifts import ShiftCalendar, Window, utc_now
from dashboard.snapshot import Snapshot, compute_snapshot
from data_access.engine import make_engine
from data_access.queries import Filters
from data_access.reference import Labels, read_names

log = logging.getLogger(__name__)

LIVE_KEYS = ("shift", "day")
# Fixed windows that wall screens asked for (?day=, ?shift=) are kept live too, a few at most.
MAX_WATCHED_WINDOWS = 8
# Windows and filters asked for on request (API, views): each computed at most once per
# interval, and only a few at a time, so that clients cannot multiply the database work.
MAX_CACHED_REQUESTS = 64
MAX_CONCURRENT_REQUESTS = 2
REQUEST_WAIT_SECONDS = 10


class ServiceBusy(RuntimeError):
    """Too many on-request computations are running; the client should retry later."""


NAMES_TTL = timedelta(minutes=5)


@dataclass
class LiveState:
    """The last good live snapshots and what happened since."""

    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error: str | None = None
    failing_since: datetime | None = None
    computations: int = 0
    # Fixed windows screens watch, computed by the same scheduled refresh.
    watched: dict[Window, Snapshot] = field(default_factory=dict)
    # Per operating day: the day before and the 7-day hourly average (the wall's comparison).
    comparisons: dict[date, Comparison] = field(default_factory=dict)
    # Names of categories, agencies and areas (reference data), re-read every few minutes.
    names: dict[str, Labels] = field(default_factory=dict)
    names_read_at: datetime | None = None


class SnapshotService:
    """Owns the board's read-only engine, the calendar and the live snapshots."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.calendar = ShiftCalendar.from_spec(settings.timezone, settings.shifts)
        self.engine = engine or make_engine(
            settings.database_url,
            readonly=True,
            statement_timeout_ms=settings.statement_timeout_ms,
        )
        self.state = LiveState()
        # Refreshes never overlap: a slow database skips a run instead of piling up.
        self._refresh_lock = threading.Lock()
        self._watch_lock = threading.Lock()
        self._watch_requests: dict[Window, datetime] = {}
        self.comparison_cache = ComparisonCache(self.calendar)
        self._requested: OrderedDict[tuple[Window, Filters], tuple[datetime, Snapshot]] = (
            OrderedDict()
        )
        self._requested_lock = threading.Lock()
        self._key_locks: dict[tuple[Window, Filters], threading.Lock] = {}
        self._request_slots = threading.BoundedSemaphore(MAX_CONCURRENT_REQUESTS)
        self._last_probe: tuple[datetime, bool, str | None] | None = None

    # --- computing -------------------------------------------------------------------------
    def compute(
        self, window: Window, now: datetime | None = None, filters: Filters | None = None
    ) -> Snapshot:
        """Compute a snapshot now, from the database."""
        now = now or utc_now()
        return compute_snapshot(
            self.engine,
            self.calendar,
            window,
            now,
            filters,
            intake_limit_minutes=self.settings.intake_limit_minutes,
            overdue_limit=self.settings.overdue_list_size,
            surge=surge_rule(self.settings),
        )

    def compute_on_request(
        self, window: Window, filters: Filters | None = None, now: datetime | None = None
    ) -> Snapshot:
        """A snapshot computed for a request, reused for one refresh interval.

        Identical requests share one computation; at most a few run at once
        (ServiceBusy beyond), so that the database work does not follow the clients.
        """
        now = now or utc_now()
        filters = filters or Filters()
        key = (window, filters)
        ttl = timedelta(seconds=self.settings.refresh_seconds)
        with self._requested_lock:
            cached = self._requested.get(key)
            if cached is not None and now - cached[0] < ttl:
                return cached[1]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._requested_lock:
                cached = self._requested.get(key)
                if cached is not None and now - cached[0] < ttl:
                    return cached[1]
            if not self._request_slots.acquire(timeout=REQUEST_WAIT_SECONDS):
                raise ServiceBusy("too many snapshot computations at once")
            try:
                snapshot = self.compute(window, now, filters)
            finally:
                self._request_slots.release()
            with self._requested_lock:
                self._requested[key] = (now, snapshot)
                self._requested.move_to_end(key)
                while len(self._requested) > MAX_CACHED_REQUESTS:
                    old_key, _ = self._requested.popitem(last=False)
                    self._key_locks.pop(old_key, None)
        return snapshot

    def live_windows(self, now: datetime) -> dict[str, Window]:
        """The windows kept live: the current shift and the current operating day."""
        return {
            "shift": self.calendar.current_window(now),
            "day": self.calendar.current_window(now, whole_day=True),
        }

    def refresh(self, now: datetime | None = None) -> bool:
        """Recompute the live snapshots; False when skipped or failed (old ones are kept)."""
        if not self._refresh_lock.acquire(blocking=False):
            log.warning("snapshot refresh skipped: the previous one is still running")
            return False
        try:
            now = now or utc_now()
            self.state.last_attempt = now
            try:
                live_windows = self.live_windows(now)
                fresh = {key: self.compute(window, now) for key, window in live_windows.items()}
                watched = {
                    window: self.compute(window, now)
                    for window in self.watched_windows(now)
                    if window not in live_windows.values()
                }
            except Exception as exc:  # noqa: BLE001 - any database failure keeps the old numbers
                # The server log gets the first line; what is published (healthz, screens)
                # names only the kind of failure, never hosts, roles or values.
                log.error("snapshot refresh failed: %s", str(exc).splitlines()[0][:300])
                self.state.last_error = exc.__class__.__name__
                if self.state.failing_since is None:
                    self.state.failing_since = now
                return False
            self.state.snapshots = fresh
            self.state.watched = watched
            self.state.computations += 1
            self.state.last_success = now
            self.state.last_error = None
            self.state.failing_since = None
            self._refresh_extras(now, {window.day for window in (*live_windows.values(), *watched)})
            return True
        finally:
            self._refresh_lock.release()

    def _refresh_extras(self, now: datetime, days: set[date]) -> None:
        """The wall's comparisons and the reference names; a failure keeps the previous ones."""
        try:
            self.state.comparisons = self.comparison_cache.comparisons(self.engine, days, now)
        except Exception as exc:  # noqa: BLE001 - the live numbers stay good without them
            log.error("comparison refresh failed: %s", exc.__class__.__name__)
        read_at = self.state.names_read_at
        if read_at is None or now - read_at >= NAMES_TTL or not self.state.names:
            try:
                with self.engine.connect() as conn:
                    self.state.names = read_names(conn)
                self.state.names_read_at = now
            except Exception as exc:  # noqa: BLE001
                log.error("reference names refresh failed: %s", exc.__class__.__name__)

    # --- fixed windows watched by screens --------------------------------------------------
    def watch_ttl(self) -> timedelta:
        """How long a fixed window stays computed after a screen last asked for it."""
        return max(timedelta(minutes=2), timedelta(seconds=6 * self.settings.refresh_seconds))

    def watch(self, window: Window, now: datetime | None = None) -> Snapshot | None:
        """The scheduled snapshot of ``window``, which the refresh keeps live while asked for.

        Screens never compute: a window asked for the first time is computed by
        the next scheduled refresh (None until then), so the database work does
        not grow with the number of screens.
        """
        now = now or utc_now()
        # Registered even when live now, so that it stays computed when the shift moves on.
        with self._watch_lock:
            self._watch_requests[window] = now
            if len(self._watch_requests) > MAX_WATCHED_WINDOWS:
                oldest = min(self._watch_requests, key=self._watch_requests.__getitem__)
                del self._watch_requests[oldest]
        for snapshot in self.state.snapshots.values():
            if snapshot.window == window:
                return snapshot
        return self.state.watched.get(window)

    def watched_windows(self, now: datetime) -> list[Window]:
        """The fixed windows asked for recently (older requests are forgotten)."""
        with self._watch_lock:
            for window, asked in list(self._watch_requests.items()):
                if now - asked > self.watch_ttl():
                    del self._watch_requests[window]
            return list(self._watch_requests)

    def comparison(self, day: date) -> Comparison | None:
        """The comparison of an operating day computed by the last refresh (None before)."""
        return self.state.comparisons.get(day)

    def names(self) -> dict[str, Labels]:
        """Reference names (``categories``, ``agencies``, ...) read by the refresh."""
        return self.state.names

    # --- serving ---------------------------------------------------------------------------
    def stale_after(self) -> timedelta:
        """Age beyond which the live data counts as stale."""
        return timedelta(
            seconds=self.settings.refresh_seconds * self.settings.stale_after_intervals
        )

    def is_stale(self, now: datetime | None = None) -> bool:
        """Whether the live data is too old or the last refresh failed."""
        now = now or utc_now()
        if self.state.last_success is None or self.state.failing_since is not None:
            return True
        return now - self.state.last_success > self.stale_after()

    def live(self, key: str) -> Snapshot | None:
        """The last good live snapshot of ``shift`` or ``day`` (None before the first)."""
        return self.state.snapshots.get(key)

    def snapshot_for(
        self, day: date | None, shift: int | None, *, whole_day: bool, now: datetime | None = None
    ) -> tuple[Snapshot, bool]:
        """The snapshot of a requested window, from the live ones when it is one of them."""
        now = now or utc_now()
        current_day, current_shift = self.calendar.locate(now)
        day = day or current_day
        if not whole_day and shift is None:
            shift = current_shift
        window = self.calendar.window(day, None if whole_day else shift)
        for snapshot in self.state.snapshots.values():
            if snapshot.window == window:
                return snapshot, self.is_stale(now)
        return self.compute_on_request(window, now=now), False

    def _probe_database(self, now: datetime) -> tuple[bool, str | None]:
        """SELECT 1, at most once a second whatever the number of health checks."""
        probed = self._last_probe
        if probed is not None and timedelta(0) <= now - probed[0] < timedelta(seconds=1):
            return probed[1], probed[2]
        ok, error = True, None
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001
            ok, error = False, exc.__class__.__name__
        self._last_probe = (now, ok, error)
        return ok, error

    def health(self, now: datetime | None = None) -> dict[str, Any]:
        """Whether the database answers and how old the live snapshot is."""
        now = now or utc_now()
        database_ok, error = self._probe_database(now)
        age = (now - self.state.last_success).total_seconds() if self.state.last_success else None
        return {
            "status": "ok" if database_ok and not self.is_stale(now) else "degraded",
            "database": "ok" if database_ok else "unreachable",
            "database_error": error,
            "snapshot_age_seconds": None if age is None else round(age, 3),
            "stale": self.is_stale(now),
            "last_error": self.state.last_error,
            "refresh_seconds": self.settings.refresh_seconds,
        }
