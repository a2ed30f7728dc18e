"""board_stale without the database, pending rules, and the hook rules' providers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dashboard.alerts.evaluate import Candidate
from dashboard.alerts.web import build_alert_service
from dashboard.auth import AccessControl
from dashboard.service import SnapshotService
from dashboard.settings import Settings
from tests.db.alert_receivers import HttpReceiver, free_port
from tests.support.db import insert_tickets, make_ticket


class _App:
    def __init__(self) -> None:
        from flask import Flask

        self.server = Flask(__name__)
        self.server.config["HOTLINE_ACCESS"] = AccessControl(Settings(), None)


def _notify(tmp_path: Path, receiver: HttpReceiver) -> str:
    path = tmp_path / "notify.json"
    path.write_text(
        json.dumps(
            {
                "supervisors": [receiver.url("supervisors")],
                "operations": [receiver.url("operations")],
            }
        ),
        encoding="utf-8",
    )
    return str(path)


def test_board_stale_reaches_operations_while_the_database_is_down(tmp_path: Path) -> None:
    receiver = HttpReceiver()
    receiver.start()
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens there
    settings = Settings(
        DATABASE_URL=dead,
        HOTLINE_REFRESH_SECONDS=1,
        HOTLINE_NOTIFY_FILE=_notify(tmp_path, receiver),
        HOTLINE_SECRET_KEY="k",
    )
    snapshots = SnapshotService(settings)
    alerts = build_alert_service(_App(), settings, snapshots)  # type: ignore[arg-type]
    try:
        t0 = datetime.now(UTC)
        for second in range(5):
            now = t0 + timedelta(seconds=second)
            assert snapshots.refresh(now) is False  # the database is unreachable
            alerts.tick(now)  # evaluation fails (no database); board_stale does not need it
        (message,) = receiver.to("operations")
        assert "không đọc được cơ sở dữ liệu" in message.title.lower()
        assert "Mã sự kiện: hl-stale-" in message.body
        assert alerts.stale_alert() == t0
        # ... a receiver that was down meanwhile gets it once it is back (retried from memory)
        receiver.stop()
        snapshots.state.failing_since = None
        alerts.tick(t0 + timedelta(seconds=6))  # resolved: the message waits in memory
        receiver.start()
        import time

        time.sleep(2.5)  # the back-off (2 s) passes
        alerts.deliver(t0 + timedelta(seconds=9))
        assert len(receiver.to("operations")) == 2
        assert "đọc lại được" in receiver.to("operations")[1].body
    finally:
        receiver.stop()
        alerts.close()
        snapshots.engine.dispose()


def _service(database_url: str, tmp_path: Path, receiver: HttpReceiver, rules: dict | None = None):
    rules_path = None
    if rules is not None:
        rules_path = tmp_path / "rules.json"
        rules_path.write_text(json.dumps(rules), encoding="utf-8")
    values = {
        "DATABASE_URL": database_url,
        "HOTLINE_REFRESH_SECONDS": 1,
        "HOTLINE_NOTIFY_FILE": _notify(tmp_path, receiver),
        "HOTLINE_SECRET_KEY": "k",
    }
    if rules_path is not None:
        values["HOTLINE_ALERT_RULES_FILE"] = str(rules_path)
    settings = Settings(**values)
    snapshots = SnapshotService(settings)
    return build_alert_service(_App(), settings, snapshots), snapshots  # type: ignore[arg-type]


def test_awaiting_forward_waits_its_for_then_fires_once(
    database_url: str, engine, tmp_path: Path
) -> None:
    receiver = HttpReceiver()
    receiver.start()
    rules = {
        "rules": [{"name": "awaiting_forward", "audiences": ["supervisors"], "for_seconds": 60}]
    }
    alerts, snapshots = _service(database_url, tmp_path, receiver, rules)
    try:
        t0 = datetime.now(UTC).replace(microsecond=0)
        insert_tickets(
            engine,
            [
                make_ticket(
                    code="1022-P-0001",
                    status="received",
                    received_at=t0 - timedelta(minutes=15, seconds=30),
                )
            ],
        )
        alerts.evaluate(t0)
        alerts.deliver(t0)
        (alert,) = alerts.active()
        assert alert.state == "pending" and receiver.messages == []
        alerts.evaluate(t0 + timedelta(seconds=31))
        alerts.deliver(t0 + timedelta(seconds=31))
        (alert,) = alerts.active()
        assert alert.state == "firing"
        for second in (32, 33, 40):
            alerts.evaluate(t0 + timedelta(seconds=second))
            alerts.deliver(t0 + timedelta(seconds=second))
        (message,) = receiver.to("supervisors")
        assert "1022-P-0001" in message.body and "Chậm chuyển" in message.title
        assert len(alerts.history(rule="awaiting_forward")) == 1
    finally:
        receiver.stop()
        alerts.close()
        snapshots.engine.dispose()


def test_hook_rules_take_their_candidates_from_providers(database_url: str, tmp_path: Path) -> None:
    receiver = HttpReceiver()
    receiver.start()
    alerts, snapshots = _service(database_url, tmp_path, receiver)
    t0 = datetime.now(UTC).replace(microsecond=0)
    surges = [
        Candidate(
            rule="surge",
            subject="thoat_nuoc:phuong_ben_thanh",
            since=t0,
            detail={"category": "thoat_nuoc", "label": "Ngập nước: 12 phiếu / 30 phút"},
        )
    ]
    try:
        alerts.evaluate(t0)  # the default providers give nothing
        assert [a for a in alerts.active() if a.rule == "surge"] == []
        alerts.set_provider("surge", lambda now: surges)
        alerts.set_provider(
            "screen_silent",
            lambda now: [Candidate(rule="screen_silent", subject="wall-2", since=t0,
                                   detail={"label": "Màn hình phòng điều hành 2"})],
        )  # fmt: skip
        alerts.evaluate(t0 + timedelta(seconds=1))
        alerts.deliver(t0 + timedelta(seconds=1))
        assert {a.rule for a in alerts.active()} == {"surge", "screen_silent"}
        (sup,) = receiver.to("supervisors")
        assert "Ngập nước: 12 phiếu / 30 phút" in sup.body
        (ops,) = receiver.to("operations")
        assert "Màn hình phòng điều hành 2" in ops.body
        surges.clear()
        alerts.evaluate(t0 + timedelta(seconds=2))
        assert {a.rule for a in alerts.active()} == {"screen_silent"}
    finally:
        receiver.stop()
        alerts.close()
        snapshots.engine.dispose()
