"""Where messages go: the notify file (``HOTLINE_NOTIFY_FILE``) of Apprise URLs per audience.

Exactly this shape::

    {"supervisors": [URL, ...], "leaders": [URL, ...], "operations": [URL, ...],
     "agencies": {"so_xay_dung": [URL, ...], ...}}

Every URL is checked with Apprise at start-up. Without a notify file every message goes
to the local log target (the server log), so nothing is sent anywhere unless configured.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.alerts.config_file import read_json_file

log = logging.getLogger(__name__)

LOG_TARGET = "log"
TOP_AUDIENCES: tuple[str, ...] = ("supervisors", "leaders", "operations")
TOP_KEYS = frozenset({*TOP_AUDIENCES, "agencies"})
AGENCY_CODE = re.compile(r"^[a-z0-9_]{1,40}$")


class NotifyError(ValueError):
    """The notify file is malformed or holds a URL Apprise does not accept."""


def target_digest(url: str) -> str:
    """The name of a target in the outbox (URLs may hold passwords: they stay in the file)."""
    return "u" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


def _redact(url: str) -> str:
    """A URL for an error message: scheme and host, never a password or token."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/..." if rest else url[:20]


def check_apprise_url(url: str, where: str) -> None:
    """Raise NotifyError when Apprise does not accept ``url``."""
    import apprise

    if not isinstance(url, str) or "://" not in url:
        raise NotifyError(f"{where}: {url!r} is not an Apprise URL (scheme://...)")
    if apprise.Apprise.instantiate(url) is None:
        raise NotifyError(f"{where}: Apprise does not accept the URL {_redact(url)}")


@dataclass(frozen=True)
class NotifyConfig:
    """Apprise URLs per audience (``agency:<code>`` for an agency's focal points)."""

    urls: dict[str, tuple[str, ...]] = field(default_factory=dict)
    configured: bool = False

    def targets(self, audience: str) -> tuple[str, ...]:
        """The target names of an audience; the log target when none is configured."""
        urls = self.urls.get(audience, ())
        if not urls:
            return (LOG_TARGET,)
        return tuple(target_digest(url) for url in urls)

    def url_for(self, target: str) -> str | None:
        """The Apprise URL of a target name (None for the log target or a removed URL)."""
        for urls in self.urls.values():
            for url in urls:
                if target_digest(url) == target:
                    return url
        return None


def _url_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise NotifyError(f"{where} must be a list of Apprise URLs")
    for index, url in enumerate(value):
        check_apprise_url(url, f"{where}[{index}]")
    return tuple(value)


def parse_notify(document: Any, source: str = "notify file") -> NotifyConfig:
    """Validate a notify document; NotifyError names the key and the problem."""
    if not isinstance(document, dict):
        raise NotifyError(f"{source}: expected an object with {', '.join(sorted(TOP_KEYS))}")
    unknown = sorted(set(document) - TOP_KEYS)
    if unknown:
        raise NotifyError(
            f"{source}: unknown audience {unknown[0]!r} (known: supervisors, leaders, "
            "operations, agencies)"
        )
    urls: dict[str, tuple[str, ...]] = {}
    for audience in TOP_AUDIENCES:
        if audience in document:
            urls[audience] = _url_list(document[audience], f"{source}: {audience}")
    agencies = document.get("agencies", {})
    if not isinstance(agencies, dict):
        raise NotifyError(f"{source}: agencies must be an object of agency code -> URLs")
    for code, value in agencies.items():
        if not isinstance(code, str) or not AGENCY_CODE.match(code):
            raise NotifyError(f"{source}: agencies: {code!r} is not an agency code")
        urls[f"agency:{code}"] = _url_list(value, f"{source}: agencies.{code}")
    return NotifyConfig(urls=urls, configured=True)


def load_notify(path: Path | None) -> NotifyConfig:
    """Read and validate the notify file; without one, every audience goes to the log."""
    if path is None:
        return NotifyConfig()
    document = read_json_file(path, "notify file", NotifyError)
    return parse_notify(document, str(path))
