"""Grouped messages: one per audience per evaluation, with a stable event id.

Content: ticket codes, field, level, agency, how long overdue and a link to the ticket on
the board; never personal data (alerts hold codes and reference codes only).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from dashboard.formatting import format_clock, format_duration
from dashboard.i18n import text
from data_access.alert_store import AlertRecord
from data_access.reference import Labels

KINDS: tuple[str, ...] = ("new", "repeat", "escalation")
# A message lists at most this many alerts; the rest are counted (a chat message has limits).
MAX_LINES = 60
# Rules about no ticket: a surge of a field, a silent wall screen (operations intelligence).
INTELLIGENCE_RULES: tuple[str, ...] = ("surge", "screen_silent")
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Notice:
    """One alert to tell an audience about, and why now."""

    alert: AlertRecord
    kind: str  # new, repeat, escalation


@dataclass(frozen=True)
class Message:
    """A message to one audience."""

    event_id: str
    audience: str
    title: str
    body: str
    alert_ids: tuple[int, ...]

    def payload(self) -> str:
        """What the outbox stores."""
        return json.dumps(
            {
                "event_id": self.event_id,
                "title": self.title,
                "body": self.body,
                "alerts": list(self.alert_ids),
            },
            ensure_ascii=False,
        )


def event_id_for(audience: str, evaluated_at: datetime, notices: Sequence[Notice]) -> str:
    """A stable id: the same audience, evaluation and alerts always give the same id."""
    parts = [audience, evaluated_at.isoformat()]
    parts += sorted(f"{n.alert.id}:{n.kind}:{n.alert.notifications}" for n in notices)
    return "hl-" + hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:24]


def _name(names: Mapping[str, Labels], kind: str, code: str | None, lang: str) -> str:
    if not code:
        return "—"
    labels = names.get(kind)
    if labels is None:
        return code
    return (labels.en if lang == "en" else labels.vi).get(code, code)


def ticket_link(base_url: str, code: str) -> str:
    """The ticket's page on the board (its alerts, by code)."""
    return f"{base_url.rstrip('/')}/alerts?ticket={quote(code, safe='')}"


def describe_intelligence(
    alert: AlertRecord, now: datetime, lang: str, names: Mapping[str, Labels], zone: ZoneInfo
) -> str | None:
    """The line of a surge (the wall's banner line) or of a silent screen; None when the
    alert does not carry their figures (another provider's, with a label of its own)."""
    detail = alert.detail_value()
    if alert.rule == "surge" and "count" in detail:
        where = _name(names, "categories", str(detail.get("category") or ""), lang)
        if detail.get("area"):
            where += " · " + _name(names, "areas", str(detail["area"]), lang)
        return text(
            lang,
            "intel.incident.line",
            where=where,
            count=detail["count"],
            minutes=detail.get("minutes", "?"),
            multiple=detail.get("multiple", "?"),
        )
    last = detail.get("last_poll")
    if alert.rule != "screen_silent" or not isinstance(last, str):
        return None
    last_poll = datetime.fromisoformat(last)
    minutes = int((now - last_poll).total_seconds() // 60)
    return text(
        lang,
        "intel.alert.screen_line",
        name=str(detail.get("screen") or alert.subject),
        since=format_clock(last_poll, zone, seconds=False),
        duration=format_duration(minutes, lang),
    )


def describe(
    alert: AlertRecord,
    now: datetime,
    lang: str,
    names: Mapping[str, Labels],
    base_url: str,
    zone: ZoneInfo = UTC_ZONE,
) -> str:
    """One line of a message about an alert (codes and reference names only)."""
    if alert.rule in INTELLIGENCE_RULES:
        line = describe_intelligence(alert, now, lang, names, zone)
        if line is not None:
            return line
    detail = alert.detail_value()
    parts: list[str] = []
    if alert.tickets:
        parts.append(", ".join(alert.tickets[:5]) + (" …" if len(alert.tickets) > 5 else ""))
    elif detail.get("label"):
        parts.append(str(detail["label"])[:200])
    if detail.get("category"):
        parts.append(_name(names, "categories", str(detail["category"]), lang))
    if alert.urgency is not None:
        parts.append(text(lang, "alert.level", level=alert.urgency))
    if alert.agency:
        parts.append(_name(names, "agencies", alert.agency, lang))
    due = detail.get("due_at")
    if alert.rule == "overdue" and isinstance(due, str):
        minutes = int((now - datetime.fromisoformat(due)).total_seconds() // 60)
        parts.append(text(lang, "alert.overdue_for", duration=format_duration(minutes, lang)))
    elif alert.rule == "awaiting_forward":
        received = detail.get("received_at")
        start = datetime.fromisoformat(received) if isinstance(received, str) else alert.since
        minutes = int((now - start).total_seconds() // 60)
        parts.append(text(lang, "alert.waiting_for", duration=format_duration(minutes, lang)))
    if alert.escalated:
        parts.append(text(lang, "alert.escalated"))
    line = " · ".join(parts)
    if alert.tickets:
        line += " — " + ticket_link(base_url, alert.tickets[0])
    return line


def build_message(
    audience: str,
    notices: Sequence[Notice],
    *,
    evaluated_at: datetime,
    lang: str,
    names: Mapping[str, Labels],
    base_url: str,
    ack_url: Callable[[Sequence[int], str], str] | None = None,
    zone: ZoneInfo = UTC_ZONE,
) -> Message:
    """The one message of an evaluation to an audience."""
    event_id = event_id_for(audience, evaluated_at, notices)
    ordered = sorted(
        notices,
        key=lambda n: (KINDS.index(n.kind) * -1, n.alert.rule, n.alert.since, n.alert.id),
    )
    kind = (
        "escalation"
        if any(n.kind == "escalation" for n in notices)
        else ("new" if any(n.kind == "new" for n in notices) else "repeat")
    )
    rules = sorted({n.alert.rule for n in notices})
    kind_text = text(lang, f"alert.kind.{kind}")
    if audience.startswith("agency:") and rules == ["overdue"]:
        agency = _name(names, "agencies", audience.partition(":")[2], lang)
        title = text(lang, "alert.title.agency", kind=kind_text, count=len(notices), agency=agency)
    else:
        rule_names = ", ".join(text(lang, f"alert.rule.{rule}") for rule in rules)
        title = text(lang, "alert.title", kind=kind_text, rule=rule_names, count=len(notices))
    lines = []
    for rule in rules:
        lines.append(text(lang, f"alert.rule.{rule}") + ":")
        for notice in (n for n in ordered if n.alert.rule == rule):
            if len(lines) >= MAX_LINES:
                break
            line = describe(notice.alert, evaluated_at, lang, names, base_url, zone)
            lines.append("• " + line)
    shown = sum(1 for line in lines if line.startswith("• "))
    if shown < len(notices):
        lines.append(text(lang, "alert.more", count=len(notices) - shown))
    alert_ids = tuple(sorted({n.alert.id for n in notices}))
    if ack_url is not None:
        lines.append("")
        lines.append(text(lang, "alert.ack_link", url=ack_url(alert_ids, audience)))
    lines.append(text(lang, "alert.event_id", event_id=event_id))
    return Message(event_id, audience, title, "\n".join(lines), alert_ids)


def audiences_of(alert: AlertRecord, audiences: Sequence[str]) -> tuple[str, ...]:
    """The concrete audiences of an alert (``agency`` becomes ``agency:<code>``)."""
    result: list[str] = []
    for audience in audiences:
        if audience == "agency":
            if alert.agency:
                result.append(f"agency:{alert.agency}")
        elif audience not in result:
            result.append(audience)
    return tuple(result)
