"""Shared data of the wall tests: a day of tickets around a fixed `now` (Ca 2, 1 Dec 2026)."""

from __future__ import annotations

from typing import Any

from dashboard.service import SnapshotService
from dashboard.settings import Settings
from layouts.wall_view import Freshness, WallOptions, WallView, make_wall_view
from tests.support.db import local, make_ticket

NOW = local("2026-12-01 15:30")


def wall_tickets() -> list[dict[str, Any]]:
    """Tickets today (all levels, overdue ones, a level-4), yesterday and in the past week."""
    t = make_ticket
    rows = [
        # today, Ca 1
        t(received_at=local("2026-12-01 06:10"), category="hanh_chinh", urgency=1,
          status="resolved", resolved_at=local("2026-12-01 06:20"),
          due_at=local("2026-12-06 06:10")),
        t(received_at=local("2026-12-01 08:00"), category="dien", urgency=2, status="forwarded",
          agency="evn_hcmc", forwarded_at=local("2026-12-01 08:05"),
          due_at=local("2026-12-01 12:00")),
        t(received_at=local("2026-12-01 09:00"), category="giao_thong", urgency=4,
          status="in_progress", agency="so_gtvt", forwarded_at=local("2026-12-01 09:05"),
          due_at=local("2026-12-01 11:00"), channel="sms", line="thanh_uy"),
        # today, Ca 2
        t(received_at=local("2026-12-01 14:05"), category="dien", urgency=3, status="received",
          channel="web"),
        t(received_at=local("2026-12-01 15:00"), category="hanh_chinh", urgency=1,
          status="resolved", resolved_at=local("2026-12-01 15:10"),
          due_at=local("2026-12-01 15:05"), channel="email", line="ubnd"),
        t(received_at=local("2026-12-01 15:25"), category=None, urgency=None,
          status="received"),
        # yesterday: 2 in Ca 1, 1 in Ca 2, 3 in Ca 3
        t(received_at=local("2026-11-30 07:00"), status="closed"),
        t(received_at=local("2026-11-30 13:59"), status="closed"),
        t(received_at=local("2026-11-30 15:00"), status="closed"),
        t(received_at=local("2026-11-30 23:00"), status="closed"),
        t(received_at=local("2026-12-01 02:00"), status="closed"),
        t(received_at=local("2026-12-01 05:59"), status="closed"),
        # a week ago, at 15:xx
        t(received_at=local("2026-11-24 15:10"), status="closed"),
    ]  # fmt: skip
    return rows


def make_service(url: str, **settings: Any) -> SnapshotService:
    """A service on ``url`` without a scheduler (tests call refresh themselves)."""
    service = SnapshotService(Settings(DATABASE_URL=url, HOTLINE_SIMULATE=False, **settings))
    return service


def make_view(service: SnapshotService, *, lang: str = "vi", stale: bool = False) -> WallView:
    """The live wall view of a refreshed service."""
    shift, day = service.live("shift"), service.live("day")
    calendar = service.calendar
    names = {kind: getattr(labels, lang) for kind, labels in service.names().items()}
    shift_window = shift.window if shift else calendar.current_window(NOW)
    day_window = day.window if day else calendar.current_window(NOW, whole_day=True)
    return make_wall_view(
        calendar=calendar,
        options=WallOptions(lang=lang),
        shift_window=shift_window,
        day_window=day_window,
        live_day=day_window.day,
        shift=shift,
        day=day,
        comparison=service.comparison(day_window.day),
        names=names,
        freshness=Freshness(service.state.last_success, service.state.failing_since, stale),
        intake_limit_minutes=15,
    )
