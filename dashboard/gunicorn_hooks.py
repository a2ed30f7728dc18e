"""Gunicorn pieces: refuse an open bind without login; keep wall-link tokens out of logs."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

from dashboard.auth import check_startup
from dashboard.settings import load_settings

WALL_TOKEN = re.compile(r"/wall/[^\s?/\"]+")


def bind_hosts(binds: list[str]) -> list[str]:
    """The hosts of gunicorn bind addresses (unix sockets and fd:// are local)."""
    hosts = []
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        host = bind.rsplit(":", 1)[0] if ":" in bind.strip("[]") or bind.startswith("[") else bind
        hosts.append(host.strip("[]") or "0.0.0.0")  # noqa: S104 - ":8050" listens everywhere
    return hosts


def check_binds(binds: list[str]) -> None:
    """SettingsError when gunicorn listens beyond loopback and no login is configured.

    HOTLINE_HOST is not the only way to listen: ``-b 0.0.0.0:8050`` and
    GUNICORN_CMD_ARGS are checked the same way.
    """
    settings = load_settings()
    for host in bind_hosts(binds):
        check_startup(settings.model_copy(update={"host": host}))


class MaskingLogger(Logger):
    """Gunicorn's logger, with ``/wall/<token>`` written as ``/wall/***``."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "{raw_uri}e"):
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = WALL_TOKEN.sub("/wall/***", value)
        return atoms
