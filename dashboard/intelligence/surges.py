"""Surge detection (SPEC section 11): a field receiving far more than usual for the hour.

The rule: in the last ``window_minutes`` a field (and, where the ward is known, a ward)
received at least ``min_count`` reports and at least ``factor`` times its baseline, the
mean count of the same span of the week in the ``baseline_weeks`` weeks before. A baseline
below 1 counts as 1 (a field that is normally silent needs ``min_count`` reports, and the
multiple is never divided by almost nothing). One incident per field: the ward where it
is concentrated when a ward passes the rule, else the field city-wide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from dashboard.i18n import text
from dashboard.intelligence.values import Incident, SurgeRule
from dashboard.settings import Settings
from data_access.intelligence import SlotCount, count_surge_slots


def surge_slots(now: datetime, zone: ZoneInfo, rule: SurgeRule) -> list[tuple[datetime, datetime]]:
    """``(start, end]`` of the current span, then the same local span 1..n weeks back."""
    span = timedelta(minutes=rule.window_minutes)
    local_now = now.astimezone(zone)
    slots = [(now - span, now)]
    for weeks in range(1, rule.baseline_weeks + 1):
        # The same local hour of the week (a DST change moves the UTC instant, not this).
        end = (local_now.replace(tzinfo=None) - timedelta(weeks=weeks)).replace(tzinfo=zone)
        end_utc = end.astimezone(now.tzinfo)
        slots.append((end_utc - span, end_utc))
    return slots


def detect_surges(counts: Iterable[SlotCount], rule: SurgeRule) -> tuple[Incident, ...]:
    """The incidents of these slot counts (pure): biggest first, one per field."""
    current: dict[tuple[str, str | None], tuple[int, datetime]] = {}
    history: dict[tuple[str, str | None], int] = defaultdict(int)
    for row in counts:
        keys: list[tuple[str, str | None]] = [(row.category, None)]
        if row.area is not None:
            keys.append((row.category, row.area))
        for key in keys:
            if row.slot == 0:
                count, first = current.get(key, (0, row.first_at))
                current[key] = (count + row.count, min(first, row.first_at))
            else:
                history[key] += row.count
    weeks = max(rule.baseline_weeks, 1)
    passing: dict[str, list[Incident]] = defaultdict(list)
    for (category, area), (count, first) in current.items():
        baseline = history.get((category, area), 0) / weeks
        if count >= rule.min_count and count >= rule.factor * max(baseline, 1.0):
            passing[category].append(Incident(category, area, count, round(baseline, 2), first))
    incidents = []
    for found in passing.values():
        wards = [incident for incident in found if incident.area is not None]
        chosen = max(wards or found, key=lambda incident: (incident.count, incident.area or ""))
        incidents.append(chosen)
    return tuple(sorted(incidents, key=lambda i: (-i.count, i.category, i.area or "")))


def count_surge_slots_at(
    conn: Connection, now: datetime, zone: ZoneInfo, rule: SurgeRule
) -> tuple[Incident, ...]:
    """The surges at ``now`` on an open connection (the snapshot's own transaction)."""
    return detect_surges(count_surge_slots(conn, surge_slots(now, zone, rule)), rule)


def find_surges(
    engine: Engine, now: datetime, zone: ZoneInfo, rule: SurgeRule
) -> tuple[Incident, ...]:
    """The surges at ``now`` (one query on the ``received_at`` index, five short ranges)."""
    with engine.connect() as conn:
        return count_surge_slots_at(conn, now, zone, rule)


def surge_rule(settings: Settings) -> SurgeRule:
    """The surge thresholds of the settings."""
    return SurgeRule(
        factor=settings.surge_factor,
        min_count=settings.surge_min_count,
        window_minutes=settings.surge_window_minutes,
        baseline_weeks=settings.surge_baseline_weeks,
    )


@dataclass(frozen=True)
class SurgeCandidate:
    """What the ``surge`` alert rule receives: key, texts' inputs, and the incident."""

    key: str
    category: str
    area: str | None
    count: int
    baseline: float
    multiple: int
    since: datetime


def surge_candidates(incidents: Iterable[Incident]) -> tuple[SurgeCandidate, ...]:
    """Surge candidates for the ``surge`` alert rule (pure; the alert engine deduplicates)."""
    return tuple(
        SurgeCandidate(i.key, i.category, i.area, i.count, i.baseline, i.multiple, i.since)
        for i in incidents
    )


def incidents_to_json(incidents: Iterable[Incident], zone: ZoneInfo) -> list[dict[str, object]]:
    """The ``incidents`` list of ``/api/snapshot``."""
    return [
        {
            "category": i.category,
            "area": i.area,
            "count": i.count,
            "baseline": i.baseline,
            "since": i.since.astimezone(zone).isoformat(),
        }
        for i in incidents
    ]


def incident_text(
    incident: Incident, names: Mapping[str, Mapping[str, str]], lang: str, minutes: int = 30
) -> str:
    """One line a person reads from 5 m: field · ward: N reports in 30 minutes, Nx usual."""
    category = names.get("categories", {}).get(incident.category, incident.category)
    where = category
    if incident.area is not None:
        where += " · " + names.get("areas", {}).get(incident.area, incident.area)
    return text(
        lang,
        "intel.incident.line",
        where=where,
        count=incident.count,
        minutes=minutes,
        multiple=incident.multiple,
    )
