"""Where the live snapshots live: in this process (default) or in Redis, shared by processes.

With ``REDIS_URL`` set, every process of the board (gunicorn workers, on one host or many)
competes for a lease; the holder computes the live snapshots once per interval and publishes
them, the others serve what it published. A holder that dies stops renewing its lease and
another process takes it over within two intervals. Publishing is fenced by the lease, so a
holder that stalled past its lease cannot overwrite its successor. Snapshots travel as JSON,
never pickle.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import os
import socket
import threading
import time
import types
import typing
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dashboard import service as _service
from dashboard.settings import Settings
from dashboard.shifts import Window, utc_now

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "hotline"
# Only dataclasses from the project's own packages are ever rebuilt from the shared state.
DECODABLE_MODULES = ("dashboard.", "data_access.")
PAIRS = "__pairs__"


# --- JSON codec ------------------------------------------------------------------------------
def encode_value(value: Any) -> Any:
    """A JSON-ready form of a value made of dataclasses, datetimes, tuples and mappings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: encode_value(item) for key, item in value.items()}
        # Keys that are not strings (dates, windows) travel as pairs.
        return {PAIRS: [[encode_value(key), encode_value(item)] for key, item in value.items()]}
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    return value


def decode_value(value: Any, kind: Any) -> Any:
    """Rebuild a value of type ``kind`` from its JSON form (the inverse of encode_value)."""
    if kind is Any or kind is object:
        return value
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if value is None:
            return None
        if len(options) == 1:
            return decode_value(value, options[0])
        for option in options:
            if isinstance(option, type) and isinstance(value, option):
                return value
        return decode_value(value, options[0])
    if value is None:
        return None
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode_value(item, args[0]) for item in value)
        return tuple(decode_value(item, arg) for item, arg in zip(value, args, strict=True))
    if origin is list:
        (arg,) = typing.get_args(kind) or (Any,)
        return [decode_value(item, arg) for item in value]
    if origin is dict:
        key_kind, item_kind = typing.get_args(kind) or (Any, Any)
        pairs = value[PAIRS] if set(value) == {PAIRS} else value.items()
        return {decode_value(k, key_kind): decode_value(v, item_kind) for k, v in pairs}
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is float:
        return float(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                f.name: decode_value(value[f.name], hints[f.name])
                for f in dataclasses.fields(kind)
                if f.name in value
            }
        )
    return value


def encode_tagged(value: Any) -> dict[str, Any]:
    """A dataclass instance with its type name, so that it can be rebuilt."""
    cls = type(value)
    return {"type": f"{cls.__module__}:{cls.__qualname__}", "value": encode_value(value)}


def decode_tagged(document: dict[str, Any]) -> Any:
    """Rebuild a tagged dataclass; only the project's own dataclasses are accepted."""
    module_name, _, qualname = str(document["type"]).partition(":")
    if not module_name.startswith(DECODABLE_MODULES):
        raise ValueError(f"refusing to decode type from {module_name!r}")
    cls: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"{document['type']!r} is not a dataclass")
    return decode_value(document["value"], cls)


# --- the shared state ------------------------------------------------------------------------
@dataclass(frozen=True)
class SharedState:
    """What the computing process published: its live state, and the shared counters."""

    version: int
    state: Any
    computations: int
    computed_by: str | None = None


class MemoryStore:
    """The single-process default: this process computes and keeps its snapshots itself."""

    shared = False
    heartbeat_seconds = 0.0

    @property
    def owner(self) -> str:
        """This process's name in the lease."""
        return f"{socket.gethostname()}:{os.getpid()}"

    def is_leader(self) -> bool:
        """Always: the only process computes."""
        return True

    def keep_lease(self) -> bool:
        """Nothing to acquire; never 'just acquired'."""
        return False

    def publish(self, state: Any, *, success: bool) -> SharedState | None:
        """Nothing to share."""
        return None

    def fetch(self, known_version: int | None = None) -> SharedState | None:
        """Nothing shared to read."""
        return None

    def exchange_watches(
        self, asked: dict[Any, datetime], kind: type, oldest: datetime
    ) -> dict[Any, datetime]:
        """Only this process's screens ask for windows."""
        return dict(asked)

    def release(self) -> None:
        """Nothing to release."""


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


def split_redis_url(url: str) -> tuple[str, str]:
    """Split a ``prefix`` query parameter (the key prefix) off a Redis URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for key, value in query if key == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(key, value) for key, value in query if key != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix or DEFAULT_PREFIX


class RedisStore:
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

    def publish(self, state: Any, *, success: bool) -> SharedState | None:
        """Publish ``state`` (a dataclass) if this process still holds the lease; else None.

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
        except (ValueError, KeyError, TypeError, AttributeError, ImportError) as exc:
            log.error("unreadable shared snapshot: %s", exc.__class__.__name__)
            return None
        return SharedState(
            int(version or 0), state, int(computations or 0), document.get("computed_by")
        )

    def exchange_watches(
        self, asked: dict[Any, datetime], kind: type, oldest: datetime
    ) -> dict[Any, datetime]:
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
        result: dict[Any, datetime] = {}
        stale_fields = []
        for raw_field, raw_at in everyone.items():
            try:
                window = decode_value(json.loads(raw_field), kind)
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


SnapshotStore = MemoryStore | RedisStore


def make_store(redis_url: str | None, refresh_seconds: float) -> SnapshotStore:
    """Redis when a URL is set; otherwise the in-process default."""
    if redis_url:
        return RedisStore(redis_url, refresh_seconds=refresh_seconds)
    return MemoryStore()


# --- the service in a shared deployment ------------------------------------------------------
SYNC_EVERY_SECONDS = 0.2


class SharedSnapshotService(_service.SnapshotService):
    """A snapshot service whose live state one process computes and all processes serve.

    The process holding the lease runs the ordinary refresh and publishes the whole live
    state (snapshots, watched windows, comparisons, names, failure status); the others read
    it from Redis, at most every 0.2 s, whenever they serve something.
    """

    def __init__(
        self, settings: Settings, engine: Any = None, *, store: RedisStore | None = None
    ) -> None:
        if store is None:
            if not settings.redis_url:
                raise ValueError("a shared snapshot service needs REDIS_URL")
            store = RedisStore(settings.redis_url, refresh_seconds=settings.refresh_seconds)
        self.store = store
        self._version: int | None = None
        self._synced_at = float("-inf")
        self._sync_lock = threading.Lock()
        super().__init__(settings, engine)

    @property  # type: ignore[override]
    def state(self) -> _service.LiveState:
        """The live state: this process's own when it computes, else the published one."""
        self.sync()
        return self._state

    @state.setter
    def state(self, value: _service.LiveState) -> None:
        self._state = value

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
            if shared is None or not isinstance(shared.state, _service.LiveState):
                return False
            adopted = shared.state
            adopted.last_attempt = self._state.last_attempt
            adopted.computations = shared.computations
            # One assignment: a request never sees half of one state and half of another.
            self._state = adopted
            self._version = shared.version
            return True
        finally:
            self._sync_lock.release()

    def refresh(self, now: datetime | None = None) -> bool:
        """Compute and publish when holding the lease; otherwise adopt the published state."""
        now = now or utc_now()
        self._exchange_watches(now)
        if not self.store.is_leader():
            self.sync(force=True)
            return False
        computed = super().refresh(now)
        if self._state.last_attempt == now:  # attempted, not skipped as overlapping
            shared = self.store.publish(self._state, success=computed)
            if shared is not None:
                self._state.computations = shared.computations
                self._version = shared.version
        return computed

    def keep_lease(self) -> None:
        """Renew or take the lease (a scheduled job); a process that just took it computes.

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
        lock = getattr(self, "_watch_lock", None)
        requests = getattr(self, "_watch_requests", None)
        if lock is None or requests is None:
            return
        with lock:
            asked = dict(requests)
        oldest = now - self.watch_ttl()
        everyone = self.store.exchange_watches(asked, Window, oldest)
        newest = sorted(everyone.items(), key=lambda item: item[1], reverse=True)
        limit = getattr(_service, "MAX_WATCHED_WINDOWS", 8)
        with lock:
            for window, asked_at in newest[:limit]:
                if requests.get(window, asked_at) <= asked_at:
                    requests[window] = asked_at


def make_service(settings: Settings) -> _service.SnapshotService:
    """The shared service when REDIS_URL is set; the single-process default otherwise."""
    if settings.redis_url:
        return SharedSnapshotService(settings)
    return _service.SnapshotService(settings)
