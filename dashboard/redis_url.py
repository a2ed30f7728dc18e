"""Redis URLs of the board: a ``prefix`` query parameter names the board's keys."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PREFIX = "hotline"


def split_redis_url(url: str) -> tuple[str, str]:
    """Split a ``prefix`` query parameter (the key prefix) off a Redis URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for key, value in query if key == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(key, value) for key, value in query if key != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix or DEFAULT_PREFIX
