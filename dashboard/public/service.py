"""The public-status service: the only way the citizens' page and Open311 reach the database."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from data_access.public import (
    MAX_LIST,
    PublicCategory,
    PublicTicket,
    find_public_ticket,
    list_public_tickets,
    read_public_categories,
)
from data_access.reference import Labels, read_names
from data_access.values import RequestsQuery

# A tracking code as the intake system hands it out (1022-261201-0042): letters, digits, "-._".
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
REFERENCE_TTL_SECONDS = 60.0
DEFAULT_DAYS = 90


def is_valid_code(code: str) -> bool:
    """Whether a text can be a tracking code (anything else is "not found" without a query)."""
    return CODE_PATTERN.fullmatch(code) is not None


@dataclass(frozen=True)
class Reference:
    """Categories with their flags and the names of categories, agencies and wards."""

    categories: tuple[PublicCategory, ...]
    names: dict[str, Labels]

    @property
    def public_codes(self) -> frozenset[str]:
        """The codes of the public categories."""
        return frozenset(c.code for c in self.categories if c.public)


class AnswerCache:
    """Answers of identical requests reused for a few seconds (bounded), so that many clients
    asking for the same list cost one query and one rendering per interval."""

    def __init__(self, ttl_seconds: float, size: int = 64) -> None:
        self.ttl_seconds = ttl_seconds
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        """The answer stored under ``key`` if younger than the TTL."""
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] >= self.ttl_seconds:
                return None
            return item[1]

    def put(self, key: Hashable, value: Any) -> None:
        """Store an answer (the oldest go beyond ``size``)."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._items.clear()


class PublicStatusService:
    """Reads the public status through the board's read-only engine (reference data cached)."""

    def __init__(self, engine: Engine, answer_ttl_seconds: float = 5.0) -> None:
        self._engine = engine
        # Rendered lists (Open311 requests.json/xml), reused for one refresh interval.
        self.answers = AnswerCache(answer_ttl_seconds)
        self._lock = threading.Lock()
        self._reference: tuple[float, Reference] | None = None

    def reference(self) -> Reference:
        """Categories and names, re-read at most once a minute."""
        with self._lock:
            cached = self._reference
            if cached is not None and time.monotonic() - cached[0] < REFERENCE_TTL_SECONDS:
                return cached[1]
        with self._engine.connect() as conn:
            reference = Reference(read_public_categories(conn), read_names(conn))
        with self._lock:
            self._reference = (time.monotonic(), reference)
        return reference

    def find(self, code: str) -> PublicTicket | None:
        """The public status of one ticket; None when unknown or not a code."""
        code = code.strip()
        if not is_valid_code(code):
            return None
        public_codes = self.reference().public_codes
        with self._engine.connect() as conn:
            return find_public_ticket(conn, code, public_codes)

    def list(self, query: RequestsQuery) -> tuple[PublicTicket, ...]:
        """Public tickets of a GeoReport query, newest first, at most 1,000."""
        public_codes = self.reference().public_codes
        with self._engine.connect() as conn:
            return list_public_tickets(conn, query, public_codes, limit=MAX_LIST)

    @staticmethod
    def default_window(now: datetime) -> tuple[datetime, datetime]:
        """The last 90 days up to now."""
        return now - timedelta(days=DEFAULT_DAYS), now
