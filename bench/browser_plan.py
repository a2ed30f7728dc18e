"""The plan of the browser benchmark (bench/browser.py), shared with its report."""

from __future__ import annotations

WIDTH, HEIGHT = 1920, 1080

HISTORY_DAYS = 8
TICKETS_PER_DAY = 490  # as in October 2025 (docs/WALL.md)
REFRESH_SECONDS = 1
NEW_TICKETS_PER_SECOND = 1.0  # the demo feed's rate at the current hour

RENDER_TARGET_MS = 1000  # SPEC section 6 (issue 11)
HEAP_GROWTH_TARGET = 0.20
LOADS = 5
REFRESHES = 2000
WARMUP_REFRESHES = 100
POLL_MS = 150  # the fastest the browser keeps up with here (see heap_run)
READINGS = 3
REST_SECONDS = 1.0  # longer than a refresh takes here
