"""The live state of the board and the one interface of the store that holds it.

Every :class:`~dashboard.service.SnapshotService` has a store. :class:`MemoryStore`
(this process computes and keeps its own state) is the default; ``dashboard.store.RedisStore``
shares the state of one computing process with every other process. Both implement
:class:`LiveStore`, so the service never asks what kind of store it holds.
"""

from __future__ import annotations

import os
import socket
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime

from dashboard.comparison import Comparison
from dashboard.shifts import Window
from dashboard.snapshot import Snapshot
from data_access.queries import ReferenceCodes
from data_access.reference import Labels


@dataclass
class LiveState:
    """The last good live snapshots and what happened since."""

    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error: str | None = None
    failing_since: datetime | None = None
    computations: int = 0
    # Fixed windows screens watch, computed by the same scheduled refresh.
    watched: dict[Window, Snapshot] = field(default_factory=dict)
    # Per operating day: the day before and the 7-day hourly average (the wall's comparison).
    comparisons: dict[date, Comparison] = field(default_factory=dict)
    # Names of categories, agencies and areas (reference data), re-read every few minutes.
    names: dict[str, Labels] = field(default_factory=dict)
    names_read_at: datetime | None = None
    # The category and agency codes a filter may name (read with the names).
    codes: ReferenceCodes = field(default_factory=lambda: ReferenceCodes((), ()))


@dataclass(frozen=True)
class SharedState:
    """What the computing process published: its live state, and the shared counters."""

    version: int
    state: LiveState
    computations: int
    computed_by: str | None = None


class LiveStore(ABC):
    """Where the live state lives: who computes it, how it is published and read back."""

    #: Whether other processes share this store (a lease decides who computes).
    shared: bool = False
    #: How often the lease is renewed (seconds; only used when ``shared``).
    heartbeat_seconds: float = 0.0

    @property
    @abstractmethod
    def owner(self) -> str:
        """This process's name (in the lease and in what it publishes)."""

    @abstractmethod
    def is_leader(self) -> bool:
        """Whether this process computes the live state now."""

    @abstractmethod
    def keep_lease(self) -> bool:
        """Renew or take the lease; True when it was just acquired."""

    @abstractmethod
    def publish(self, state: LiveState, *, success: bool) -> SharedState | None:
        """Publish the computed state for the other processes (None: not published)."""

    @abstractmethod
    def fetch(self, known_version: int | None = None) -> SharedState | None:
        """The published state when newer than ``known_version`` (None: nothing newer)."""

    @abstractmethod
    def exchange_watches(
        self, asked: dict[Window, datetime], oldest: datetime
    ) -> dict[Window, datetime]:
        """Add this process's watched windows to everyone's; return everyone's since ``oldest``."""

    @abstractmethod
    def release(self) -> None:
        """Give the lease up (at a graceful exit)."""


class MemoryStore(LiveStore):
    """The single-process default: this process computes and keeps its snapshots itself."""

    shared = False
    heartbeat_seconds = 0.0

    @property
    def owner(self) -> str:
        """This process's name."""
        return f"{socket.gethostname()}:{os.getpid()}"

    def is_leader(self) -> bool:
        """Always: the only process computes."""
        return True

    def keep_lease(self) -> bool:
        """Nothing to acquire; never 'just acquired'."""
        return False

    def publish(self, state: LiveState, *, success: bool) -> SharedState | None:
        """Nothing to share."""
        return None

    def fetch(self, known_version: int | None = None) -> SharedState | None:
        """Nothing shared to read."""
        return None

    def exchange_watches(
        self, asked: dict[Window, datetime], oldest: datetime
    ) -> dict[Window, datetime]:
        """Only this process's screens ask for windows."""
        return dict(asked)

    def release(self) -> None:
        """Nothing to release."""
