"""The evaluator: candidates in, alert transitions and notices out (pure, tested directly).

Lifecycle (as Grafana/Alertmanager): pending (while a rule's ``for`` runs) -> firing ->
acknowledged -> resolved (the condition stopped holding). One alert per rule and subject;
a candidate already alerting never opens a second alert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from dashboard.alerts.messages import Notice, audiences_of
from dashboard.alerts.rules import Rule
from data_access.alert_store import AlertRecord


@dataclass(frozen=True)
class Candidate:
    """Something a rule holds for: a ticket (subject = its code) or a group."""

    rule: str
    subject: str
    since: datetime
    tickets: tuple[str, ...] = ()
    agency: str | None = None
    urgency: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


# A provider of candidates for a hook rule (surge, screen_silent): now -> candidates.
Provider = Callable[[datetime], Sequence[Candidate]]


class ProviderUnavailable(Exception):
    """A provider has nothing to judge by yet (no live snapshot): the rule waits this time."""


def empty_provider(now: datetime) -> Sequence[Candidate]:
    """The default provider of a hook rule: nothing (``dashboard.alerts.providers`` wires the
    real ones)."""
    return ()


@dataclass
class Plan:
    """What one evaluation changes: new alerts, updates, resolutions, and whom to tell."""

    new: list[tuple[Candidate, str, bool]] = field(default_factory=list)  # state, escalated
    updates: list[tuple[AlertRecord, dict[str, Any], str | None]] = field(default_factory=list)
    resolved: list[AlertRecord] = field(default_factory=list)


def should_escalate(rule: Rule, urgency: int | None, since: datetime, now: datetime) -> bool:
    """Whether an alert of ``rule`` is escalated now (overdue too long, or urgent)."""
    esc = rule.escalate
    if esc is None:
        return False
    if esc.urgency_at_least is not None and urgency is not None and urgency >= esc.urgency_at_least:
        return True
    return esc.after_hours is not None and now - since >= timedelta(hours=esc.after_hours)


def plan_rule(
    rule: Rule, candidates: Sequence[Candidate], active: Sequence[AlertRecord], now: datetime
) -> Plan:
    """The transitions of one rule: what opens, fires, repeats, escalates and resolves."""
    plan = Plan()
    by_subject = {alert.subject: alert for alert in active if alert.rule == rule.name}
    seen: set[str] = set()
    hold = timedelta(seconds=rule.for_seconds)
    repeat = timedelta(hours=rule.repeat_hours)
    for candidate in candidates:
        if candidate.subject in seen:
            continue
        seen.add(candidate.subject)
        alert = by_subject.get(candidate.subject)
        if alert is None:
            firing = now - candidate.since >= hold
            escalated = firing and should_escalate(rule, candidate.urgency, candidate.since, now)
            plan.new.append((candidate, "firing" if firing else "pending", escalated))
            continue
        values: dict[str, Any] = {}
        kind: str | None = None
        if tuple(candidate.tickets) != alert.tickets or candidate.urgency != alert.urgency:
            values.update(tickets=candidate.tickets, urgency=candidate.urgency)
        if candidate.agency != alert.agency:
            values["agency"] = candidate.agency
        if alert.state == "pending":
            if now - alert.since >= hold:
                values.update(state="firing", fired_at=now)
                kind = "new"
                if should_escalate(rule, candidate.urgency, alert.since, now):
                    values.update(escalated=True, escalated_at=now)
                    kind = "escalation"
        else:
            if not alert.escalated and should_escalate(rule, candidate.urgency, alert.since, now):
                values.update(escalated=True, escalated_at=now)
                kind = "escalation"
            elif alert.state == "firing" and (
                alert.last_notified_at is None or now - alert.last_notified_at >= repeat
            ):
                kind = "repeat"
        if values or kind:
            plan.updates.append((alert, values, kind))
    for subject, alert in by_subject.items():
        if subject not in seen:
            plan.resolved.append(alert)
    return plan


def notices_by_audience(
    rule: Rule, records: Sequence[tuple[AlertRecord, str]]
) -> dict[str, list[Notice]]:
    """Group the alerts to tell about by concrete audience (escalations add leaders)."""
    grouped: dict[str, list[Notice]] = {}
    for record, kind in records:
        audiences = list(rule.audiences)
        if record.escalated and rule.escalate is not None:
            audiences += [a for a in rule.escalate.audiences if a not in audiences]
        for audience in audiences_of(record, audiences):
            grouped.setdefault(audience, []).append(Notice(record, kind))
    return grouped


def applied(alert: AlertRecord, values: Mapping[str, Any]) -> AlertRecord:
    """The record with ``values`` applied (what the message shows)."""
    fields = {
        key: value for key, value in values.items() if key in AlertRecord.__dataclass_fields__
    }
    if "tickets" in fields:
        fields["tickets"] = tuple(fields["tickets"])
    return replace(alert, **fields)
