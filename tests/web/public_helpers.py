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
PERSONAL_MARKERS = ("Nguyễn Văn Riêng", "0909123456", "rieng@example.vn", "Nội dung riêng tư")


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


def seed(engine: Engine) -> dict[str, dict[str, Any]]:
    """A handful of tickets of every kind, with history; returns them by code."""
    rows = [
        make_ticket(
            code="1022-261201-0001",
            received_at=NOW - timedelta(days=2),
            category="dien",
            status="closed",
            agency="evn_hcmc",
            forwarded_at=NOW - timedelta(days=2) + timedelta(minutes=20),
            due_at=NOW - timedelta(days=2) + timedelta(hours=4),
            resolved_at=NOW - timedelta(days=2) + timedelta(hours=3),
            closed_at=NOW - timedelta(days=1),
        ),
        make_ticket(
            code="1022-261201-0002",
            received_at=NOW - timedelta(hours=5),
            category="thoat_nuoc",
            status="in_progress",
            agency="chong_ngap",
            forwarded_at=NOW - timedelta(hours=4),
            due_at=NOW - timedelta(hours=1),
        ),
        make_ticket(
            code="1022-261201-0003",
            received_at=NOW - timedelta(hours=1),
            category="tham_nhung",
            status="forwarded",
            agency="noi_chinh",
            forwarded_at=NOW - timedelta(minutes=30),
            due_at=NOW + timedelta(days=10),
        ),
        make_ticket(
            code="1022-261201-0004",
            received_at=NOW - timedelta(minutes=10),
            category=None,
            urgency=None,
            status="received",
        ),
        make_ticket(
            code="1022-261201-0005",
            received_at=NOW - timedelta(days=100),
            category="dien",
            status="closed",
            agency="evn_hcmc",
            resolved_at=NOW - timedelta(days=99),
            closed_at=NOW - timedelta(days=99),
        ),
        make_ticket(
            code="1022-261201-0006",
            received_at=NOW - timedelta(days=3),
            category="xay_dung_dang",
            status="closed",
            agency="vp_thanh_uy",
            closed_at=NOW - timedelta(days=1),
        ),
    ]
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
