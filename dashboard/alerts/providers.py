"""The candidates of the hook rules from operations intelligence (SPEC sections 8 and 11).

``surge``: the incidents of the live snapshot, the very ones the wall's banner shows, so a
surge on the wall is a surge alert and it resolves when the banner goes. ``screen_silent``:
the screens of the registry that stopped polling; resolved when the screen polls again.
Before the first snapshot there is nothing to compare with: the rule is skipped that time
(its alerts neither open nor resolve).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from dashboard.alerts.evaluate import Candidate, Provider, ProviderUnavailable
from dashboard.alerts.service import AlertService
from dashboard.intelligence.screens import ScreenRegistry
from dashboard.intelligence.surges import surge_candidates
from dashboard.service import SnapshotService


def surge_provider(service: SnapshotService) -> Provider:
    """Candidates of ``surge``: one per field surging in the live snapshot."""
    minutes = service.settings.surge_window_minutes

    def provide(now: datetime) -> Sequence[Candidate]:
        snapshot = service.live("day") or service.live("shift")
        if snapshot is None:
            raise ProviderUnavailable("no live snapshot yet")
        return [
            Candidate(
                rule="surge",
                # One alert per field: the ward a surge is pinned to may change as it grows
                # (city-wide first, then the ward once it passes on its own), as the banner does.
                subject=surge.category,
                since=surge.since,
                detail={
                    "category": surge.category,
                    "area": surge.area,
                    "count": surge.count,
                    "baseline": surge.baseline,
                    "multiple": surge.multiple,
                    "minutes": minutes,
                },
            )
            for surge in surge_candidates(snapshot.incidents)
        ]

    return provide


def screen_silent_provider(registry: ScreenRegistry) -> Provider:
    """Candidates of ``screen_silent``: one per wall screen that stopped polling."""
    settings = registry.settings
    limit = timedelta(seconds=settings.refresh_seconds * settings.screen_silent_intervals)

    def provide(now: datetime) -> Sequence[Candidate]:
        return [
            Candidate(
                rule="screen_silent",
                subject=beat.name,
                since=beat.last_poll + limit,  # when it became silent
                detail={"screen": beat.name, "last_poll": beat.last_poll.isoformat()},
            )
            for beat in registry.silent(now)
        ]

    return provide


def install_providers(
    alerts: AlertService, service: SnapshotService, screens: ScreenRegistry
) -> None:
    """Give the hook rules their candidates: the wall's surges and the silent screens."""
    alerts.set_provider("surge", surge_provider(service))
    alerts.set_provider("screen_silent", screen_silent_provider(screens))
