"""The alert service: evaluates the rules, writes alerts and their outbox in one transaction,
delivers, watches the board's own database access (``board_stale``) and serves the surfaces.

One process evaluates and delivers: the holder of the snapshot lease (in one process
without Redis, the process itself). Screens and the API read the active alerts from a copy
refreshed at most once per interval, so the database work does not follow the viewers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from dashboard.alerts.delivery import Deliverer, apprise_send, backoff, log_send
from dashboard.alerts.evaluate import (
    Candidate,
    Provider,
    ProviderUnavailable,
    applied,
    empty_provider,
    notices_by_audience,
    plan_rule,
)
from dashboard.alerts.links import AckLinks
from dashboard.alerts.messages import Message, Notice, build_message
from dashboard.alerts.notify import LOG_TARGET, NotifyConfig
from dashboard.alerts.rules import PROVIDED_RULES, Rule, RuleSet
from dashboard.service import SnapshotService
from dashboard.settings import Settings
from dashboard.shifts import utc_now
from data_access.alert_store import (
    AlertRecord,
    NewAlert,
    NewOutboxRow,
    TicketCandidate,
    acknowledge_alerts,
    insert_alerts,
    insert_outbox,
    list_active_alerts,
    list_alert_history,
    list_awaiting_forward_candidates,
    list_level4_candidates,
    list_overdue_candidates,
    read_alerts,
    record_events,
    update_alerts,
)
from data_access.reference import Labels, read_names

log = logging.getLogger(__name__)

TICKET_RULES: tuple[str, ...] = ("overdue", "awaiting_forward", "level4")
# At most this many tickets per rule and evaluation (a backlog beyond is logged, not dropped
# silently: the next evaluations pick the rest up as the first ones resolve).
MAX_CANDIDATES = 5000
# PostgreSQL: evaluations of two processes (a lease changing hands) never interleave.
ADVISORY_LOCK = 1022_0009


def ticket_candidates(
    rule: str, rows: Sequence[TicketCandidate], intake_limit: timedelta
) -> list[Candidate]:
    """Candidates of a ticket rule, one per ticket (subject = the ticket's code).

    ``since`` is when the rule started to hold: the deadline (overdue), the end of the
    intake limit (awaiting forward), the arrival (level 4).
    """
    result = []
    for row in rows:
        if rule == "overdue" and row.due_at is not None:
            since = row.due_at
        elif rule == "awaiting_forward":
            since = row.received_at + intake_limit
        else:
            since = row.received_at
        detail = {
            "category": row.category,
            "status": row.status,
            "received_at": row.received_at.isoformat(),
        }
        if row.due_at is not None:
            detail["due_at"] = row.due_at.isoformat()
        result.append(
            Candidate(
                rule=rule,
                subject=row.code,
                since=since,
                tickets=(row.code,),
                agency=row.agency,
                urgency=row.urgency,
                detail=detail,
            )
        )
    return result


@dataclass
class StaleState:
    """board_stale lives in memory: it must be sent while the database is down."""

    firing_since: datetime | None = None
    last_sent_at: datetime | None = None
    pending: list[tuple[str, str, str, str, int, float]] | None = None  # target, title...


class AlertService:
    """Owns the rules, the notify targets, the writer engine and the active-alert copy."""

    def __init__(
        self,
        settings: Settings,
        snapshots: SnapshotService,
        rules: RuleSet,
        notify: NotifyConfig,
        engine: Engine,
        links: AckLinks,
        *,
        is_leader: Callable[[], bool] = lambda: True,
        owner: Callable[[], str] = lambda: "local",
        providers: Mapping[str, Provider] | None = None,
        send: Callable[[str, str, str], bool] = apprise_send,
    ) -> None:
        self.settings = settings
        self.snapshots = snapshots
        self.rules = rules
        self.notify = notify
        self.engine = engine
        self.links = links
        self.is_leader = is_leader
        self.owner = owner
        self.providers: dict[str, Provider] = {name: empty_provider for name in PROVIDED_RULES}
        self.providers.update(providers or {})
        self.send = send
        self.deliverer = Deliverer(
            engine,
            notify,
            owner,
            retry_max_seconds=settings.alert_retry_max_seconds,
            send=lambda url, title, body: self.send(url, title, body),
        )
        self.english = {
            item.strip() for item in settings.alert_english_audiences.split(",") if item.strip()
        }
        self._lock = threading.Lock()
        self._cache: tuple[float, tuple[AlertRecord, ...]] | None = None
        self._cache_lock = threading.Lock()
        # The last read of the active alerts failed: what screens show is the last known.
        self.read_failed = False
        self.stale = StaleState(pending=[])
        self.evaluations = 0
        self._evaluated: tuple[datetime | None, datetime | None] = (None, None)

    # --- providers (dashboard.alerts.providers: the surges and the screen registry) --------
    def set_provider(self, rule: str, provider: Provider) -> None:
        """Give a hook rule (surge, screen_silent) its candidates."""
        if rule not in PROVIDED_RULES:
            raise ValueError(f"{rule!r} takes no provider (hooks: {', '.join(PROVIDED_RULES)})")
        self.providers[rule] = provider

    # --- evaluation ------------------------------------------------------------------------
    def lang_for(self, audience: str) -> str:
        """The language of an audience's messages."""
        return "en" if audience in self.english else "vi"

    def read_candidates(
        self, now: datetime
    ) -> tuple[dict[str, list[Candidate]], dict[str, Labels]]:
        """Candidates of every enabled rule: tickets from the board's read-only engine."""
        cutoff = now - timedelta(minutes=self.settings.intake_limit_minutes)
        result: dict[str, list[Candidate]] = {}
        with self.snapshots.engine.connect() as conn:
            names = read_names(conn)
            for rule in self.rules.enabled():
                rows: Sequence[TicketCandidate]
                if rule.name == "overdue":
                    rows = list_overdue_candidates(conn, now, MAX_CANDIDATES)
                elif rule.name == "awaiting_forward":
                    rows = list_awaiting_forward_candidates(conn, cutoff, MAX_CANDIDATES)
                elif rule.name == "level4":
                    rows = list_level4_candidates(conn, MAX_CANDIDATES)
                else:
                    continue
                if len(rows) >= MAX_CANDIDATES:
                    log.warning("alert rule %s: more than %d tickets", rule.name, MAX_CANDIDATES)
                result[rule.name] = ticket_candidates(rule.name, rows, now - cutoff)
        for name in PROVIDED_RULES:
            if self.rules.get(name) is not None:
                try:
                    result[name] = list(self.providers[name](now))
                except ProviderUnavailable as exc:
                    log.debug("alert provider %s: %s", name, exc)
                except Exception as exc:  # noqa: BLE001 - a hook must not stop the others
                    log.error("alert provider %s failed: %s", name, exc.__class__.__name__)
        return result, names

    def evaluate(self, now: datetime | None = None) -> int:
        """One evaluation: transitions and their outbox rows in one transaction; rows queued."""
        now = now or utc_now()
        candidates, names = self.read_candidates(now)
        queued = 0
        with self._lock, self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
            active = list_active_alerts(conn)
            for rule in self.rules.enabled():
                if rule.name not in candidates:
                    continue  # board_stale (in memory), or a provider that failed this time
                queued += self._apply(conn, rule, candidates[rule.name], active, now, names)
        self.evaluations += 1
        self.invalidate()
        return queued

    def _apply(
        self,
        conn: Any,
        rule: Rule,
        candidates: Sequence[Candidate],
        active: Sequence[AlertRecord],
        now: datetime,
        names: Mapping[str, Labels],
    ) -> int:
        plan = plan_rule(rule, candidates, active, now)
        told: list[tuple[AlertRecord, str]] = []
        opened = insert_alerts(
            conn,
            rule.name,
            [
                NewAlert(
                    rule=rule.name,
                    subject=candidate.subject,
                    state=state,
                    agency=candidate.agency,
                    urgency=candidate.urgency,
                    tickets=tuple(candidate.tickets),
                    detail=dict(candidate.detail),
                    since=candidate.since,
                    escalated=escalated,
                )
                for candidate, state, escalated in plan.new
            ],
            now,
        )
        for record in opened:
            if record.state == "firing":
                told.append((record, "escalation" if record.escalated else "new"))
        changes: list[tuple[int, dict[str, Any]]] = []
        events: list[tuple[int, datetime, str, str]] = []
        for alert, values, kind in plan.updates:
            if kind is not None:
                values = {
                    **values,
                    "last_notified_at": now,
                    "notifications": alert.notifications + 1,
                }
                events.append(
                    (alert.id, now, {"new": "fired", "repeat": "repeated"}.get(kind, kind), "")
                )
                told.append((applied(alert, values), kind))
            changes.append((alert.id, values))
        for alert in plan.resolved:
            changes.append((alert.id, {"state": "resolved", "resolved_at": now}))
            events.append((alert.id, now, "resolved", ""))
        update_alerts(conn, changes)
        record_events(conn, events)
        rows: list[NewOutboxRow] = []
        for audience, notices in notices_by_audience(rule, told).items():
            message = self._message(audience, notices, now, names)
            rows += self._outbox_rows(message)
        return insert_outbox(conn, rows, now)

    def _message(
        self, audience: str, notices: Sequence[Notice], now: datetime, names: Mapping[str, Labels]
    ) -> Message:
        return build_message(
            audience,
            notices,
            evaluated_at=now,
            lang=self.lang_for(audience),
            names=names,
            base_url=self.settings.public_base_url,
            ack_url=self.ack_url,
            zone=self.settings.zone,
        )

    def _outbox_rows(self, message: Message) -> list[NewOutboxRow]:
        targets = self.notify.targets(message.audience)
        if self.notify.configured and targets == (LOG_TARGET,):
            log.warning(
                "no notify URL for %s in the notify file: message %s goes to the log",
                message.audience,
                message.event_id,
            )
        payload = message.payload()
        return [NewOutboxRow(message.event_id, message.audience, t, payload) for t in targets]

    def ack_url(self, alert_ids: Sequence[int], audience: str) -> str:
        """The signed, expiring acknowledge link of some alerts."""
        token = self.links.token(alert_ids, audience)
        return f"{self.settings.public_base_url.rstrip('/')}/alerts/ack/{token}"

    # --- the scheduled work ----------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> None:
        """The job of every second: the lease holder evaluates after each new snapshot (at the
        snapshot's instant, so alerts and tiles agree; at least once an interval) and delivers."""
        if not self.is_leader():
            return
        now = now or utc_now()
        self.check_stale(now)
        at = self.evaluation_due(now)
        if at is not None:
            self._evaluated = (at, now)
            try:
                self.evaluate(at)
            except Exception as exc:  # noqa: BLE001 - the database may be down: retried later
                log.error("alert evaluation failed: %s", str(exc).splitlines()[0][:200])
        self.deliver(now)

    def evaluation_due(self, now: datetime) -> datetime | None:
        """The instant to evaluate at now, or None: a new snapshot's, else now once an interval."""
        interval = timedelta(seconds=self.settings.refresh_seconds)
        last = self.snapshots.state.last_success
        done_for, done_at = self._evaluated
        if last is not None and last != done_for and timedelta(0) <= now - last < interval:
            return last
        if done_at is None or now - done_at >= interval:
            return now
        return None

    def deliver(self, now: datetime | None = None) -> int:
        """Deliver due outbox rows (lease holder only); the in-memory stale messages too."""
        if not self.is_leader():
            return 0
        now = now or utc_now()
        self._deliver_stale(now)
        try:
            return self.deliverer.deliver_due(now)
        except Exception as exc:  # noqa: BLE001
            log.error("alert delivery failed: %s", str(exc).splitlines()[0][:200])
            return 0

    # --- board_stale: without the database -------------------------------------------------
    def check_stale(self, now: datetime) -> None:
        """Fire board_stale after ``intervals`` refresh intervals without the database."""
        rule = self.rules.get("board_stale")
        if rule is None:
            return
        failing = self.snapshots.state.failing_since
        limit = timedelta(seconds=self.settings.refresh_seconds * rule.intervals)
        state = self.stale
        if failing is not None and now - failing >= limit:
            repeat = timedelta(hours=rule.repeat_hours)
            if state.firing_since is None or (
                state.last_sent_at is not None and now - state.last_sent_at >= repeat
            ):
                state.firing_since = state.firing_since or failing
                state.last_sent_at = now
                self._queue_stale(rule, now, failing, resolved=False)
        elif failing is None and state.firing_since is not None:
            state.firing_since = None
            state.last_sent_at = None
            self._queue_stale(rule, now, now, resolved=True)

    def _queue_stale(self, rule: Rule, now: datetime, since: datetime, *, resolved: bool) -> None:
        from dashboard.formatting import format_clock, format_duration
        from dashboard.i18n import text

        event_id = f"hl-stale-{int(since.timestamp())}-{'r' if resolved else int(now.timestamp())}"
        for audience in rule.audiences:
            lang = self.lang_for(audience)
            title = "[1022] " + text(lang, "alert.rule.board_stale")
            minutes = int((now - since).total_seconds() // 60)
            body = (
                text(lang, "alert.stale_resolved")
                if resolved
                else text(
                    lang,
                    "alert.stale_body",
                    since=format_clock(since, self.settings.zone, seconds=False),
                    duration=format_duration(minutes, lang),
                )
            )
            body += "\n" + text(lang, "alert.event_id", event_id=event_id)
            assert self.stale.pending is not None
            for target in self.notify.targets(audience):
                self.stale.pending.append((target, audience, title, body, 0, 0.0))
            log.warning("board_stale %s: %s", "resolved" if resolved else "firing", event_id)

    def _deliver_stale(self, now: datetime) -> None:
        pending = self.stale.pending or []
        keep = []
        clock = time.monotonic()
        for target, audience, title, body, attempts, not_before in pending:
            if clock < not_before:
                keep.append((target, audience, title, body, attempts, not_before))
                continue
            ok = True
            if target == LOG_TARGET:
                log_send(audience, "board_stale", title, body)
            else:
                url = self.notify.url_for(target)
                try:
                    ok = url is not None and self.send(url, title, body)
                except Exception:  # noqa: BLE001
                    ok = False
            if not ok:
                wait = backoff(attempts + 1, self.settings.alert_retry_max_seconds)
                keep.append(
                    (target, audience, title, body, attempts + 1, clock + wait.total_seconds())
                )
        self.stale.pending = keep

    # --- surfaces --------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget the copy of the active alerts (after an evaluation or an acknowledgement)."""
        with self._cache_lock:
            self._cache = None

    def active(self) -> tuple[AlertRecord, ...]:
        """Active alerts, unacknowledged first, escalations first; read once per interval."""
        clock = time.monotonic()
        with self._cache_lock:
            cached = self._cache
            if cached is not None and clock - cached[0] < self.settings.refresh_seconds:
                return cached[1]
        try:
            with self.engine.connect() as conn:
                records = list_active_alerts(conn)
        except Exception as exc:  # noqa: BLE001 - a surface shows the last known alerts
            log.error("reading the active alerts failed: %s", exc.__class__.__name__)
            self.read_failed = True
            return cached[1] if cached is not None else ()
        self.read_failed = False
        ordered = tuple(sorted(records, key=sort_key))
        with self._cache_lock:
            self._cache = (clock, ordered)
        return ordered

    def stale_alert(self) -> datetime | None:
        """Since when board_stale fires in this process (None when it does not)."""
        return self.stale.firing_since

    def acknowledge(
        self, alert_ids: Sequence[int], by: str, now: datetime | None = None
    ) -> tuple[int, ...]:
        """Acknowledge alerts by a named person; returns the ids that changed."""
        now = now or utc_now()
        with self.engine.begin() as conn:
            changed = acknowledge_alerts(conn, alert_ids, by, now)
        self.invalidate()
        return changed

    def history(self, **filters: Any) -> tuple[AlertRecord, ...]:
        """Alerts with filters (rule, state, agency, ticket, start, end), newest first."""
        with self.engine.connect() as conn:
            return list_alert_history(conn, **filters)

    def alerts(self, alert_ids: Sequence[int]) -> tuple[AlertRecord, ...]:
        """Alerts by id."""
        with self.engine.connect() as conn:
            return read_alerts(conn, alert_ids)

    def close(self) -> None:
        """Release the writer engine's pool."""
        self.engine.dispose()


def sort_key(alert: AlertRecord) -> tuple[int, int, float, int]:
    """Unacknowledged first, then escalations, then the oldest."""
    return (
        0 if alert.state == "firing" else 1 if alert.state == "pending" else 2,
        0 if alert.escalated else 1,
        alert.since.timestamp(),
        alert.id,
    )
