"""Values of operations intelligence: plain frozen dataclasses, free of SQLAlchemy.

Layouts and the Redis codec of the snapshot read these; the modules beside this one
compute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from data_access.values import ScreenBeat

__all__ = ["Incident", "RepeatLink", "ScreenBeat", "ScreenStatus", "SurgeRule"]


@dataclass(frozen=True)
class SurgeRule:
    """The thresholds of a surge (settings ``HOTLINE_SURGE_*``)."""

    factor: float = 3.0
    min_count: int = 8
    window_minutes: int = 30
    baseline_weeks: int = 4


@dataclass(frozen=True)
class Incident:
    """One surge on the wall and in ``/api/snapshot`` (plain fields: the Redis codec)."""

    category: str
    area: str | None
    count: int
    baseline: float
    since: datetime

    @property
    def multiple(self) -> int:
        """How many times the usual rate, rounded (baseline below 1 counts as 1)."""
        return round(self.count / max(self.baseline, 1.0))

    @property
    def key(self) -> str:
        """What identifies the incident while it lasts (the alert's deduplication key)."""
        return f"{self.category}|{self.area or '*'}"


@dataclass(frozen=True)
class ScreenStatus:
    """A screen on ``/screens``: its last beat and whether it is silent."""

    beat: ScreenBeat
    silent: bool
    silent_for_seconds: int


@dataclass(frozen=True)
class RepeatLink:
    """A later report and the earlier ones it repeats: how many, and the latest codes."""

    code: str
    category: str
    area: str
    received_at: datetime
    urgency: int | None
    status: str
    linked: tuple[str, ...]  # the most recent few (MAX_LINKED_CODES), oldest first
    linked_count: int = 0
