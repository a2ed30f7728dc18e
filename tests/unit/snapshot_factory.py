"""A small snapshot value built from empty database counts (for codec tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from dashboard.shifts import ShiftCalendar
from dashboard.snapshot import Snapshot, bucket_boundaries, build_snapshot
from data_access.queries import DatabaseCounts, Filters, ReferenceCodes, ResolvedCounts

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def snapshot_with(incidents: tuple[Any, ...]) -> Snapshot:
    """A snapshot of the current shift with no tickets and these incidents."""
    calendar = ShiftCalendar.from_spec("Asia/Ho_Chi_Minh", "06:00-14:00,14:00-22:00,22:00-06:00")
    window = calendar.current_window(NOW)
    boundaries = bucket_boundaries(calendar, window)
    counts = DatabaseCounts(
        reference=ReferenceCodes(("thoat_nuoc",), ("chong_ngap",)),
        groups=(),
        buckets=tuple(0 for _ in boundaries[:-1]),
        resolved=ResolvedCounts(0, 0, 0),
        open_groups=(),
        overdue=(),
    )
    snapshot = build_snapshot(
        counts,
        calendar=calendar,
        window=window,
        boundaries=boundaries,
        now=NOW,
        generated_at=NOW,
        filters=Filters(),
    )
    return replace(snapshot, incidents=incidents)
