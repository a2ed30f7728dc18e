"""Delivery of the outbox through Apprise: claimed once, retried with exponential back-off.

Only the lease holder delivers. A row is claimed with a compare-and-set update, so even two
processes that both believe they hold the lease (a lease changing hands) never send the
same row twice; a receiver that is down is retried at growing intervals (capped), and gets
every message when it comes back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from dashboard.alerts.notify import LOG_TARGET, NotifyConfig
from data_access.alert_store import (
    OutboxRow,
    claim_due_outbox,
    mark_failed,
    mark_retry,
    mark_sent,
)

log = logging.getLogger(__name__)
message_log = logging.getLogger("hotline.alerts.messages")

RETRY_BASE_SECONDS = 2.0
CLAIM_SECONDS = 60  # longer than one Apprise send (its timeouts are seconds)
GIVE_UP_AFTER = timedelta(hours=48)

Sender = Callable[[str, str, str], bool]


def apprise_send(url: str, title: str, body: str) -> bool:
    """Send one message to one Apprise URL; True when Apprise reports success."""
    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(url):
        return False
    return bool(notifier.notify(title=title, body=body))


def log_send(audience: str, event_id: str, title: str, body: str) -> None:
    """The local log target: the message in the server log (the default, nothing leaves)."""
    message_log.info("alert message %s to %s: %s\n%s", event_id, audience, title, body)


def backoff(attempts: int, cap_seconds: float) -> timedelta:
    """The wait before the next attempt after ``attempts`` failures: 2, 4, 8 ... s, capped."""
    return timedelta(seconds=min(cap_seconds, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


@dataclass(eq=False)
class Deliverer:
    """Sends due outbox rows for one process (the lease holder)."""

    engine: Engine
    notify: NotifyConfig
    owner: Callable[[], str]
    _: KW_ONLY
    retry_max_seconds: float = 60
    send: Sender = apprise_send

    def deliver_due(self, now: datetime, limit: int = 50) -> int:
        """Send what is due; returns how many were delivered.

        Rows are claimed one at a time, just before their send, so a claim lives only as long
        as one send: a process that dies while sending holds its row for CLAIM_SECONDS at most.
        """
        owner = self.owner()
        delivered = 0
        for _ in range(limit):
            with self.engine.begin() as conn:
                rows = claim_due_outbox(conn, owner, now, now + timedelta(seconds=CLAIM_SECONDS), 1)
            if not rows:
                break
            delivered += self._deliver(rows[0], owner, now)
        return delivered

    def _deliver(self, row: OutboxRow, owner: str, now: datetime) -> int:
        try:
            payload = json.loads(row.payload)
            title, body = str(payload["title"]), str(payload["body"])
        except (ValueError, KeyError, TypeError):
            with self.engine.begin() as conn:
                mark_failed(conn, row.id, owner, now, "unreadable payload")
            log.error("alert message %s: unreadable payload, given up", row.event_id)
            return 0
        if row.target == LOG_TARGET:
            log_send(row.audience, row.event_id, title, body)
            ok, error = True, ""
        else:
            url = self.notify.url_for(row.target)
            if url is None:
                with self.engine.begin() as conn:
                    mark_failed(conn, row.id, owner, now, "target no longer in the notify file")
                log.error(
                    "alert message %s to %s: its target is no longer in the notify file",
                    row.event_id,
                    row.audience,
                )
                return 0
            try:
                ok, error = self.send(url, title, body), "the receiver refused or did not answer"
            except Exception as exc:  # noqa: BLE001 - any failure of a plugin is a retry
                ok, error = False, exc.__class__.__name__
        with self.engine.begin() as conn:
            if ok:
                mark_sent(conn, row.id, owner, now)
                return 1
            if now - row.created_at > GIVE_UP_AFTER:
                mark_failed(conn, row.id, owner, now, "gave up after 48 h: " + error)
                log.error("alert message %s to %s given up", row.event_id, row.audience)
                return 0
            wait = backoff(row.attempts + 1, self.retry_max_seconds)
            mark_retry(conn, row.id, owner, now + wait, error)
        log.warning(
            "alert message %s to %s not delivered (attempt %d: %s); retry in %.0f s",
            row.event_id,
            row.audience,
            row.attempts + 1,
            error,
            wait.total_seconds(),
        )
        return 0
