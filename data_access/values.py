"""The values the data layer hands out, free of SQLAlchemy: the part of ``data_access`` that
``layouts`` may import (with the enumerations of :mod:`data_access.codes`).

Queries live next to SQLAlchemy (``queries``, ``overview``, ``shift_view``...) and return
these frozen values; an import-linter contract keeps this module free of SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from data_access.codes import UNASSIGNED, UNCLASSIFIED

__all__ = [
    "DEFAULT_CALL_TARGETS",
    "MEASURES",
    "UNASSIGNED",
    "UNCLASSIFIED",
    "CallTargets",
    "Filters",
    "OperatorFigures",
    "ReferenceCodes",
    "RequestsQuery",
    "TicketEvent",
    "TicketHistory",
    "TicketPage",
    "TicketRow",
]


@dataclass(frozen=True)
class Filters:
    """Which tickets count: each tuple lists allowed codes; empty means all.

    ``categories`` and ``urgencies`` may hold ``unclassified`` (NULL);
    ``agencies`` may hold ``unassigned`` (NULL).
    """

    channels: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    urgencies: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """Whether no filter is set."""
        return not (
            self.channels or self.lines or self.categories or self.urgencies or self.agencies
        )


@dataclass(frozen=True)
class ReferenceCodes:
    """Known category and agency codes, in display order."""

    categories: tuple[str, ...]
    agencies: tuple[str, ...]


# The counted measures a drill-down can list the tickets of.
MEASURES: tuple[str, ...] = ("received", "forwarded", "resolved", "open_now", "overdue_now")


@dataclass(frozen=True)
class TicketRow:
    """One ticket as lists and exports show it: no personal data, no content."""

    id: int
    code: str
    received_at: datetime
    channel: str
    line: str
    category: str | None
    urgency: int | None
    status: str
    agency: str | None
    operator: str | None
    area: str | None
    forwarded_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None


@dataclass(frozen=True)
class TicketPage:
    """One page of a ticket list and the size of the whole list."""

    rows: tuple[TicketRow, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least 1)."""
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class TicketEvent:
    """One status change of a ticket (its free-text note is never read: it may hold a name)."""

    at: datetime
    status: str
    actor: str | None


@dataclass(frozen=True)
class TicketHistory:
    """A ticket (no personal data) and its status changes, oldest first."""

    ticket: TicketRow
    events: tuple[TicketEvent, ...]


@dataclass(frozen=True)
class OperatorFigures:
    """One operator on the switchboard: state since when, calls answered, talk time."""

    operator: str
    state: str
    since: datetime | None
    answered: int
    talk_seconds: int


@dataclass(frozen=True)
class ScreenBeat:
    """The last heartbeat of one wall screen (kept in ``wall_screens``)."""

    name: str
    first_seen: datetime
    last_poll: datetime
    page_age_seconds: int | None
    heap_mb: float | None
    options: str | None


@dataclass(frozen=True)
class RequestsQuery:
    """A checked GeoReport ``requests`` query (see dashboard.public.open311.parse_requests).

    With ``codes`` the tickets of those codes (GeoReport's ``service_request_id``
    overrides the dates and the other filters); otherwise those received in
    [start, end], of ``service_codes`` and ``statuses`` when given.
    """

    start: datetime
    end: datetime
    service_codes: frozenset[str] | None = None
    statuses: tuple[str, ...] | None = None
    codes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CallTargets:
    """The switchboard's targets (settings ``HOTLINE_SERVICE_LEVEL_SECONDS`` and
    ``HOTLINE_SHORT_ABANDON_SECONDS``): answered within ``service_level_seconds`` counts
    towards the service level; a caller who leaves sooner than ``short_abandon_seconds``
    is a short abandon, counted apart."""

    service_level_seconds: int = 20
    short_abandon_seconds: int = 5


DEFAULT_CALL_TARGETS = CallTargets()
