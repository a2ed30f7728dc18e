"""What the screens show of an alert: plain values (no SQLAlchemy), built from the records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dashboard.formatting import format_duration
from dashboard.i18n import text

# A new alert of these kinds chimes on a wall started with ?sound=1.
CHIME_RULES: tuple[str, ...] = ("level4",)

if TYPE_CHECKING:  # the view stays free of SQLAlchemy: layouts import this module
    from data_access.alert_store import AlertRecord


@dataclass(frozen=True)
class AlertItem:
    """One alert as a screen shows it."""

    id: int
    rule: str
    rule_label: str
    state: str
    state_label: str
    escalated: bool
    agency_label: str
    tickets_text: str
    level: int | None
    age_text: str
    acked_text: str


@dataclass(frozen=True)
class AlertsView:
    """The active alerts of a screen, unacknowledged first, and the chime token."""

    items: tuple[AlertItem, ...]
    unacknowledged: int
    chime: str  # the level-4 and escalated alerts (ids): a new one chimes


def make_alerts_view(
    alerts: Sequence[AlertRecord],
    now: datetime,
    lang: str,
    agency_names: Mapping[str, str],
    zone: ZoneInfo,
) -> AlertsView:
    """The screen's view of the active alerts (already in display order)."""
    items = []
    chime_ids = []
    for alert in alerts:
        if alert.escalated or alert.rule in CHIME_RULES:
            chime_ids.append(f"{alert.id}{'e' if alert.escalated else ''}")
        minutes = int((now - alert.since).total_seconds() // 60)
        acked = ""
        if alert.acknowledged_by and alert.acknowledged_at:
            acked = text(
                lang,
                "alert.acked_by",
                name=alert.acknowledged_by,
                time=alert.acknowledged_at.astimezone(zone).strftime("%H:%M"),
            )
        tickets = ", ".join(alert.tickets[:3]) + (" …" if len(alert.tickets) > 3 else "")
        if not alert.tickets and alert.rule == "screen_silent":
            tickets = alert.subject  # which screen (a surge's field is on the wall's banner)
        items.append(
            AlertItem(
                id=alert.id,
                rule=alert.rule,
                rule_label=text(lang, f"alert.rule.{alert.rule}"),
                state=alert.state,
                state_label=text(lang, f"alert.state.{alert.state}"),
                escalated=alert.escalated,
                agency_label=agency_names.get(alert.agency or "", alert.agency or ""),
                tickets_text=tickets,
                level=alert.urgency,
                age_text=format_duration(max(0, minutes), lang),
                acked_text=acked,
            )
        )
    unacked = sum(1 for item in items if item.state != "acknowledged")
    return AlertsView(tuple(items), unacked, ",".join(sorted(chime_ids)))
