"""Gunicorn: an open bind without login is refused; wall tokens never reach the log."""

import pytest

from dashboard.gunicorn_hooks import WALL_TOKEN, bind_hosts, check_binds
from dashboard.settings import SettingsError
from tests.support.cli import run_module


def test_bind_hosts():
    assert bind_hosts(["127.0.0.1:8050", "[::1]:8050", "0.0.0.0:80", "unix:/tmp/s", ":8050"]) == [
        "127.0.0.1",
        "::1",
        "0.0.0.0",
        "0.0.0.0",
    ]


def test_open_bind_without_login_is_refused(monkeypatch):
    check_binds(["127.0.0.1:8050", "localhost:8050"])
    with pytest.raises(SettingsError, match="HOTLINE_HOST"):
        check_binds(["0.0.0.0:8050"])
    monkeypatch.setenv("HOTLINE_ALLOW_ANONYMOUS", "true")
    check_binds(["0.0.0.0:8050"])


def test_wall_tokens_are_masked():
    line = "GET /wall/AbC-123_xyz?lang=en HTTP/1.1"
    assert WALL_TOKEN.sub("/wall/***", line) == "GET /wall/***?lang=en HTTP/1.1"


def test_gunicorn_refuses_to_start_on_an_open_bind(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    result = run_module("gunicorn", "-b", "0.0.0.0:0", "app:server", env=env, timeout=60)
    assert result.returncode != 0
    assert "no login" in result.stderr
