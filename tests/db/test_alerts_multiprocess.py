"""gunicorn with 3 workers and Redis: every alert message is sent once, and when the lease
holder is killed the next holder sends what was pending, once."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from dashboard.shifts import utc_now
from data_access.alert_store import list_outbox
from data_access.engine import make_engine
from tests.db.alert_receivers import HttpReceiver, wait_for
from tests.support.db import insert_tickets, overdue_ticket
from tests.support.gunicorn import redis_test_url, running_gunicorn

pytestmark = pytest.mark.slow

REDIS_BASE = os.environ.get("TEST_ALERTS_REDIS_URL", "redis://127.0.0.1:6379/9")
WORKERS = 3


@pytest.fixture
def redis_client() -> Iterator[tuple[object, str]]:
    """Redis db 9 and a key prefix of this test (removed afterwards)."""
    import redis

    from dashboard.store import split_redis_url

    for url in redis_test_url("the alert multi-process test", base=REDIS_BASE):
        clean_url, prefix = split_redis_url(url)
        client = redis.Redis.from_url(clean_url)
        yield client, prefix
        client.close()


def _holder(client: object, prefix: str) -> int | None:
    value = client.get(f"{prefix}:lease")  # type: ignore[attr-defined]
    return int(value.decode().split(":")[1]) if value else None


def _event_ids(receiver: HttpReceiver) -> list[str]:
    return [m.body.rsplit(": ", 1)[1].strip() for m in receiver.messages]


def _overdue(code: str, agency: str, minutes: int) -> dict[str, object]:
    now = utc_now()
    return overdue_ticket(
        code, agency, forwarded_at=now - timedelta(hours=3), due_at=now - timedelta(minutes=minutes)
    )


def test_each_event_sent_once_and_the_next_holder_sends_what_was_pending(
    sqlite_url: str, redis_client: tuple[object, str], tmp_path: Path
) -> None:
    client, prefix = redis_client
    receiver = HttpReceiver()
    receiver.start()
    notify = tmp_path / "notify.json"
    notify.write_text(
        json.dumps(
            {
                "supervisors": [receiver.url("supervisors")],
                "leaders": [receiver.url("leaders")],
                "agencies": {
                    "so_xay_dung": [receiver.url("sxd")],
                    "so_y_te": [receiver.url("syt")],
                },
            }
        ),
        encoding="utf-8",
    )
    env = {
        "DATABASE_URL": sqlite_url,
        "REDIS_URL": f"{REDIS_BASE}?prefix={prefix}",
        "HOTLINE_REFRESH_SECONDS": "1",
        "HOTLINE_SIMULATE": "false",
        "HOTLINE_LOG_LEVEL": "WARNING",
        "HOTLINE_NOTIFY_FILE": str(notify),
        "HOTLINE_SECRET_KEY": "multiprocess-test",
        "HOTLINE_ALERT_RETRY_MAX_SECONDS": "2",
    }
    writer = make_engine(sqlite_url)
    inherit = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    with ExitStack() as cleanup:  # on the way out: gunicorn, the receiver, the engine
        cleanup.callback(writer.dispose)
        cleanup.callback(receiver.stop)
        served = cleanup.enter_context(
            running_gunicorn(
                tmp_path, env, workers=WORKERS, extra="accesslog = None\n", inherit=inherit
            )
        )
        log = served.log
        started = wait_for(
            lambda: (
                _holder(client, prefix) is not None
                and requests.get(f"{served.base_url}/healthz", timeout=2).ok
            ),
            60,
            0.3,
        )
        assert started, log.read_text(errors="replace")[-3000:]
        # 1. overdue tickets of two agencies: one message per audience, each sent once
        insert_tickets(
            writer,
            [_overdue("1022-M-0001", "so_xay_dung", 5), _overdue("1022-M-0002", "so_xay_dung", 5),
             _overdue("1022-M-0003", "so_y_te", 5)],
        )  # fmt: skip
        assert wait_for(lambda: len(receiver.messages) >= 3, 40), log.read_text()[-3000:]
        time.sleep(4)  # several intervals of 3 workers: nothing more
        assert sorted(m.to for m in receiver.messages) == ["supervisors", "sxd", "syt"]
        assert max(Counter(_event_ids(receiver)).values()) == 1

        # 2. the receiver is down; new alerts wait in the outbox; the lease holder dies
        receiver.stop()
        insert_tickets(writer, [_overdue("1022-M-0004", "so_y_te", 1)])
        with writer.connect() as conn:
            assert wait_for(lambda: sum(1 for r in list_outbox(conn) if r.sent_at is None) >= 2, 30)
        holder = _holder(client, prefix)
        assert holder is not None
        os.kill(holder, signal.SIGKILL)
        time.sleep(1)
        receiver.start()
        if not wait_for(lambda: len(receiver.messages) >= 5, 90):
            with writer.connect() as conn:
                rows = list_outbox(conn)
            pytest.fail(f"{rows}\n{receiver.messages}\n" + log.read_text()[-2000:])
        time.sleep(4)
        new_holder = _holder(client, prefix)
        assert new_holder not in (None, holder)
        ids = _event_ids(receiver)
        assert len(ids) == 5 and max(Counter(ids).values()) == 1, ids
        with writer.connect() as conn:
            rows = list_outbox(conn)
        assert len(rows) == 5 and all(r.sent_at is not None for r in rows)
        assert sorted(ids) == sorted(r.event_id for r in rows)
