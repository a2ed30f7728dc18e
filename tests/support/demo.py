"""Checks on demo history shared by the demo and simulator tests."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from data_access.codes import STATUSES
from data_access.reference import read_category_slas
from data_access.schema import ticket_events, tickets

ORDER = {status: index for index, status in enumerate(STATUSES)}


def read_all(engine: Engine) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """Every ticket row (by id) and the events of each ticket (in time order)."""
    with engine.connect() as conn:
        rows = [
            dict(row) for row in conn.execute(select(tickets).order_by(tickets.c.id)).mappings()
        ]
        events: dict[int, list[dict[str, Any]]] = defaultdict(list)
        query = select(ticket_events).order_by(
            ticket_events.c.ticket_id, ticket_events.c.at, ticket_events.c.id
        )
        for event in conn.execute(query).mappings():
            events[event["ticket_id"]].append(dict(event))
    return rows, events


def read_slas(engine: Engine) -> dict[str, tuple[str | None, int]]:
    """Default agency and SLA hours of each category."""
    with engine.connect() as conn:
        return read_category_slas(conn)


def assert_consistent(
    row: dict[str, Any],
    events: list[dict[str, Any]],
    now: datetime,
    slas: dict[str, tuple[str | None, int]],
) -> None:
    """A ticket's columns agree with its status and its events, and nothing lies after now."""
    status = row["status"]
    assert status in STATUSES
    stamps = [row[key] for key in ("received_at", "forwarded_at", "resolved_at", "closed_at")]
    assert all(stamp <= now for stamp in stamps if stamp is not None)
    if status == "received":
        assert row["category"] is None and row["urgency"] is None and row["due_at"] is None
    else:
        assert row["category"] in slas and row["urgency"] in (1, 2, 3, 4)
        assert row["due_at"] is not None
    if status in ("received", "classified"):
        assert row["forwarded_at"] is None
    if status in ("forwarded", "in_progress"):
        assert row["forwarded_at"] is not None
    assert (row["agency"] is None) == (row["forwarded_at"] is None)
    if row["forwarded_at"] is not None:
        agency, hours = slas[row["category"]]
        assert row["agency"] == agency
        assert row["due_at"] == row["forwarded_at"] + timedelta(hours=hours)
        assert row["received_at"] <= row["forwarded_at"]
    assert (row["resolved_at"] is not None) == (status in ("resolved", "closed"))
    assert (row["closed_at"] is not None) == (status == "closed")
    if row["resolved_at"] is not None:
        assert row["received_at"] <= row["resolved_at"]
        assert row["forwarded_at"] is None or row["forwarded_at"] <= row["resolved_at"]
    if row["closed_at"] is not None:
        assert row["resolved_at"] <= row["closed_at"]
    if row["satisfaction"] is not None:
        assert status == "closed" and 1 <= row["satisfaction"] <= 5

    assert events, f"{row['code']} has no events"
    assert events[0]["status"] == "received" and events[0]["at"] == row["received_at"]
    assert events[-1]["status"] == status
    positions = [ORDER[event["status"]] for event in events]
    assert positions == sorted(set(positions)), f"{row['code']}: {positions}"
    times = [event["at"] for event in events]
    assert times == sorted(times) and times[-1] <= now
    by_status = {event["status"]: event["at"] for event in events}
    assert by_status.get("forwarded") == row["forwarded_at"]
    assert by_status.get("resolved") == row["resolved_at"]
    assert by_status.get("closed") == row["closed_at"]
