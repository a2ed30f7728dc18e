"""Operations intelligence through the alerts, end to end on SQLite and PostgreSQL: a surge
on the wall and a silent wall screen, delivered to a real HTTP receiver (Apprise ``json://``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from dashboard.alerts.providers import install_providers
from dashboard.alerts.service import AlertService
from dashboard.alerts.view import make_alerts_view
from dashboard.alerts.web import build_alert_service
from dashboard.auth import AccessControl
from dashboard.intelligence.screens import MemoryBeats, ScreenRegistry
from dashboard.intelligence.values import ScreenBeat
from dashboard.service import SnapshotService
from dashboard.settings import Settings
from tests.db.alert_receivers import HttpReceiver, notifying_settings
from tests.support.db import PERSONAL_MARKERS, insert_tickets, make_ticket


class _App:
    """Just enough of an app for build_alert_service (no login: no users file)."""

    def __init__(self) -> None:
        self.server = Flask(__name__)
        self.server.config["HOTLINE_ACCESS"] = AccessControl(Settings(), None)


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    """A running HTTP receiver."""
    receiver = HttpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def board(
    database_url: str, tmp_path: Path, http: HttpReceiver
) -> Iterator[tuple[AlertService, SnapshotService, ScreenRegistry]]:
    """The alert service of a board with its providers wired as ``install_alerts`` does."""
    notify = {a: [http.url(a)] for a in ("supervisors", "leaders", "operations")}
    settings = notifying_settings(database_url, tmp_path / "notify.json", notify)
    snapshots = SnapshotService(settings)
    screens = ScreenRegistry(settings, MemoryBeats())
    alerts = build_alert_service(_App(), settings, snapshots)  # type: ignore[arg-type]
    install_providers(alerts, snapshots, screens)
    yield alerts, snapshots, screens
    alerts.close()
    snapshots.engine.dispose()
    screens.engine().dispose()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _step(alerts: AlertService, snapshots: SnapshotService, at: datetime) -> None:
    """What the lease holder does: a new live snapshot, then an evaluation at its instant."""
    assert snapshots.refresh(at)
    alerts.evaluate(at)
    alerts.deliver(at)


def _burst(t0: datetime, count: int) -> list[dict[str, object]]:
    """Flood reports of one ward in the last 20 minutes (forwarded in time: no other rule)."""
    return [
        make_ticket(
            code=f"1022-S-{n:04d}",
            category="thoat_nuoc",
            area="phuong_ben_thanh",
            status="forwarded",
            agency="so_xay_dung",
            received_at=t0 - timedelta(minutes=20) + timedelta(minutes=2 * n),
            forwarded_at=t0 - timedelta(minutes=19) + timedelta(minutes=2 * n),
            due_at=t0 + timedelta(days=3),
        )
        for n in range(count)
    ]


def test_a_surge_on_the_wall_is_one_surge_message_and_resolves_when_it_passes(
    board, engine, http: HttpReceiver
) -> None:
    alerts, snapshots, _ = board
    t0 = _now()
    insert_tickets(engine, _burst(t0, 10))
    _step(alerts, snapshots, t0)
    snapshot = snapshots.live("day")
    assert snapshot is not None and len(snapshot.incidents) == 1  # the wall's banner
    (alert,) = alerts.active()
    assert (alert.rule, alert.subject, alert.state) == ("surge", "thoat_nuoc", "firing")
    (message,) = http.to("supervisors")
    assert "Ngập nước, thoát nước · Phường Bến Thành: 10 phản ánh trong 30 phút" in message.body
    assert "gấp 10 lần bình thường" in message.body and "Mã sự kiện: hl-" in message.body
    assert not any(marker in message.body + message.title for marker in PERSONAL_MARKERS)
    # Later snapshots while the burst lasts: the same alert, nothing sent again.
    for minutes in (1, 2, 5):
        _step(alerts, snapshots, t0 + timedelta(minutes=minutes))
    assert len(alerts.active()) == 1 and len(http.to("supervisors")) == 1
    # The burst passes (no report in the last 30 minutes): the banner goes, the alert resolves.
    t1 = t0 + timedelta(minutes=31)
    _step(alerts, snapshots, t1)
    assert snapshots.live("day").incidents == ()
    assert alerts.active() == ()
    (history,) = alerts.history(rule="surge")
    assert history.state == "resolved" and history.resolved_at == t1
    assert len(http.to("supervisors")) == 1
    assert http.to("leaders") == [] and http.to("operations") == []
    assert len(http.messages) == 1


def test_no_snapshot_yet_leaves_a_surge_alert_alone(board, engine, http: HttpReceiver) -> None:
    alerts, snapshots, _ = board
    t0 = _now()
    insert_tickets(engine, _burst(t0, 10))
    _step(alerts, snapshots, t0)
    assert len(alerts.active()) == 1
    snapshots.state.snapshots = {}  # a process that has not computed (nor adopted) one yet
    alerts.evaluate(t0 + timedelta(seconds=5))
    (alert,) = alerts.active()
    assert alert.state == "firing"  # not resolved for want of a snapshot


def _beat(name: str, at: datetime) -> ScreenBeat:
    return ScreenBeat(name, at, at, 60, 40.5, "lang=vi")


def test_a_screen_that_stops_polling_is_one_message_and_resolves_when_it_polls(
    board, http: HttpReceiver
) -> None:
    alerts, _, screens = board
    t0 = _now()
    screens.record(_beat("sanh-tang-1", t0))
    screens.record(_beat("phong-truc", t0))
    silent_after = timedelta(seconds=6)  # 6 refresh intervals of 1 s
    for seconds in range(1, 20):
        at = t0 + timedelta(seconds=seconds)
        screens.record(_beat("phong-truc", at))  # this one keeps polling
        if seconds > 12:
            screens.record(_beat("sanh-tang-1", at))  # polls again
        alerts.evaluate(at)
        alerts.deliver(at)
        active = alerts.active()
        if seconds * timedelta(seconds=1) > silent_after and seconds <= 12:
            (alert,) = active
            assert (alert.rule, alert.subject) == ("screen_silent", "sanh-tang-1")
            (item,) = make_alerts_view(active, at, "vi", {}, alerts.settings.zone).items
            assert item.tickets_text == "sanh-tang-1"  # the wall's strip names the screen
        elif seconds > 12:
            assert active == ()
    (message,) = http.to("operations")
    assert "Màn hình sanh-tang-1: không cập nhật từ" in message.body
    assert "phong-truc" not in message.body
    assert http.to("supervisors") == [] and http.to("leaders") == []
    (history,) = alerts.history(rule="screen_silent")
    assert history.state == "resolved" and history.resolved_at == t0 + timedelta(seconds=13)
