"""The snapshot store: JSON round trips, the fenced lease, adoption, Redis failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from dashboard.service import LiveState, SnapshotService
from dashboard.settings import Settings
from dashboard.shifts import utc_now
from dashboard.store import (
    MemoryStore,
    RedisStore,
    SharedSnapshotService,
    decode_tagged,
    encode_tagged,
    make_service,
    split_redis_url,
)
from data_access.engine import make_engine
from tests.support.db import insert_tickets, make_ticket
from tests.support.gunicorn import redis_test_url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis URL with a prefix of its own (keys removed afterwards)."""
    yield from redis_test_url("store tests")


@pytest.fixture
def filled_settings(sqlite_url: str) -> Settings:
    """An SQLite board with a few tickets in the current shift."""
    writer = make_engine(sqlite_url)
    now = utc_now()
    insert_tickets(
        writer,
        [
            make_ticket(received_at=now - timedelta(minutes=1)),
            make_ticket(received_at=now - timedelta(seconds=5), status="classified"),
        ],
    )
    writer.dispose()
    return Settings(DATABASE_URL=sqlite_url, HOTLINE_SIMULATE=False, HOTLINE_REFRESH_SECONDS=1)


def test_live_state_round_trips_through_json(filled_settings):
    service = SnapshotService(filled_settings)
    assert service.refresh()
    window = service.calendar.window(service.calendar.operating_day(utc_now()) - timedelta(days=3))
    service.state.watched = {window: service.compute(window)}
    document = json.loads(json.dumps(encode_tagged(service.state)))
    copy = decode_tagged(document)
    assert isinstance(copy, LiveState)
    assert copy == service.state
    assert copy.snapshots["shift"].to_json() == service.state.snapshots["shift"].to_json()
    service.engine.dispose()


def test_decoding_refuses_types_outside_the_project():
    with pytest.raises(ValueError):
        decode_tagged({"type": "subprocess:Popen", "value": {}})
    with pytest.raises(ValueError):
        decode_tagged({"type": "dashboard.settings:load_settings", "value": {}})


def test_without_redis_the_embedded_default_is_unchanged(filled_settings):
    service = make_service(filled_settings)
    assert type(service) is SnapshotService
    assert MemoryStore().is_leader() and MemoryStore().fetch() is None
    service.engine.dispose()


def test_prefix_is_taken_off_the_redis_url():
    assert split_redis_url("redis://h:6379/3?prefix=board1&ssl_cert_reqs=none") == (
        "redis://h:6379/3?ssl_cert_reqs=none",
        "board1",
    )
    assert split_redis_url("redis://h:6379/0") == ("redis://h:6379/0", "hotline")


def test_the_lease_has_one_holder_and_fences_publishing(redis_url):
    first = RedisStore(redis_url, refresh_seconds=1)
    second = RedisStore(redis_url, refresh_seconds=1)
    assert first.keep_lease() is True  # just acquired
    assert first.keep_lease() is False  # renewed, not newly acquired
    assert second.keep_lease() is False
    assert first.is_leader() and not second.is_leader()
    published = first.publish(LiveState(computations=0), success=True)
    assert published is not None and published.computations == 1
    assert second.publish(LiveState(), success=True) is None  # not the holder
    assert second.fetch(None).computed_by == first.owner
    first.release()
    assert second.keep_lease() is True


def test_a_reader_serves_what_the_holder_computed(filled_settings, redis_url):
    settings = filled_settings.model_copy(update={"redis_url": redis_url})
    holder = SharedSnapshotService(settings)
    reader = SharedSnapshotService(settings)
    assert holder.store.keep_lease() and not reader.store.keep_lease()
    assert holder.refresh()
    assert reader.refresh() is False  # it does not compute
    assert reader.live("shift").to_json() == holder.live("shift").to_json()
    assert reader.state.computations == holder.state.computations == 1
    assert not reader.is_stale()
    for service in (holder, reader):
        service.close()
        service.engine.dispose()


def test_unreachable_redis_means_computing_locally(filled_settings):
    settings = filled_settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    service = SharedSnapshotService(settings)
    assert service.store.keep_lease() is False
    assert service.store.available is False and service.store.is_leader()
    assert service.refresh()
    assert service.live("shift") is not None and service.live("shift").received == 2
    service.engine.dispose()
