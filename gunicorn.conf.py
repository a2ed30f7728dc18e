"""Gunicorn settings for ``gunicorn app:server`` (read from the working directory).

Every worker builds its own app after the fork: its own database engine and pool, its own
Redis connections and its own scheduler. With ``REDIS_URL`` set, the workers (of this host
and of every other host on the same Redis) share one snapshot computed by the holder of a
lease; without it, each worker computes its own (fine for one worker; see
docs/DEPLOYMENT.md for the connection budget).

Every value can be overridden with the usual ``GUNICORN_CMD_ARGS`` or command-line options.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any


def _shared() -> bool:
    """Whether the processes share one snapshot (REDIS_URL in the environment or .env)."""
    if os.environ.get("REDIS_URL"):
        return True
    try:
        from dashboard.settings import load_settings

        return bool(load_settings().redis_url)
    except Exception:  # noqa: BLE001 - a bad setting is reported by on_starting below
        return False


bind = f"{os.environ.get('HOTLINE_HOST', '127.0.0.1')}:{os.environ.get('HOTLINE_PORT', '8050')}"
# A request's work is Python (the wall's refresh, Dash serialisation): one process per core
# runs it; threads only keep slow clients and waits from holding a process. More processes
# than cores buy nothing but more connections and more first renders of each new snapshot
# (every process renders a new view once; see docs/PERFORMANCE.md).
# Without REDIS_URL (the embedded SQLite default of `make run`) every process would compute
# its own snapshot and run its own live demo feed: one process, with threads, unless asked.
workers = int(
    os.environ.get("WEB_CONCURRENCY") or (multiprocessing.cpu_count() if _shared() else 1)
)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# No preload: an app built in the master would hand its database pool and its scheduler
# thread to forked children (threads do not survive a fork; shared sockets corrupt).
preload_app = False
timeout = 30
graceful_timeout = 10
# Screens poll every few seconds on kept-alive connections: closing them sooner than the
# poll would race with the next request (a reset the browser must retry). Behind a load
# balancer, keep its idle timeout below this.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
max_requests = 0  # a recycled worker would drop and retake the lease for nothing
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# Server time of each request (microseconds, %(D)s) is what docs/PERFORMANCE.md reports.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)s'
# Wall-link tokens are bearer secrets: the access log writes them as /wall/***.
logger_class = "dashboard.gunicorn_hooks.MaskingLogger"


def on_starting(server: Any) -> None:
    """Refuse to listen beyond loopback without login, whatever way the bind was given."""
    from dashboard.gunicorn_hooks import check_binds
    from dashboard.settings import SettingsError

    try:
        check_binds(list(server.cfg.bind))
    except SettingsError as exc:
        raise SystemExit(f"error: {exc}") from None


def _service(wsgi: Any) -> Any:
    config = getattr(wsgi, "config", None)
    return config.get("HOTLINE_SERVICE") if config is not None else None


def post_fork(server: Any, worker: Any) -> None:
    """If the app was preloaded anyway, drop the parent's database connections in the child."""
    service = _service(server.app.wsgi()) if server.cfg.preload_app else None
    if service is not None:
        service.engine.dispose(close=False)


def worker_exit(server: Any, worker: Any) -> None:
    """Give the snapshot lease up at a graceful stop, so another process computes at once."""
    service = _service(getattr(worker, "wsgi", None))
    close = getattr(service, "close", None)
    if close is not None:
        close()
