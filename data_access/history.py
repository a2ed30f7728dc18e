"""History queries of the wall: what past operating days received, bucket by bucket.

Each day is one bounded range scan of ``ix_tickets_received_at`` with the same
portable CASE bucketing as the snapshot, so the cost follows the days asked
for, not the size of the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from data_access.queries import Filters, count_received_by_bucket


def count_received_by_day_buckets(
    conn: Connection,
    days: Sequence[Sequence[datetime]],
    filters: Filters | None = None,
) -> tuple[tuple[int, ...], ...]:
    """For each day's bucket boundaries, the tickets received in each bucket (one scan a day)."""
    filters = filters or Filters()
    return tuple(count_received_by_bucket(conn, boundaries, filters) for boundaries in days)
