"""Alerts end to end on SQLite and PostgreSQL, delivered to a real SMTP server and a real
HTTP receiver (Apprise ``mailto://`` and ``json://``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from dashboard.alerts.service import AlertService
from dashboard.alerts.web import build_alert_service, start_alert_jobs
from dashboard.service import SnapshotService
from dashboard.settings import Settings
from data_access.alert_store import list_outbox
from data_access.schema import tickets
from tests.db.alert_receivers import HttpReceiver, SmtpReceiver, notifying_settings, wait_for
from tests.support.db import PERSONAL_MARKERS, insert_tickets, make_ticket, overdue_ticket

AGENCY_MAIL = "dau-moi@soxaydung.example"


class _App:
    """Just enough of an app for build_alert_service (no login: no users file)."""

    def __init__(self) -> None:
        from flask import Flask

        self.server = Flask(__name__)
        from dashboard.auth import AccessControl

        self.server.config["HOTLINE_ACCESS"] = AccessControl(Settings(), None)


@pytest.fixture
def receivers() -> Iterator[tuple[HttpReceiver, SmtpReceiver]]:
    """An HTTP receiver and an SMTP server, both running."""
    http = HttpReceiver()
    http.start()
    smtp = SmtpReceiver()
    smtp.start()
    yield http, smtp
    http.stop()
    smtp.stop()


def _settings(
    database_url: str, tmp_path: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> Settings:
    notify = {
        "supervisors": [http.url("supervisors")],
        "leaders": [http.url("leaders")],
        "operations": [http.url("operations")],
        "agencies": {"so_xay_dung": [smtp.url(AGENCY_MAIL)], "so_y_te": [http.url("so_y_te")]},
    }
    return notifying_settings(database_url, tmp_path / "notify.json", notify)


@pytest.fixture
def alerting(
    database_url: str, tmp_path: Path, receivers: tuple[HttpReceiver, SmtpReceiver]
) -> Iterator[AlertService]:
    """The alert service of a board on the test database (jobs not started)."""
    http, smtp = receivers
    settings = _settings(database_url, tmp_path, http, smtp)
    snapshots = SnapshotService(settings)
    service = build_alert_service(_App(), settings, snapshots)  # type: ignore[arg-type]
    yield service
    service.close()
    snapshots.engine.dispose()


def _overdue(code: str, agency: str, due_at: datetime, urgency: int = 2) -> dict[str, object]:
    return overdue_ticket(
        code,
        agency,
        forwarded_at=due_at - timedelta(hours=71),
        due_at=due_at,
        category="trat_tu_do_thi",
        urgency=urgency,
        received_at=due_at - timedelta(hours=72),
    )


def _evaluate_and_deliver(alerting: AlertService, at: datetime) -> None:
    """Evaluate the rules at ``at``, then deliver what is due then."""
    alerting.evaluate(at)
    alerting.deliver(at)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _all_text(http: HttpReceiver, smtp: SmtpReceiver) -> str:
    return "\n".join(m.title + "\n" + m.body for m in [*http.messages, *smtp.messages])


def test_due_at_passes_one_grouped_message_each_within_an_interval(
    alerting: AlertService, engine, receivers, database_url: str
) -> None:
    http, smtp = receivers
    due = _now() + timedelta(seconds=2)
    insert_tickets(
        engine,
        [
            _overdue("1022-A-0001", "so_xay_dung", due),
            _overdue("1022-A-0002", "so_xay_dung", due),
            _overdue("1022-A-0003", "so_y_te", due),
        ],
    )
    scheduler = start_alert_jobs(alerting.settings, alerting)
    try:
        # one interval (1 s) + 5 s after the deadline
        limit = (due - datetime.now(UTC)).total_seconds() + 1 + 5
        assert wait_for(
            lambda: len(smtp.to(AGENCY_MAIL)) >= 1 and len(http.to("supervisors")) >= 1, limit
        )
        time.sleep(2.5)  # more intervals: nothing more is sent
    finally:
        scheduler.shutdown(wait=True)
    mails = smtp.to(AGENCY_MAIL)
    assert len(mails) == 1
    assert "1022-A-0001" in mails[0].body and "1022-A-0002" in mails[0].body
    assert "1022-A-0003" not in mails[0].body  # another agency's ticket
    assert "Sở Xây dựng" in mails[0].title
    supervisors = http.to("supervisors")
    assert len(supervisors) == 1
    for code in ("1022-A-0001", "1022-A-0002", "1022-A-0003"):
        assert code in supervisors[0].body
    assert len(http.to("so_y_te")) == 1
    assert http.to("leaders") == []  # not escalated (urgency 2, just overdue)
    # the content: field, level, agency, how long overdue, a link, the event id
    body = mails[0].body
    assert "Trật tự đô thị" in body and "Mức 2" in body and "quá hạn" in body
    assert "http://board.example/alerts?ticket=1022-A-0001" in body
    assert "Mã sự kiện: hl-" in body
    assert "/alerts/ack/" in body
    assert not any(marker in _all_text(http, smtp) for marker in PERSONAL_MARKERS)


def test_repeats_until_acknowledged_then_stop(alerting: AlertService, engine, receivers) -> None:
    http, smtp = receivers
    t0 = _now()
    insert_tickets(engine, [_overdue("1022-B-0001", "so_xay_dung", t0 - timedelta(minutes=5))])
    _evaluate_and_deliver(alerting, t0)
    assert len(http.to("supervisors")) == 1
    _evaluate_and_deliver(alerting, t0 + timedelta(hours=1))
    assert len(http.to("supervisors")) == 1  # not yet: every 4 h
    t1 = t0 + timedelta(hours=4, seconds=1)
    _evaluate_and_deliver(alerting, t1)
    assert len(http.to("supervisors")) == 2
    assert "Nhắc lại" in http.to("supervisors")[1].title
    (alert,) = alerting.active()
    assert alerting.acknowledge([alert.id], "Trần Thị Trưởng Ca", t1) == (alert.id,)
    t2 = t0 + timedelta(hours=8, seconds=2)
    _evaluate_and_deliver(alerting, t2)
    assert len(http.to("supervisors")) == 2
    assert len(smtp.to(AGENCY_MAIL)) == 2
    (acked,) = alerting.active()
    assert acked.state == "acknowledged" and acked.acknowledged_by == "Trần Thị Trưởng Ca"
    assert acked.acknowledged_at == t1


def test_resolving_the_ticket_resolves_the_alert(alerting: AlertService, engine, receivers) -> None:
    t0 = _now()
    insert_tickets(engine, [_overdue("1022-C-0001", "so_xay_dung", t0 - timedelta(minutes=1))])
    alerting.evaluate(t0)
    (alert,) = alerting.active()
    assert alert.state == "firing" and alert.tickets == ("1022-C-0001",)
    alerting.evaluate(t0 + timedelta(seconds=5))
    assert len(alerting.active()) == 1  # deduplicated: still one alert
    with engine.begin() as conn:
        conn.execute(
            update(tickets)
            .where(tickets.c.code == "1022-C-0001")
            .values(status="resolved", resolved_at=t0 + timedelta(seconds=8))
        )
    alerting.evaluate(t0 + timedelta(seconds=10))
    assert alerting.active() == ()
    (history,) = alerting.history(ticket="1022-C-0001")
    assert history.state == "resolved" and history.resolved_at == t0 + timedelta(seconds=10)


def test_escalation_reaches_leaders(alerting: AlertService, engine, receivers) -> None:
    http, smtp = receivers
    t0 = _now()
    insert_tickets(engine, [_overdue("1022-D-0001", "so_xay_dung", t0 - timedelta(minutes=1))])
    _evaluate_and_deliver(alerting, t0)
    assert http.to("leaders") == []
    t1 = t0 + timedelta(hours=24, minutes=1)
    _evaluate_and_deliver(alerting, t1)
    leaders = http.to("leaders")
    assert len(leaders) == 1
    assert "Báo cáo vượt cấp" in leaders[0].title and "1022-D-0001" in leaders[0].body
    assert "VƯỢT CẤP" in leaders[0].body
    assert len(smtp.to(AGENCY_MAIL)) == 2  # the agency is told of the escalation too
    (alert,) = alerting.active()
    assert alert.escalated


def test_urgent_overdue_escalates_at_once(alerting: AlertService, engine, receivers) -> None:
    http, _ = receivers
    t0 = _now()
    insert_tickets(
        engine, [_overdue("1022-D-0002", "so_xay_dung", t0 - timedelta(minutes=1), urgency=3)]
    )
    _evaluate_and_deliver(alerting, t0)
    assert len(http.to("leaders")) == 1


def test_level4_reaches_supervisors_and_leaders_at_once(
    alerting: AlertService, engine, receivers
) -> None:
    http, smtp = receivers
    t0 = _now()
    insert_tickets(
        engine,
        [make_ticket(code="1022-E-0001", urgency=4, status="classified", received_at=t0)],
    )
    _evaluate_and_deliver(alerting, t0)
    for audience in ("supervisors", "leaders"):
        (message,) = http.to(audience)
        assert "1022-E-0001" in message.body and "mức 4" in message.title.lower()
    assert not any(marker in _all_text(http, smtp) for marker in PERSONAL_MARKERS)


def test_receiver_down_then_up_gets_every_message_once(
    alerting: AlertService, engine, receivers
) -> None:
    http, _ = receivers
    http.stop()
    t0 = _now()
    for minute in range(3):  # three evaluations, each with a new overdue ticket
        at = t0 + timedelta(minutes=minute)
        insert_tickets(
            engine, [_overdue(f"1022-F-{minute:04d}", "so_y_te", at - timedelta(seconds=1))]
        )
        _evaluate_and_deliver(alerting, at)
    # ten minutes down: every attempt fails, each retried with back-off
    for second in range(0, 600, 7):
        alerting.deliver(t0 + timedelta(minutes=3, seconds=second))
    assert http.messages == []
    with alerting.engine.connect() as conn:
        rows = list_outbox(conn)
    waiting = [r for r in rows if r.sent_at is None]
    assert waiting and all(r.attempts >= 3 for r in waiting)
    http.start()
    later = t0 + timedelta(minutes=15)
    for step in range(5):
        alerting.deliver(later + timedelta(seconds=61 * step))
    events = [m.body.rsplit("Mã sự kiện: ", 1)[1].strip() for m in http.messages]
    assert len(events) == len(set(events))  # nothing twice
    with alerting.engine.connect() as conn:
        rows = list_outbox(conn)
    http_rows = [r for r in rows if r.audience in ("supervisors", "agency:so_y_te")]
    assert len(http_rows) == 6  # 3 evaluations x (supervisors + the agency)
    assert all(r.sent_at is not None for r in rows)
    assert sorted(events) == sorted(r.event_id for r in http_rows)
