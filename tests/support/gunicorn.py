"""The board under gunicorn (the repository's gunicorn.conf.py) and a Redis of its own.

Shared by tests/web/test_multiprocess.py, tests/db/test_alerts_multiprocess.py and bench/load.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from dashboard.settings import PROJECT_ROOT
from tests.support.db import IN_CI

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"

# A config on top of the repository's: its settings, then a port, workers and the caller's hooks.
CONFIG_HEAD = """
import os
import runpy

_base = runpy.run_path({config!r})
globals().update({{k: v for k, v in _base.items() if not k.startswith("__")}})
bind = "127.0.0.1:{port}"
workers = {workers}
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(base_url: str, timeout: float = 2) -> bool:
    """Whether the board answers its health check."""
    try:
        return requests.get(f"{base_url}/healthz", timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def write_config(path: Path, *, port: int, workers: int, extra: str = "") -> Path:
    """A gunicorn config file: the repository's, on ``port`` with ``workers``, then ``extra``."""
    head = CONFIG_HEAD.format(
        config=str(PROJECT_ROOT / "gunicorn.conf.py"), port=port, workers=workers
    )
    path.write_text(head + extra, encoding="utf-8")
    return path


def start_gunicorn(
    config: Path, env: Mapping[str, str], log: Path, *, inherit: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``gunicorn app:server`` with ``config`` and the board's settings in ``env``.

    ``env`` goes on top of ``inherit`` (by default this process's environment).
    """
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), "app:server"],
            cwd=PROJECT_ROOT,
            env={**(os.environ if inherit is None else inherit), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop_gunicorn(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Gunicorn:
    """A running ``gunicorn app:server``: where it answers, its process and its log."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def running_gunicorn(
    workdir: Path,
    env: Mapping[str, str],
    *,
    workers: int,
    extra: str = "",
    inherit: Mapping[str, str] | None = None,
) -> Iterator[Gunicorn]:
    """``gunicorn app:server`` on a free port with ``workers`` and the board's settings in
    ``env`` (see :func:`write_config` and :func:`start_gunicorn`), its config and log in
    ``workdir``; stopped when the block ends."""
    port = free_port()
    config = write_config(workdir / "gunicorn_test.py", port=port, workers=workers, extra=extra)
    log = workdir / "gunicorn.log"
    process = start_gunicorn(config, env, log, inherit=inherit)
    try:
        yield Gunicorn(f"http://127.0.0.1:{port}", process, log)
    finally:
        stop_gunicorn(process)


def redis_test_url(what: str, base: str | None = None) -> Iterator[str]:
    """TEST_REDIS_URL (or ``base``) with a key prefix of its own (keys removed afterwards).

    Skips without Redis (fails in CI).
    """
    redis = pytest.importorskip("redis")
    base = base or os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(base, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"{what} need Redis at {base} (TEST_REDIS_URL): {exc}"
        if IN_CI:
            pytest.fail(message + " (required in CI)")
        pytest.skip(message)
    prefix = f"hotline-test-{uuid.uuid4().hex[:10]}"
    yield f"{base}{'&' if '?' in base else '?'}prefix={prefix}"
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
