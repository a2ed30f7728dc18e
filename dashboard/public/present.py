"""Public status in words: Open311 records and the citizens' page, from the same values.

Everything the page shows is also in the Open311 record of the same code (the
steps and the deadline are spelled out in ``status_notes``), so the page
reveals nothing that Open311 does not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.i18n import code_name, text
from data_access.codes import STATUSES
from data_access.public import PublicCategory, PublicTicket
from data_access.reference import Labels

# GeoReport v2 field order of a service and of a service request (as in the specification).
SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
)


def local_iso(at: datetime | None, zone: ZoneInfo) -> str | None:
    """W3C datetime with the local offset (``2026-12-01T09:00:00+07:00``)."""
    return None if at is None else at.astimezone(zone).isoformat(timespec="seconds")


def local_words(at: datetime, zone: ZoneInfo) -> str:
    """Local time as people read it (``01/12/2026 09:00``)."""
    local = at.astimezone(zone)  # formatted by hand: strftime is slow over 1,000 records
    return f"{local.day:02d}/{local.month:02d}/{local.year} {local.hour:02d}:{local.minute:02d}"


def deadline_state(ticket: PublicTicket, now: datetime) -> str:
    """met, missed (handled late), overdue (open past the deadline), pending, or none."""
    if ticket.due_at is None:
        return "none"
    handled = ticket.resolved_at or ticket.closed_at
    if handled is not None:
        return "met" if handled <= ticket.due_at else "missed"
    if not ticket.is_open:
        return "met"  # closed without a recorded time: nothing says it was late
    return "overdue" if now > ticket.due_at else "pending"


def _name(names: dict[str, Labels], kind: str, code: str | None, lang: str) -> str:
    if code is None:
        return ""
    labels = names.get(kind)
    if labels is None:
        return code if kind != "areas" else ""
    found = (labels.en if lang == "en" else labels.vi).get(code)
    # A ward is free text from the intake system: only a known one is shown.
    return found if found is not None else ("" if kind == "areas" else code)


@functools.cache
def _step_label(lang: str, status: str) -> str:
    """The name of a step (a pure lookup of the catalogue, cached: 1,000 records a list)."""
    return text(lang, f"public.step.{status}")


def status_notes(
    ticket: PublicTicket, names: dict[str, Labels], lang: str, zone: ZoneInfo, now: datetime
) -> str:
    """The handling status in words, the agency, each step's time and the deadline."""
    parts = [code_name(lang, "status", ticket.status)]
    agency = _name(names, "agencies", ticket.agency, lang)
    if agency:
        parts.append(text(lang, "public.notes.agency", agency=agency))
    steps = "; ".join(
        f"{_step_label(lang, step.status)} {local_words(step.at, zone)}" for step in ticket.steps
    )
    if steps:
        parts.append(steps)
    if ticket.due_at is not None:
        state = text(lang, f"public.deadline.{deadline_state(ticket, now)}")
        parts.append(
            text(lang, "public.notes.deadline", time=local_words(ticket.due_at, zone), state=state)
        )
    return ". ".join(parts) + "."


def service_record(category: PublicCategory, lang: str) -> dict[str, Any]:
    """A GeoReport service (a field of the hotline): no attributes, realtime."""
    name = category.name_en if lang == "en" else category.name_vi
    return {
        "service_code": category.code,
        "service_name": name,
        "description": name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


def request_record(
    ticket: PublicTicket, names: dict[str, Labels], lang: str, zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """A GeoReport service request; a protected ticket keeps only its status and dates."""
    return {
        "service_request_id": ticket.code,
        "status": "open" if ticket.is_open else "closed",
        "status_notes": status_notes(ticket, names, lang, zone, now),
        "service_name": _name(names, "categories", ticket.category, lang),
        "service_code": ticket.category or "",
        "description": "",  # the content is personal data
        "agency_responsible": _name(names, "agencies", ticket.agency, lang),
        "service_notice": "",
        "requested_datetime": local_iso(ticket.received_at, zone),
        "updated_datetime": local_iso(ticket.updated_at, zone),
        "expected_datetime": local_iso(ticket.due_at, zone),
        "address": _name(names, "areas", ticket.area, lang),
    }


@dataclass(frozen=True)
class StepView:
    """One step of the path on the citizens' page."""

    label: str
    detail: str  # the field of "classified", the agency of "forwarded" (empty when protected)
    time: str  # empty when not reached
    reached: bool
    current: bool


@dataclass(frozen=True)
class TrackView:
    """What the citizens' page shows of one report."""

    code: str
    status: str
    protected: bool
    field: str
    agency: str
    ward: str
    deadline: str
    deadline_state: str  # met, missed, overdue, pending, none
    deadline_words: str
    updated: str
    steps: tuple[StepView, ...]


def track_view(
    ticket: PublicTicket, names: dict[str, Labels], lang: str, zone: ZoneInfo, now: datetime
) -> TrackView:
    """The citizens' page of a report: the path through every status, reached or not."""
    reached = {step.status: step.at for step in ticket.steps}
    field = _name(names, "categories", ticket.category, lang)
    agency = _name(names, "agencies", ticket.agency, lang)
    details = {"classified": field, "forwarded": agency}
    # Every status up to the current one has been passed, even when its time is not known.
    current = STATUSES.index(ticket.status) if ticket.status in STATUSES else -1
    steps = tuple(
        StepView(
            label=_step_label(lang, status),
            detail=details.get(status, "") if index <= current or status in reached else "",
            time=local_words(reached[status], zone) if status in reached else "",
            reached=index <= current or status in reached,
            current=index == current,
        )
        for index, status in enumerate(STATUSES)
    )
    state = deadline_state(ticket, now)
    return TrackView(
        code=ticket.code,
        status=code_name(lang, "status", ticket.status),
        protected=ticket.protected,
        field=field,
        agency=agency,
        ward=_name(names, "areas", ticket.area, lang),
        deadline=local_words(ticket.due_at, zone) if ticket.due_at else "",
        deadline_state=state,
        deadline_words=text(lang, f"public.deadline.{state}"),
        updated=local_words(ticket.updated_at, zone),
        steps=steps,
    )
