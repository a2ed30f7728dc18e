"""Rate limits on every public endpoint: 429 with Retry-After, in memory or in Redis."""

from __future__ import annotations

import os

import pytest

from tests.support.db import IN_CI
from tests.web.public_helpers import public_app

REDIS_URL = os.environ.get("TEST_PUBLIC_REDIS_URL", "redis://127.0.0.1:6379/10")
ENDPOINTS = (
    "/open311/v2/services.json",
    "/open311/v2/services/dien.xml",
    "/open311/v2/requests.json",
    "/open311/v2/requests/1022-1.xml",
    "/tra-cuu",
    "/track?code=1022-1",
)


def limited_app(url, **extra):
    return public_app(
        url,
        HOTLINE_PUBLIC_RATE_LIMIT="3 per minute",
        HOTLINE_GEOREPORT_RATE_LIMIT="3 per minute",
        **extra,
    )


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_public_endpoint_answers_429_with_retry_after(sqlite_url, path):
    app = limited_app(sqlite_url)
    client = app.server.test_client()
    for _ in range(3):
        assert client.get(path).status_code in (200, 404)
    response = client.get(path)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    if path.startswith("/open311/"):
        body = response.get_json() if path.endswith(".json") else None
        if body is not None:
            assert body[0]["code"] == 429
        else:
            assert b"<errors><error><code>429</code>" in response.data
    else:
        assert "Vui lòng thử lại sau" in response.get_data(as_text=True)
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def test_open311_endpoints_share_one_budget_and_the_page_has_its_own(sqlite_url):
    app = limited_app(sqlite_url)
    client = app.server.test_client()
    for path in ENDPOINTS[:3]:
        assert client.get(path).status_code == 200
    assert client.get(ENDPOINTS[3]).status_code == 429
    assert client.get("/tra-cuu").status_code == 200  # a separate limit
    # Other clients (addresses) are not affected.
    other = client.get(ENDPOINTS[0], environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def test_bad_limit_setting_is_refused_at_start():
    from dashboard.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="HOTLINE_PUBLIC_RATE_LIMIT"):
        load_settings(HOTLINE_PUBLIC_RATE_LIMIT="lots")


def test_limits_are_counted_in_redis_across_processes(sqlite_url):
    redis = pytest.importorskip("redis")
    try:
        connection = redis.Redis.from_url(REDIS_URL)
        connection.ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is required in CI")
        pytest.skip(f"no Redis at {REDIS_URL}")
    for key in connection.scan_iter("LIMITS:LIMITER/hotline-public/*"):
        connection.delete(key)
    # Two apps stand for two processes: the second sees the first's requests.
    first = limited_app(sqlite_url, REDIS_URL=REDIS_URL + "?prefix=test10")
    second = limited_app(sqlite_url, REDIS_URL=REDIS_URL + "?prefix=test10")
    client_a, client_b = first.server.test_client(), second.server.test_client()
    assert client_a.get("/open311/v2/services.json").status_code == 200
    assert client_a.get("/open311/v2/services.json").status_code == 200
    assert client_b.get("/open311/v2/services.json").status_code == 200
    response = client_b.get("/open311/v2/requests.json")
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert any(True for _ in connection.scan_iter("LIMITS:LIMITER/hotline-public/*"))
    for key in connection.scan_iter("LIMITS:LIMITER/hotline-public/*"):
        connection.delete(key)
    for app in (first, second):
        app.server.config["HOTLINE_SERVICE"].engine.dispose()
