"""Tickets and an app for the public endpoints' tests (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from dashboard.app import create_app
from dashboard.settings import Settings
from data_access.schema import ticket_events, tickets
from tests.support.db import insert_tickets, make_ticket

NOW = datetime.now(UTC).replace(microsecond=0)


def public_app(url: str, **extra: Any) -> Any:
    """The board's app on ``url``, no scheduled jobs."""
    values: dict[str, Any] = {
        "DATABASE_URL": url,
        "HOTLINE_SIMULATE": False,
        "HOTLINE_LOG_LEVEL": "WARNING",
        "HOTLINE_PUBLIC_RATE_LIMIT": "10000 per minute",
        "HOTLINE_GEOREPORT_RATE_LIMIT": "10000 per minute",
    }
    values.update(extra)
    return create_app(Settings(**values), start_jobs=False)


MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def _ticket(
    number: int,
    received_ago: timedelta,
    category: str | None,
    status: str,
    agency: str | None = None,
    **after_receipt: timedelta,
) -> dict[str, Any]:
    """Ticket 1022-261201-<number>, received ``received_ago`` before NOW; its other times
    (``forwarded_at=``, ``due_at=``...) given as how long after its receipt they are."""
    received = NOW - received_ago
    times = {column: received + delay for column, delay in after_receipt.items()}
    return make_ticket(
        code=f"1022-261201-{number:04d}",
        received_at=received,
        category=category,
        status=status,
        agency=agency,
        **times,
    )


def seed(engine: Engine) -> dict[str, dict[str, Any]]:
    """A handful of tickets of every kind, with history; returns them by code."""
    rows = [
        # number, received (before NOW), field, status, agency; then times after the receipt
        _ticket(1, 2 * DAY, "dien", "closed", "evn_hcmc",
                forwarded_at=20 * MINUTE, due_at=4 * HOUR, resolved_at=3 * HOUR, closed_at=DAY),
        _ticket(2, 5 * HOUR, "thoat_nuoc", "in_progress", "chong_ngap",
                forwarded_at=HOUR, due_at=4 * HOUR),
        _ticket(3, HOUR, "tham_nhung", "forwarded", "noi_chinh",
                forwarded_at=30 * MINUTE, due_at=10 * DAY + HOUR),
        {**_ticket(4, 10 * MINUTE, None, "received"), "urgency": None},  # not yet classified
        _ticket(5, 100 * DAY, "dien", "closed", "evn_hcmc", resolved_at=DAY, closed_at=DAY),
        _ticket(6, 3 * DAY, "xay_dung_dang", "closed", "vp_thanh_uy", closed_at=2 * DAY),
    ]  # fmt: skip
    insert_tickets(engine, rows)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(tickets.c.code, tickets.c.id)).all())
        events = []
        for row in rows:
            for status, at in (
                ("received", row["received_at"]),
                ("forwarded", row["forwarded_at"]),
                ("resolved", row["resolved_at"]),
                ("closed", row["closed_at"]),
            ):
                if at is not None:
                    events.append(
                        {
                            "ticket_id": ids[row["code"]],
                            "at": at,
                            "status": status,
                            "actor": "op01",
                            "note": "Ghi chú riêng tư 0909123456",
                        }
                    )
        events.append(
            {
                "ticket_id": ids["1022-261201-0002"],
                "at": NOW - timedelta(hours=2),
                "status": "in_progress",
                "actor": "op02",
                "note": None,
            }
        )
        conn.execute(ticket_events.insert(), events)
    return {row["code"]: row for row in rows}
