"""Where the live snapshots live: in this process (default) or in Redis, shared by processes.

With ``REDIS_URL`` set, every process of the board (gunicorn workers, on one host or many)
competes for a lease; the holder computes the live snapshots once per interval and publishes
them, the others serve what it published. A holder that dies stops renewing its lease and
another process takes it over within two intervals. Publishing is fenced by the lease, so a
holder that stalled past its lease cannot overwrite its successor. Snapshots travel as JSON
(:mod:`dashboard.snapshot_codec`: a registry of value types), never pickle.

Both stores implement :class:`dashboard.live_store.LiveStore`; the service holds one of them
and never asks which.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime
from typing import Any

from dashboard.live_store import LiveState, LiveStore, MemoryStore, SharedState
from dashboard.redis_url import split_redis_url
from dashboard.service import SnapshotService
from dashboard.settings import Settings
from dashboard.shifts import Window
from dashboard.snapshot_codec import (
    CodecError,
    decode_tagged,
    decode_value,
    encode_tagged,
    encode_value,
)

log = logging.getLogger(__name__)

__all__ = [
    "MemoryStore",
    "RedisStore",
    "SharedSnapshotService",
    "decode_tagged",
    "encode_tagged",
    "make_service",
    "make_store",
    "split_redis_url",
]


_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
elseif not holder then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 2
end
return 0
"""

_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
    return -1
end
local version = redis.call('INCR', KEYS[3])
local computations = tonumber(redis.call('GET', KEYS[4]) or '0')
if ARGV[3] == '1' then
    computations = redis.call('INCR', KEYS[4])
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return {version, computations}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisStore(LiveStore):
    """Snapshots shared through Redis, computed by the holder of a lease.

    The lease lives ``1.5`` intervals and is renewed every quarter interval, so a dead holder
    is replaced within 1.75 intervals. When Redis cannot be reached, every process computes
    for itself (database work then follows the number of processes, never the viewers) and
    sharing resumes by itself when Redis answers again.
    """

    shared = True

    def __init__(self, url: str, *, refresh_seconds: float, client: Any = None) -> None:
        import redis

        clean_url, self.prefix = split_redis_url(url)
        self.refresh_seconds = float(refresh_seconds)
        self.lease_ms = max(1000, int(self.refresh_seconds * 1500))
        self.heartbeat_seconds = max(0.2, self.refresh_seconds / 4)
        self.client = client or redis.Redis.from_url(
            clean_url, socket_timeout=1.0, socket_connect_timeout=1.0, health_check_interval=30
        )
        self.keys = {
            name: f"{self.prefix}:{name}" for name in ("lease", "state", "version", "computations")
        }
        self._renew = self.client.register_script(_RENEW)
        self._publish = self.client.register_script(_PUBLISH)
        self._release = self.client.register_script(_RELEASE)
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._owner = self._new_owner()
        self._lease_until = 0.0
        self.available = True
        self._errors_logged_at = 0.0

    @staticmethod
    def _new_owner() -> str:
        return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @property
    def owner(self) -> str:
        """This process's name in the lease (renewed after a fork: a child is not its parent)."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._owner = self._new_owner()
            self._lease_until = 0.0
        return self._owner

    def _failed(self, action: str, exc: Exception) -> None:
        if self.available or time.monotonic() - self._errors_logged_at > 60:
            log.warning(
                "redis unreachable (%s: %s); computing in this process until it answers",
                action,
                exc.__class__.__name__,
            )
            self._errors_logged_at = time.monotonic()
        self.available = False

    def _recovered(self) -> None:
        if not self.available:
            log.info("redis answers again; sharing the snapshot")
        self.available = True

    def is_leader(self) -> bool:
        """Whether this process computes now: it holds the lease, or Redis is unreachable."""
        if not self.available:
            return True
        return time.monotonic() < self._lease_until

    def keep_lease(self) -> bool:
        """Renew the lease, or take it when free; True when it was just acquired."""
        owner = self.owner
        started = time.monotonic()
        try:
            with self._lock:
                result = int(self._renew(keys=[self.keys["lease"]], args=[owner, self.lease_ms]))
        except Exception as exc:  # noqa: BLE001 - any Redis failure: compute locally
            self._failed("lease", exc)
            return False
        self._recovered()
        if result in (1, 2):
            # A safety margin: stop computing a little before Redis lets the lease go.
            self._lease_until = started + self.lease_ms / 1000 * 0.8
        else:
            self._lease_until = 0.0
        if result == 2:
            log.info("snapshot lease acquired by %s", owner)
        return result == 2

    def publish(self, state: LiveState, *, success: bool) -> SharedState | None:
        """Publish ``state`` if this process still holds the lease; else None.

        ``success`` counts a computation in the shared counter; a failed refresh publishes
        its failure too, so that every process shows the same stale banner.
        """
        if not self.available:
            return None
        owner = self.owner
        document = {"computed_by": owner, "state": encode_tagged(state)}
        payload = json.dumps(document, separators=(",", ":"))
        keep_seconds = max(3600, int(self.refresh_seconds * 100))
        keys = [self.keys[name] for name in ("lease", "state", "version", "computations")]
        try:
            result = self._publish(
                keys=keys, args=[owner, payload, "1" if success else "0", keep_seconds]
            )
        except Exception as exc:  # noqa: BLE001
            self._failed("publish", exc)
            return None
        if result == -1:
            self._lease_until = 0.0
            log.warning("snapshot lease lost by %s; not publishing", owner)
            return None
        version, computations = (int(item) for item in result)
        return SharedState(version, state, computations, owner)

    def fetch(self, known_version: int | None = None) -> SharedState | None:
        """The published state when it is newer than ``known_version``; None otherwise."""
        try:
            version = self.client.get(self.keys["version"])
            if version is None or (known_version is not None and int(version) == known_version):
                self._recovered()
                return None
            payload, version, computations = self.client.mget(
                self.keys["state"], self.keys["version"], self.keys["computations"]
            )
        except Exception as exc:  # noqa: BLE001
            self._failed("fetch", exc)
            return None
        self._recovered()
        if payload is None:
            return None
        try:
            document = json.loads(payload)
            state = decode_tagged(document["state"])
            if not isinstance(state, LiveState):
                raise CodecError("the shared state is not a LiveState")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.error("unreadable shared snapshot: %s", exc.__class__.__name__)
            return None
        return SharedState(
            int(version or 0), state, int(computations or 0), document.get("computed_by")
        )

    def exchange_watches(
        self, asked: dict[Window, datetime], oldest: datetime
    ) -> dict[Window, datetime]:
        """Share which fixed windows screens asked for: add this process's, return everyone's.

        Requests older than ``oldest`` are forgotten. On a Redis failure: only ours.
        """
        key = f"{self.prefix}:watch"
        try:
            pipe = self.client.pipeline()
            for window, asked_at in asked.items():
                field = json.dumps(encode_value(window), sort_keys=True)
                pipe.hset(key, field, asked_at.isoformat())
            pipe.expire(key, 3600)
            pipe.hgetall(key)
            everyone = pipe.execute()[-1]
        except Exception as exc:  # noqa: BLE001
            self._failed("watch", exc)
            return dict(asked)
        result: dict[Window, datetime] = {}
        stale_fields = []
        for raw_field, raw_at in everyone.items():
            try:
                window = decode_value(json.loads(raw_field), Window)
                asked_at = datetime.fromisoformat(
                    raw_at.decode() if isinstance(raw_at, bytes) else raw_at
                )
            except (ValueError, KeyError, TypeError) as exc:
                log.debug("dropping unreadable watch request: %s", exc.__class__.__name__)
                stale_fields.append(raw_field)
                continue
            if asked_at < oldest:
                stale_fields.append(raw_field)
                continue
            result[window] = max(asked_at, result.get(window, asked_at))
        for window, asked_at in asked.items():
            result[window] = max(asked_at, result.get(window, asked_at))
        if stale_fields:
            try:
                self.client.hdel(key, *stale_fields)
            except Exception as exc:  # noqa: BLE001
                self._failed("watch", exc)
        return result

    def holder(self) -> str | None:
        """Who holds the lease now (None when nobody does)."""
        value = self.client.get(self.keys["lease"])
        return value.decode() if isinstance(value, bytes) else value

    def release(self) -> None:
        """Give the lease up (at a graceful exit), so another process takes over at once."""
        try:
            self._release(keys=[self.keys["lease"]], args=[self.owner])
        except Exception as exc:  # noqa: BLE001 - exiting anyway
            log.debug("lease release failed: %s", exc.__class__.__name__)
        self._lease_until = 0.0


def make_store(redis_url: str | None, refresh_seconds: float) -> LiveStore:
    """Redis when a URL is set; otherwise the in-process default."""
    if redis_url:
        return RedisStore(redis_url, refresh_seconds=refresh_seconds)
    return MemoryStore()


class SharedSnapshotService(SnapshotService):
    """The snapshot service with a Redis store: one process computes, all processes serve.

    Only the construction differs (a store from ``REDIS_URL``); what sharing means is the
    store's: :class:`SnapshotService` runs the same code with either store.
    """

    def __init__(
        self, settings: Settings, engine: Any = None, *, store: RedisStore | None = None
    ) -> None:
        if store is None:
            if not settings.redis_url:
                raise ValueError("a shared snapshot service needs REDIS_URL")
            store = RedisStore(settings.redis_url, refresh_seconds=settings.refresh_seconds)
        super().__init__(settings, engine, store=store)


def make_service(settings: Settings) -> SnapshotService:
    """The shared service when REDIS_URL is set; the single-process default otherwise."""
    if settings.redis_url:
        return SharedSnapshotService(settings)
    return SnapshotService(settings)
