"""The overview's re-report rates, computed beside the request instead of inside it.

The rates read every report resolved in the range and every arrival up to the repeat window
after it: a second or more at the benchmark's density, several at 90 days, longer than the
rest of the overview together. So the overview asks this cache: a fresh result (younger
than ``ttl``) comes back at once; otherwise one background thread computes it (with a
longer statement timeout than a request's) and the overview waits at most ``wait`` seconds
for it. On a small database that is the whole computation and the column is filled on the
first render; on a large one the overview comes back without waiting longer, with the last
result of the same range if there is one (else the column blank), and its next refresh
finds the rates. A range's boundaries are whole operating days, so the key is stable.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from time import monotonic

from sqlalchemy import Engine

from dashboard.intelligence.repeats import rates_by_agency_code

log = logging.getLogger(__name__)

Rates = dict[str, float | None]
MAX_RANGES = 16  # ranges kept (the presets and a few custom ones)
BACKGROUND_TIMEOUT_MS = 120_000


def compute_rates(engine: Engine, start: datetime, end: datetime, window: timedelta) -> Rates:
    """The rate per agency code (``unassigned`` for none), with a background's timeout."""
    return rates_by_agency_code(engine, start, end, window, timeout_ms=BACKGROUND_TIMEOUT_MS)


class RereportCache:
    """Re-report rates per range, fresh for ``ttl``, computed by one background thread."""

    def __init__(
        self,
        engine: Engine,
        window_days: int,
        *,
        ttl: timedelta = timedelta(minutes=5),
        wait: float = 1.5,
    ) -> None:
        self.engine = engine
        self.window = timedelta(days=window_days)
        self.ttl = ttl.total_seconds()
        self.wait = wait
        self._lock = threading.Lock()
        self._done: OrderedDict[tuple[datetime, datetime], tuple[float, Rates]] = OrderedDict()
        self._running: dict[tuple[datetime, datetime], Future[Rates]] = {}
        self._one_at_a_time = threading.Lock()

    def rates(self, start: datetime, end: datetime) -> Rates:
        """The rates of ``[start, end)``: fresh, else waited for briefly, else the last known."""
        key = (start, end)
        with self._lock:
            known = self._done.get(key)
            if known is not None and monotonic() - known[0] < self.ttl:
                return known[1]
            future = self._running.get(key)
            if future is None:
                future = Future()
                self._running[key] = future
                # A daemon thread: a long query never holds up the process's exit.
                worker = threading.Thread(
                    target=self._compute, args=(key, future), name="rereport", daemon=True
                )
                worker.start()
        try:
            return future.result(timeout=self.wait)
        except FutureTimeout:
            return known[1] if known is not None else {}
        except Exception as exc:  # noqa: BLE001 - the overview stays whole (the column blank)
            log.error("re-report rates failed: %s", exc.__class__.__name__)
            return known[1] if known is not None else {}

    def _compute(self, key: tuple[datetime, datetime], future: Future[Rates]) -> None:
        try:
            with self._one_at_a_time:  # one computation at a time per process
                result = compute_rates(self.engine, key[0], key[1], self.window)
        except Exception as exc:  # noqa: BLE001 - handed to whoever waits
            future.set_exception(exc)
        else:
            with self._lock:
                self._done[key] = (monotonic(), result)
                self._done.move_to_end(key)
                while len(self._done) > MAX_RANGES:
                    self._done.popitem(last=False)
            future.set_result(result)
        finally:
            with self._lock:
                self._running.pop(key, None)
