"""The enumerations of the ticket database contract (SPEC section 2)."""

from __future__ import annotations

CHANNELS: tuple[str, ...] = ("call", "sms", "email", "web")
LINES: tuple[str, ...] = ("1022", "thanh_uy", "ubnd")
STATUSES: tuple[str, ...] = (
    "received",
    "classified",
    "forwarded",
    "in_progress",
    "resolved",
    "closed",
)
OPEN_STATUSES: tuple[str, ...] = ("received", "classified", "forwarded", "in_progress")
CLOSED_STATUSES: tuple[str, ...] = ("resolved", "closed")
AWAITING_FORWARD_STATUSES: tuple[str, ...] = ("received", "classified")
URGENCIES: tuple[int, ...] = (1, 2, 3, 4)
UNCLASSIFIED = "unclassified"
# The urgency keys of every breakdown: the levels as text, then unclassified (NULL).
URGENCY_KEYS: tuple[str, ...] = (*(str(level) for level in URGENCIES), UNCLASSIFIED)
UNASSIGNED = "unassigned"
# The same keys as the wall and the views list them: the most urgent first.
URGENCY_KEYS_MOST_URGENT_FIRST: tuple[str, ...] = (
    *(str(level) for level in reversed(URGENCIES)),
    UNCLASSIFIED,
)
