"""Background jobs (APScheduler): the snapshot refresh and, in the demo, the live feed."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from dashboard.service import SnapshotService
from dashboard.settings import Settings

log = logging.getLogger(__name__)


def every(
    scheduler: BackgroundScheduler,
    job: Callable[[], Any],
    seconds: float,
    job_id: str,
    first_run: datetime,
    **options: Any,
) -> None:
    """Run ``job`` every ``seconds`` from ``first_run``, never overlapping itself."""
    scheduler.add_job(
        job,
        "interval",
        seconds=seconds,
        id=job_id,
        max_instances=1,
        coalesce=True,
        next_run_time=first_run,
        **options,
    )


def _in_a_second(settings: Settings) -> datetime:
    return datetime.now(settings.zone) + timedelta(seconds=1)


def build_scheduler(settings: Settings, service: SnapshotService) -> BackgroundScheduler:
    """A scheduler whose refresh job never overlaps itself (max_instances=1, coalesce)."""
    scheduler = BackgroundScheduler(timezone=settings.timezone)
    now = datetime.now(settings.zone)
    every(
        scheduler,
        service.refresh,
        settings.refresh_seconds,
        "refresh-snapshot",
        now,
        misfire_grace_time=settings.refresh_seconds,
    )
    store = service.store
    if store.shared:
        # Shared deployments: the lease is renewed (or taken over) every quarter interval.
        # APScheduler logs every run at INFO; four a second per process would drown the log.
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
        every(scheduler, service.keep_lease, store.heartbeat_seconds, "snapshot-lease", now)
    if settings.simulate:
        from dashboard.simulator import Simulator

        simulator = Simulator.from_settings(settings)

        def feed() -> None:
            # With several processes only the lease holder feeds, so the demo rate stays right.
            if store.is_leader():
                simulator.tick()

        every(scheduler, feed, simulator.tick_seconds, "simulate", _in_a_second(settings))
    if settings.queue_log_file is not None and (settings.follow_queue_log or settings.simulate):
        # The switchboard (issue 12): follow the queue_log with a writer engine of its own.
        from dashboard.switchboard.follower import make_follower

        follower = make_follower(settings)

        def follow() -> None:
            if store.is_leader():
                try:
                    follower.follow_once()
                except Exception as exc:  # noqa: BLE001 - a busy database: next second again
                    log.error("queue_log follow failed: %s", str(exc).splitlines()[0][:300])

        every(scheduler, follow, 1, "follow-queue-log", _in_a_second(settings))
    return scheduler


def start_background_jobs(
    app: Any, settings: Settings, service: SnapshotService
) -> BackgroundScheduler:
    """Start the jobs for this process and stop them at exit."""
    scheduler = build_scheduler(settings, service)
    scheduler.start()
    app.server.config["HOTLINE_SCHEDULER"] = scheduler
    atexit.register(lambda: scheduler.shutdown(wait=False))
    atexit.register(service.close)  # registered last, runs first: the lease is given up at once
    return scheduler
