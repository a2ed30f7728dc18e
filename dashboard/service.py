"""The snapshot service: computes the live snapshots once per interval and serves them.

The scheduled job recomputes the current shift and day; every screen and the
API read the stored result, so database work does not grow with viewers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, text

from dashboard.comparison import Comparison, ComparisonCache
from dashboard.intelligence.repeats import linked_reports
from dashboard.intelligence.rereport_cache import RereportCache
from dashboard.intelligence.surges import surge_rule
from dashboard.live_store import LiveState, LiveStore, MemoryStore
from dashboard.overview import Drill, Overview, compute_overview, list_drill, read_history
from dashboard.settings import Settings
from dashboard.shift_view import ShiftView, compute_shift_view
from dashboard.shifts import ShiftCalendar, Window, utc_now
from dashboard.snapshot import Snapshot, compute_snapshot
from data_access.engine import make_engine
from data_access.overview import TicketHistory, TicketPage, TicketRow, iter_received_tickets
from data_access.queries import Filters, ReferenceCodes, list_reference_codes
from data_access.reference import Labels, read_names

log = logging.getLogger(__name__)

__all__ = ["LiveState", "ServiceBusy", "SnapshotService"]

T = TypeVar("T")

LIVE_KEYS = ("shift", "day")
# Fixed windows that wall screens asked for (?day=, ?shift=) are kept live too, a few at most.
MAX_WATCHED_WINDOWS = 8
# Windows and filters asked for on request (API, views): each computed at most once per
# interval, and only a few at a time, so that clients cannot multiply the database work.
MAX_CACHED_REQUESTS = 64
MAX_CONCURRENT_REQUESTS = 2
REQUEST_WAIT_SECONDS = 10
# A process that does not compute adopts the published state at most this often.
SYNC_EVERY_SECONDS = 0.2


class ServiceBusy(RuntimeError):
    """Too many on-request computations are running; the client should retry later."""


NAMES_TTL = timedelta(minutes=5)


class SnapshotService:
    """Owns the board's read-only engine, the calendar, the live store and every page's reads.

    Every page, callback, export and API route reads through this class: the live
    snapshots from its store, everything else through :meth:`_bounded` (a few at a time,
    :class:`ServiceBusy` beyond), so that the database work never follows the viewers.
    """

    def __init__(
        self, settings: Settings, engine: Engine | None = None, *, store: LiveStore | None = None
    ) -> None:
        self.settings = settings
        self.calendar = ShiftCalendar.from_spec(settings.timezone, settings.shifts)
        self.engine = engine or make_engine(
            settings.database_url,
            readonly=True,
            statement_timeout_ms=settings.statement_timeout_ms,
        )
        self.store: LiveStore = store or MemoryStore()
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
        # The shared state: which published version this process serves, and when it looked.
        self._version: int | None = None
        self._synced_at = float("-inf")
        self._sync_lock = threading.Lock()
        # Reference names read on demand (before the first refresh): at most once an interval.
        self._names_lock = threading.Lock()
        self._names_tried_at: datetime | None = None
        # The overview's re-report rates: computed beside its requests (issue 13).
        window_days = settings.repeat_window_days
        self.rereport = None if window_days is None else RereportCache(self.engine, window_days)

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
            call_targets=self.settings.call_targets,
            surge=surge_rule(self.settings),
        )

    def _bounded(self, read: Callable[[], T]) -> T:
        """Run a database read in one of the few request slots (ServiceBusy when none frees)."""
        if not self._request_slots.acquire(timeout=REQUEST_WAIT_SECONDS):
            raise ServiceBusy("too many database reads at once")
        try:
            return read()
        finally:
            self._request_slots.release()

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
            snapshot = self._bounded(lambda: self.compute(window, now, filters))
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
        """Recompute (and publish) the live state; False when skipped, failed or not ours.

        A process that does not hold the store's lease adopts the published state
        instead. A failed refresh keeps the old numbers and is published too, so
        that every process shows the same stale banner.
        """
        now = now or utc_now()
        self._exchange_watches(now)
        if not self.store.is_leader():
            self.sync(force=True)
            return False
        if not self._refresh_lock.acquire(blocking=False):
            log.warning("snapshot refresh skipped: the previous one is still running")
            return False
        try:
            computed = self._compute_live(now)
            shared = self.store.publish(self.state, success=computed)
            if shared is not None:
                self.state.computations = shared.computations
                self._version = shared.version
            return computed
        finally:
            self._refresh_lock.release()

    def _compute_live(self, now: datetime) -> bool:
        """The live snapshots, watched windows and extras into ``state``; False on failure."""
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

    def _refresh_extras(self, now: datetime, days: set[date]) -> None:
        """The wall's comparisons and the reference names; a failure keeps the previous ones."""
        try:
            self.state.comparisons = self.comparison_cache.comparisons(self.engine, days, now)
        except Exception as exc:  # noqa: BLE001 - the live numbers stay good without them
            log.error("comparison refresh failed: %s", exc.__class__.__name__)
        read_at = self.state.names_read_at
        if read_at is None or now - read_at >= NAMES_TTL or not self.state.names:
            self._read_reference(now)

    def _read_reference(self, now: datetime) -> None:
        """Read the reference names and codes into the state (kept as they were on failure)."""
        self._names_tried_at = now
        try:
            with self.engine.connect() as conn:
                names = read_names(conn)
                codes = list_reference_codes(conn)
        except Exception as exc:  # noqa: BLE001 - pages show codes until the names come
            log.error("reference names refresh failed: %s", exc.__class__.__name__)
            return
        self.state.names, self.state.codes = names, codes
        self.state.names_read_at = now

    # --- the shared state ------------------------------------------------------------------
    def current(self) -> LiveState:
        """The live state to serve: this process's own, or the newest one published."""
        self.sync()
        return self.state

    def sync(self, *, force: bool = False) -> bool:
        """Adopt the state the computing process published, when newer; True when adopted."""
        if self.store.is_leader():
            return False
        started = time.monotonic()
        if not force and started - self._synced_at < SYNC_EVERY_SECONDS:
            return False
        if not self._sync_lock.acquire(blocking=False):
            return False
        try:
            self._synced_at = started
            shared = self.store.fetch(self._version)
            if shared is None:
                return False
            adopted = shared.state
            adopted.last_attempt = self.state.last_attempt
            adopted.computations = shared.computations
            # One assignment: a request never sees half of one state and half of another.
            self.state = adopted
            self._version = shared.version
            return True
        finally:
            self._sync_lock.release()

    def keep_lease(self) -> None:
        """Renew or take the store's lease (a scheduled job); a process that just took it computes.

        The computation runs in its own thread: a slow database must not hold up the
        renewals, or the lease would lapse while its holder is busy.
        """
        if self.store.keep_lease() and not self._refresh_lock.locked():
            threading.Thread(target=self.refresh, name="snapshot-takeover", daemon=True).start()

    def close(self) -> None:
        """Give the lease up at a graceful exit, so that another process takes over at once."""
        self.store.release()

    def _exchange_watches(self, now: datetime) -> None:
        """Let the computing process know which fixed windows the screens of every process want."""
        if not self.store.shared:
            return
        with self._watch_lock:
            asked = dict(self._watch_requests)
        everyone = self.store.exchange_watches(asked, now - self.watch_ttl())
        newest = sorted(everyone.items(), key=lambda item: item[1], reverse=True)
        with self._watch_lock:
            for window, asked_at in newest[:MAX_WATCHED_WINDOWS]:
                if self._watch_requests.get(window, asked_at) <= asked_at:
                    self._watch_requests[window] = asked_at

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
        state = self.current()
        for snapshot in state.snapshots.values():
            if snapshot.window == window:
                return snapshot
        return state.watched.get(window)

    def watched_windows(self, now: datetime) -> list[Window]:
        """The fixed windows asked for recently (older requests are forgotten)."""
        with self._watch_lock:
            for window, asked in list(self._watch_requests.items()):
                if now - asked > self.watch_ttl():
                    del self._watch_requests[window]
            return list(self._watch_requests)

    def comparison(self, day: date) -> Comparison | None:
        """The comparison of an operating day computed by the last refresh (None before)."""
        return self.current().comparisons.get(day)

    # --- reference data --------------------------------------------------------------------
    def names(self) -> dict[str, Labels]:
        """Reference names (``categories``, ``agencies``, ...) read by the refresh."""
        return self.current().names

    def reference(self, now: datetime | None = None) -> tuple[dict[str, Labels], ReferenceCodes]:
        """The reference names and the codes a filter may name, for the desk views and exports.

        The refresh reads them (every few minutes); before it first has, they are read
        here, at most once per refresh interval, so that a database that is down is not
        asked again on every call (codes and empty names meanwhile).
        """
        state = self._reference(now)
        return state.names, state.codes

    def _reference(self, now: datetime | None) -> LiveState:
        state = self.current()
        if state.names_read_at is not None:
            return state
        now = now or utc_now()
        retry = timedelta(seconds=self.settings.refresh_seconds)
        with self._names_lock:
            tried = self._names_tried_at
            if self.state.names_read_at is None and (tried is None or now - tried >= retry):
                self._read_reference(now)
        return self.state

    # --- the desk views and the exports (bounded, never cached) ---------------------------
    def shift_view(self, day: date, shift: int, filters: Filters) -> ShiftView:
        """The shift view of (operating day, shift) now."""
        settings = self.settings
        return self._bounded(
            lambda: compute_shift_view(
                self.engine,
                self.calendar,
                day,
                shift,
                utc_now(),
                filters,
                intake_limit_minutes=settings.intake_limit_minutes,
                overdue_limit=settings.overdue_list_size,
                call_targets=settings.call_targets,
                repeat_window_days=settings.repeat_window_days,
            )
        )

    def overview(self, first_day: date, last_day: date, filters: Filters) -> Overview:
        """The leaders' overview of a range of operating days."""
        return self._bounded(
            lambda: compute_overview(
                self.engine,
                self.calendar,
                first_day,
                last_day,
                utc_now(),
                filters,
                rereport=None if self.rereport is None else self.rereport.rates,
            )
        )

    def drill_page(self, drill: Drill, filters: Filters, page: int, page_size: int) -> TicketPage:
        """One page of the tickets behind a number of the overview."""
        return self._bounded(
            lambda: list_drill(
                self.engine,
                self.calendar,
                drill,
                utc_now(),
                filters,
                page=page,
                page_size=page_size,
            )
        )

    def ticket_history(self, code: str) -> TicketHistory | None:
        """A ticket's history of status changes (None when unknown)."""
        return self._bounded(lambda: read_history(self.engine, code))

    def linked_reports(self, code: str) -> tuple[str, ...]:
        """The codes of the reports linked to a ticket as repeats (issue 13)."""
        window = self.settings.repeat_window_days
        return tuple(self._bounded(lambda: linked_reports(self.engine, code, window, utc_now())))

    def export_rows(self, first_day: date, last_day: date, filters: Filters) -> Iterator[TicketRow]:
        """A lazy iterator of the range's tickets, on a connection of its own.

        The first page is read (in a request slot) before returning, so that a
        database that does not answer is an HTTP 503, not a broken download; the
        rest streams outside the slots (a long download must not hold one).
        """
        window = self.calendar.range_window(first_day, last_day)

        def open_rows() -> tuple[Any, Iterator[TicketRow], TicketRow | None]:
            conn = self.engine.connect()
            try:
                rows = iter_received_tickets(conn, window.start, window.end, filters)
                return conn, rows, next(rows, None)
            except Exception:
                conn.close()
                raise

        conn, rows, first = self._bounded(open_rows)

        def all_rows() -> Iterator[TicketRow]:
            try:
                if first is not None:
                    yield first
                    yield from rows
            finally:
                conn.close()

        return all_rows()

    # --- serving ---------------------------------------------------------------------------
    def stale_after(self) -> timedelta:
        """Age beyond which the live data counts as stale."""
        return timedelta(
            seconds=self.settings.refresh_seconds * self.settings.stale_after_intervals
        )

    def is_stale(self, now: datetime | None = None) -> bool:
        """Whether the live data is too old or the last refresh failed."""
        now = now or utc_now()
        state = self.current()
        if state.last_success is None or state.failing_since is not None:
            return True
        return now - state.last_success > self.stale_after()

    def live(self, key: str) -> Snapshot | None:
        """The last good live snapshot of ``shift`` or ``day`` (None before the first)."""
        return self.current().snapshots.get(key)

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
        for snapshot in self.current().snapshots.values():
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
        state = self.current()
        age = (now - state.last_success).total_seconds() if state.last_success else None
        return {
            "status": "ok" if database_ok and not self.is_stale(now) else "degraded",
            "database": "ok" if database_ok else "unreachable",
            "database_error": error,
            "snapshot_age_seconds": None if age is None else round(age, 3),
            "stale": self.is_stale(now),
            "last_error": state.last_error,
            "refresh_seconds": self.settings.refresh_seconds,
        }
