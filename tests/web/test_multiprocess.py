"""Several gunicorn workers share one snapshot through Redis, computed once per interval.

Starts ``gunicorn app:server`` with the repository's gunicorn.conf.py and 3 workers on a
temporary SQLite database, with 20 polling clients, and checks: one computation per
interval across all workers, the same numbers from every worker, and a takeover within two
intervals when the process computing the snapshots is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from dashboard.shifts import utc_now
from data_access.engine import make_engine
from tests.support.db import insert_tickets, make_ticket
from tests.support.gunicorn import answers, redis_test_url, running_gunicorn

pytestmark = pytest.mark.slow

REFRESH_SECONDS = 1
WORKERS = 3
CLIENTS = 20

# Added to the repository's config (tests/support/gunicorn.py): no access log, the worker's pid.
TEST_CONFIG = """
accesslog = None


def post_worker_init(worker):
    # Tell the test which worker answered (a test-only header).
    app = worker.wsgi

    def with_pid(environ, start_response):
        def start(status, headers, exc_info=None):
            headers.append(("X-Worker-Pid", str(os.getpid())))
            return start_response(status, headers, exc_info)

        return app(environ, start)

    with_pid.config = app.config
    worker.wsgi = with_pid
"""


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database for the test, with a key prefix of its own (removed afterwards)."""
    yield from redis_test_url("the multi-process test")


@dataclass
class Board:
    """A running gunicorn board and the Redis it shares its snapshot through."""

    base_url: str
    process: subprocess.Popen[bytes]
    redis: object
    prefix: str
    log: Path

    def key(self, name: str) -> str:
        """A Redis key of the board."""
        return f"{self.prefix}:{name}"

    def computations(self) -> int:
        """The shared count of snapshot computations."""
        return int(self.redis.get(self.key("computations")) or 0)  # type: ignore[attr-defined]

    def holder_pid(self) -> int | None:
        """The pid of the process holding the lease."""
        value = self.redis.get(self.key("lease"))  # type: ignore[attr-defined]
        return int(value.decode().split(":")[1]) if value else None


@pytest.fixture
def board(sqlite_url: str, redis_url: str, tmp_path: Path) -> Iterator[Board]:
    """gunicorn app:server with 3 workers, REDIS_URL set and a 1 s refresh interval."""
    import redis

    from dashboard.store import split_redis_url

    env = {
        "DATABASE_URL": sqlite_url,
        "REDIS_URL": redis_url,
        "HOTLINE_REFRESH_SECONDS": str(REFRESH_SECONDS),
        "HOTLINE_SIMULATE": "false",
        "HOTLINE_LOG_LEVEL": "WARNING",
    }
    clean_url, prefix = split_redis_url(redis_url)
    client = redis.Redis.from_url(clean_url)
    try:
        with running_gunicorn(tmp_path, env, workers=WORKERS, extra=TEST_CONFIG) as served:
            running = Board(served.base_url, served.process, client, prefix, served.log)
            deadline = time.monotonic() + 30
            while running.computations() < 1 or not answers(running.base_url):
                if served.process.poll() is not None or time.monotonic() > deadline:
                    tail = served.log.read_text(errors="replace")[-3000:]
                    pytest.fail("gunicorn did not start:\n" + tail)
                time.sleep(0.1)
            yield running
    finally:
        client.close()


@dataclass
class Polling:
    """20 clients polling /api/snapshot; what each worker answered."""

    base_url: str
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: list[tuple[int, str, dict]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def poll(self) -> None:
        """One client: a new connection per request, so every worker gets asked."""
        while not self.stop.is_set():
            try:
                response = requests.get(f"{self.base_url}/api/snapshot", timeout=5)
                body = response.json()
                pid = int(response.headers["X-Worker-Pid"])
                with self.lock:
                    if response.status_code == 200:
                        self.answers.append((pid, body["generated_at"], body))
                    else:
                        self.failures.append(f"{response.status_code} {body}")
            except (requests.RequestException, ValueError, KeyError) as exc:
                with self.lock:
                    self.failures.append(exc.__class__.__name__)
            time.sleep(0.1)


def _numbers(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "stale"}


def test_workers_share_one_computation_per_interval_and_take_over(board: Board, sqlite_url):
    writer = make_engine(sqlite_url)
    now = utc_now()
    insert_tickets(writer, [make_ticket(received_at=now - timedelta(minutes=m)) for m in range(5)])

    polling = Polling(board.base_url)
    clients = [threading.Thread(target=polling.poll, daemon=True) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        # One computation per interval across all workers, while 20 clients poll.
        started, first = time.monotonic(), board.computations()
        time.sleep(3)
        insert_tickets(writer, [make_ticket(received_at=utc_now())])
        time.sleep(3)
        elapsed, computed = time.monotonic() - started, board.computations() - first
        assert abs(computed - elapsed / REFRESH_SECONDS) <= 1, (computed, elapsed)

        # The same numbers from every worker: each computation is served identically.
        with polling.lock:
            answers = list(polling.answers)
            failures = list(polling.failures)
        assert not failures, failures[:5]
        assert len({pid for pid, _, _ in answers}) == WORKERS
        by_computation: dict[str, set[str]] = {}
        for _, generated_at, body in answers:
            by_computation.setdefault(generated_at, set()).add(repr(_numbers(body)))
        assert len(by_computation) >= 4
        assert all(len(variants) == 1 for variants in by_computation.values())
        assert len(answers) > 100

        # Kill the process computing the snapshots: another takes over within two intervals.
        holder = board.holder_pid()
        assert holder is not None
        before = board.computations()
        os.kill(holder, signal.SIGKILL)
        killed = time.monotonic()
        taken_over = None
        while time.monotonic() - killed < 10:
            pid = board.holder_pid()
            if pid not in (None, holder) and board.computations() > before:
                taken_over = time.monotonic() - killed
                break
            time.sleep(0.02)
        assert taken_over is not None, board.log.read_text(errors="replace")[-3000:]
        assert taken_over <= 2 * REFRESH_SECONDS + 0.5, taken_over

        # ... and keeps one computation per interval (the respawned worker does not compute).
        started, first = time.monotonic(), board.computations()
        time.sleep(3)
        elapsed, computed = time.monotonic() - started, board.computations() - first
        assert abs(computed - elapsed / REFRESH_SECONDS) <= 1, (computed, elapsed)
        with polling.lock:
            polling.failures.clear()
        time.sleep(1)
        with polling.lock:
            assert not polling.failures, polling.failures[:5]
    finally:
        polling.stop.set()
        for client in clients:
            client.join(timeout=10)
        writer.dispose()
