"""Live wall screens (SPEC section 11): heartbeats carried by each screen's refresh.

Every poll of a wall carries the screen's name, page age and JS heap (no extra request);
the registry keeps the last beat of each screen in memory, or in Redis when ``REDIS_URL``
is set (so that every process's ``/screens`` sees every screen), and writes it to the
board's own ``wall_screens`` table at most once a minute per screen (so that a silent
screen is still listed after a restart).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping, MutableMapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine

from dashboard.intelligence.values import ScreenBeat, ScreenStatus
from dashboard.settings import Settings
from data_access.screens import list_screens, record_screen

log = logging.getLogger(__name__)

WRITE_EVERY = timedelta(minutes=1)
MAX_SCREENS = 500
NAME_PATTERN = re.compile(r"[^A-Za-z0-9._:-]+")
MAX_NAME = 64
MAX_HEAP_MB = 1_000_000.0
MAX_PAGE_AGE_SECONDS = 10 * 365 * 86400


def clean_name(value: Any) -> str | None:
    """A screen name from what the browser sent (letters, digits, ``._:-``; None if empty)."""
    if not isinstance(value, str):
        return None
    name = NAME_PATTERN.sub("-", value.strip())[:MAX_NAME].strip("-")
    return name or None


def _number(value: Any, upper: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 0 or value > upper:  # NaN, negative, absurd
        return None
    return float(value)


def parse_beat(request: Any, now: datetime, options: str | None = None) -> ScreenBeat | None:
    """A beat from the wall's request payload; None when it carries no usable name."""
    if not isinstance(request, Mapping):
        return None
    name = clean_name(request.get("screen"))
    if name is None:
        return None
    age = _number(request.get("page_age_s"), MAX_PAGE_AGE_SECONDS)
    heap = _number(request.get("heap_mb"), MAX_HEAP_MB)
    return ScreenBeat(
        name=name,
        first_seen=now,
        last_poll=now,
        page_age_seconds=None if age is None else int(age),
        heap_mb=None if heap is None else round(heap, 1),
        options=(options or "")[:200] or None,
    )


def silent_screens(
    beats: Iterable[ScreenBeat], now: datetime, refresh_seconds: int, intervals: int
) -> tuple[ScreenBeat, ...]:
    """Screens that have not polled for ``intervals`` refresh intervals (``screen_silent``)."""
    limit = timedelta(seconds=refresh_seconds * intervals)
    return tuple(sorted((b for b in beats if now - b.last_poll > limit), key=lambda b: b.last_poll))


def screen_statuses(
    beats: Iterable[ScreenBeat], now: datetime, refresh_seconds: int, intervals: int
) -> tuple[ScreenStatus, ...]:
    """Every screen, alive or silent: silent ones first, then by name."""
    beats = list(beats)
    silent = {b.name for b in silent_screens(beats, now, refresh_seconds, intervals)}
    statuses = [
        ScreenStatus(b, b.name in silent, max(0, int((now - b.last_poll).total_seconds())))
        for b in beats
    ]
    return tuple(sorted(statuses, key=lambda s: (not s.silent, s.beat.name)))


# --- where the beats live ----------------------------------------------------------------
class BeatBoard(Protocol):
    """The last beat of each screen, shared by the processes that serve walls (or not)."""

    def put(self, beat: ScreenBeat) -> None:
        """Keep a screen's last beat."""

    def all(self) -> list[ScreenBeat]:
        """Every screen's last beat."""


class MemoryBeats:
    """In this process (the single-process default)."""

    def __init__(self) -> None:
        self._beats: dict[str, ScreenBeat] = {}
        self._lock = threading.Lock()

    def put(self, beat: ScreenBeat) -> None:
        """Keep a screen's last beat (its first_seen stays)."""
        with self._lock:
            known = self._beats.get(beat.name)
            if known is not None:
                beat = _keep_first_seen(beat, known.first_seen)
            self._beats[beat.name] = beat
            while len(self._beats) > MAX_SCREENS:
                oldest = min(self._beats.values(), key=lambda b: b.last_poll)
                del self._beats[oldest.name]

    def all(self) -> list[ScreenBeat]:
        """Every screen's last beat."""
        with self._lock:
            return list(self._beats.values())


def _keep_first_seen(beat: ScreenBeat, first_seen: datetime) -> ScreenBeat:
    return ScreenBeat(
        beat.name,
        min(first_seen, beat.first_seen),
        beat.last_poll,
        beat.page_age_seconds,
        beat.heap_mb,
        beat.options,
    )


def _encode(beat: ScreenBeat) -> str:
    return json.dumps(
        {
            "name": beat.name,
            "first_seen": beat.first_seen.isoformat(),
            "last_poll": beat.last_poll.isoformat(),
            "page_age_seconds": beat.page_age_seconds,
            "heap_mb": beat.heap_mb,
            "options": beat.options,
        }
    )


def _decode(raw: Any) -> ScreenBeat:
    data = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    return ScreenBeat(
        str(data["name"]),
        datetime.fromisoformat(data["first_seen"]),
        datetime.fromisoformat(data["last_poll"]),
        data.get("page_age_seconds"),
        data.get("heap_mb"),
        data.get("options"),
    )


class RedisBeats:
    """In a Redis hash, so that every process lists every screen; memory when Redis fails."""

    def __init__(self, url: str, client: Any = None) -> None:
        import redis

        from dashboard.redis_url import split_redis_url

        clean_url, prefix = split_redis_url(url)
        self.key = f"{prefix}:screens"
        self.client = client or redis.Redis.from_url(
            clean_url, socket_timeout=1.0, socket_connect_timeout=1.0
        )
        self.fallback = MemoryBeats()

    def put(self, beat: ScreenBeat) -> None:
        """Keep a screen's last beat (its first_seen stays)."""
        self.fallback.put(beat)
        try:
            known = self.client.hget(self.key, beat.name)
            if known is not None:
                beat = _keep_first_seen(beat, _decode(known).first_seen)
            pipe = self.client.pipeline()
            pipe.hset(self.key, beat.name, _encode(beat))
            pipe.expire(self.key, 7 * 86400)
            pipe.execute()
        except Exception as exc:  # noqa: BLE001 - the wall must refresh whatever Redis does
            log.debug("screen beat not shared: %s", exc.__class__.__name__)

    def all(self) -> list[ScreenBeat]:
        """Every screen's last beat (this process's own when Redis does not answer)."""
        try:
            raw = self.client.hgetall(self.key)
        except Exception as exc:  # noqa: BLE001
            log.debug("screen beats not read: %s", exc.__class__.__name__)
            return self.fallback.all()
        beats = []
        for value in raw.values():
            try:
                beats.append(_decode(value))
            except (ValueError, KeyError, TypeError):
                continue
        return beats


class ScreenRegistry:
    """Records heartbeats and lists screens; writes the board's table once a minute each."""

    def __init__(
        self, settings: Settings, board: BeatBoard | None = None, engine: Engine | None = None
    ) -> None:
        self.settings = settings
        if board is None:
            board = RedisBeats(settings.redis_url) if settings.redis_url else MemoryBeats()
        self.board = board
        self._engine = engine
        self._written: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def engine(self) -> Engine:
        """The board's own read-write engine (created on first use, never at import)."""
        with self._lock:
            if self._engine is None:
                from data_access.engine import make_engine

                self._engine = make_engine(
                    self.settings.database_url,
                    statement_timeout_ms=min(self.settings.statement_timeout_ms, 2000),
                    pool_size=1,
                )
            return self._engine

    def record(self, beat: ScreenBeat) -> bool:
        """Keep a beat; True when it was also written to the table (once a minute per screen)."""
        self.board.put(beat)
        with self._lock:
            last = self._written.get(beat.name)
            if last is not None and beat.last_poll - last < WRITE_EVERY:
                return False
            self._written[beat.name] = beat.last_poll
            if len(self._written) > MAX_SCREENS:
                self._written.pop(next(iter(self._written)))
        try:
            with self.engine().begin() as conn:
                record_screen(conn, beat)
        except Exception as exc:  # noqa: BLE001 - a wall's refresh never fails for this
            log.warning("screen heartbeat not written: %s", exc.__class__.__name__)
            return False
        return True

    def beats(self) -> list[ScreenBeat]:
        """Every known screen: the live beats, and screens only the table remembers."""
        live = {beat.name: beat for beat in self.board.all()}
        try:
            with self.engine().connect() as conn:
                rows = list_screens(conn)
        except Exception as exc:  # noqa: BLE001 - list what is in memory
            log.warning("screen table not read: %s", exc.__class__.__name__)
            rows = ()
        for row in rows:
            known = live.get(row.name)
            if known is None or row.last_poll > known.last_poll:
                live[row.name] = row
        return list(live.values())

    def statuses(self, now: datetime) -> tuple[ScreenStatus, ...]:
        """Every screen, alive or silent (silent first)."""
        return screen_statuses(
            self.beats(),
            now,
            self.settings.refresh_seconds,
            self.settings.screen_silent_intervals,
        )

    def silent(self, now: datetime) -> tuple[ScreenBeat, ...]:
        """The silent screens now (the candidates of the ``screen_silent`` alert rule)."""
        return silent_screens(
            self.beats(), now, self.settings.refresh_seconds, self.settings.screen_silent_intervals
        )


# The app's registry lives in its Flask config: the wall's refresh records beats into it,
# /screens lists it, the ``screen_silent`` alert rule reads it.
SCREENS_KEY = "HOTLINE_SCREENS"


def install_screens(config: MutableMapping[str, Any], settings: Settings) -> ScreenRegistry:
    """The screen registry of an app (its server's ``config``): the one installed, else new."""
    registry = config.get(SCREENS_KEY)
    if not isinstance(registry, ScreenRegistry):
        registry = ScreenRegistry(settings)
        config[SCREENS_KEY] = registry
    return registry
