"""Background jobs (APScheduler): the snapshot refresh and, in the demo, the live feed."""

from __future__ import annotations

import atexit
import logging
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from dashboard.service import SnapshotService
from dashboard.settings import Settings

log = logging.getLogger(__name__)


def build_scheduler(settings: Settings, service: SnapshotService) -> BackgroundScheduler:
    """A scheduler whose refresh job never overlaps itself (max_instances=1, coalesce)."""
    scheduler = BackgroundScheduler(timezone=settings.timezone)
    scheduler.add_job(
        service.refresh,
        "interval",
        seconds=settings.refresh_seconds,
        id="refresh-snapshot",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=settings.refresh_seconds,
        next_run_time=datetime.now(settings.zone),
    )
    store = service.store
    if store.shared:
        # Shared deployments: the lease is renewed (or taken over) every quarter interval.
        # APScheduler logs every run at INFO; four a second per process would drown the log.
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
        scheduler.add_job(
            service.keep_lease,
            "interval",
            seconds=store.heartbeat_seconds,
            id="snapshot-lease",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(settings.zone),
        )
    if settings.simulate:
        from dashboard.simulator import Simulator

        simulator = Simulator.from_settings(settings)

        def feed() -> None:
            # With several processes only the lease holder feeds, so the demo rate stays right.
            if store.is_leader():
                simulator.tick()

        scheduler.add_job(
            feed,
            "interval",
            seconds=simulator.tick_seconds,
            id="simulate",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(settings.zone) + timedelta(seconds=1),
        )
    if settings.queue_log_file is not None and (settings.follow_queue_log or settings.simulate):
        # The switchboard (issue 12): follow the queue_log with a writer engine of its own.
        from dashboard.switchboard.follower import make_follower

        follower = make_follower(settings)
        follow_store = getattr(service, "store", None)

        def follow() -> None:
            if follow_store is None or follow_store.is_leader():
                try:
                    follower.follow_once()
                except Exception as exc:  # noqa: BLE001 - a busy database: next second again
                    log.error("queue_log follow failed: %s", str(exc).splitlines()[0][:300])

        scheduler.add_job(
            follow,
            "interval",
            seconds=1,
            id="follow-queue-log",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(settings.zone) + timedelta(seconds=1),
        )
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
