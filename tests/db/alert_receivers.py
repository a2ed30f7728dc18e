"""Real receivers for the alert tests: an SMTP server (aiosmtpd) and an HTTP receiver; the
settings of a board that notifies them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dashboard.settings import Settings


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def notifying_settings(database_url: str, notify_file: Path, notify: dict[str, Any]) -> Settings:
    """A board on ``database_url`` (1 s refresh) that notifies ``notify`` (written to
    ``notify_file``), with a secret key and a public address for its acknowledge links."""
    notify_file.write_text(json.dumps(notify), encoding="utf-8")
    return Settings(
        DATABASE_URL=database_url,
        HOTLINE_SIMULATE=False,
        HOTLINE_REFRESH_SECONDS=1,
        HOTLINE_NOTIFY_FILE=str(notify_file),
        HOTLINE_SECRET_KEY="test-secret",
        HOTLINE_PUBLIC_BASE_URL="http://board.example",
    )


@dataclass
class Received:
    """A message a receiver got: where to, title, body."""

    to: str
    title: str
    body: str
    at: float


@dataclass
class HttpReceiver:
    """Apprise ``json://`` target: an http.server recording every POST; can go down and up."""

    port: int = field(default_factory=free_port)
    messages: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        """The Apprise URL of a path on this receiver."""
        return f"json://127.0.0.1:{self.port}/{path}"

    def start(self) -> None:
        """Listen (again) on the same port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = json.loads(self.rfile.read(length) or b"{}")
                with receiver._lock:
                    receiver.messages.append(
                        Received(
                            self.path.strip("/"),
                            str(data.get("title", "")),
                            str(data.get("message", "")),
                            time.monotonic(),
                        )
                    )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening (connections are refused until start)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def to(self, path: str) -> list[Received]:
        """Messages posted to a path."""
        with self._lock:
            return [m for m in self.messages if m.to == path]


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) recording every mail."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.messages: list[Received] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                mail = message_from_bytes(envelope.original_content or envelope.content)
                payload = mail.get_payload(decode=True) if not mail.is_multipart() else None
                if payload is None:
                    part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
                    payload = part.get_payload(decode=True)
                for rcpt in envelope.rcpt_tos:
                    receiver.messages.append(
                        Received(
                            rcpt,
                            str(make_header(decode_header(mail.get("Subject", "")))),
                            bytes(payload).decode("utf-8", "replace"),
                            time.monotonic(),
                        )
                    )
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def url(self, to: str) -> str:
        """The Apprise URL that mails ``to`` through this server."""
        return f"mailto://127.0.0.1:{self.port}?from=board@hotline.example&to={to}&mode=insecure"

    def start(self) -> None:
        """Start the server."""
        self.controller.start()

    def stop(self) -> None:
        """Stop the server."""
        self.controller.stop()

    def to(self, address: str) -> list[Received]:
        """Mails to an address."""
        return [m for m in self.messages if m.to == address]


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Poll ``condition`` until true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # noqa: BLE001 - a server still starting
            pass
        time.sleep(step)
    return bool(condition())
