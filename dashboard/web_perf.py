"""What the app sends over the wire: compressed, cached for as long as it cannot change, no 500s.

- **Compression** (Flask-Compress): brotli, else gzip, for HTML, CSS, JavaScript, JSON and
  SVG. The compressed bytes of fingerprinted files (Dash's component suites, ``/assets/...?m=``)
  are kept in memory per app, so each is compressed once per process.
- **Cache lifetimes**: a fingerprinted URL changes whenever its file does, so the browser
  keeps it a year without asking again (``immutable``); other static files revalidate.
- **No Plotly**: Dash fetches Plotly only when a ``dcc.Graph`` mounts, and no page mounts
  one: the wall's charts (layouts/wall_charts.py) and the desk views' (layouts/desk_charts.py)
  are HTML. (The desk views used to get a vendored partial bundle here, 455 kB compressed.)
- **Never a 500** for a file that does not exist: Dash raises ``DependencyException`` for an
  unknown component-suite package or path; it answers 404 here.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, Request, Response, request
from flask_compress import Compress

ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
ONE_DAY = "public, max-age=86400"
COMPRESSED_TYPES = (
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/x-javascript",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
)
SUITES = "_dash-component-suites/"
ASSETS = "assets/"
CACHE_LIMIT_BYTES = 64 * 1024 * 1024
FINGERPRINT = re.compile(r"\.v[0-9A-Za-z_]+m[0-9]+\.")


class CompressedFiles:
    """Compressed bytes of fingerprinted files, by algorithm and URL (bounded, least recent out).

    Flask-Compress asks every response; only keys of cacheable URLs (see ``cache_key``)
    are kept, so dynamic answers (callbacks, the API) are compressed afresh every time.
    """

    def __init__(self, limit_bytes: int = CACHE_LIMIT_BYTES) -> None:
        self.limit_bytes = limit_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";") or len(value) > self.limit_bytes:
            return  # not a fingerprinted file (see cache_key)
        with self._lock:
            old = self._items.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._items[key] = value
            self._size += len(value)
            while self._size > self.limit_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def _relative(path: str, prefix: str) -> str | None:
    return path[len(prefix) :] if path.startswith(prefix) else None


def is_fingerprinted(req: Request, prefix: str = "/") -> bool:
    """Whether the URL names one version of a file (it changes whenever the file does)."""
    rest = _relative(req.path, prefix)
    if rest is None:
        return False
    if rest.startswith(SUITES):
        # Dash's fingerprint: name.v<version>m<mtime>.js (or ?m= on older links).
        return bool(FINGERPRINT.search(rest.rsplit("/", 1)[-1])) or "m" in req.args
    return rest.startswith(ASSETS) and "m" in req.args


def cache_key(req: Request) -> str:
    """The cache key of a response Flask-Compress compresses: empty unless fingerprinted."""
    if req.method != "GET":
        return ""
    prefix = _prefix()
    if is_fingerprinted(req, prefix):
        return req.full_path
    return ""


def _prefix() -> str:
    from flask import current_app

    return str(current_app.config.get("HOTLINE_PATH_PREFIX", "/"))


def _cache_headers(response: Response) -> Response:
    """Long lifetimes for fingerprinted files; buffer static files so their compression caches."""
    prefix = _prefix()
    if response.status_code == 200 and request.method in ("GET", "HEAD"):
        if is_fingerprinted(request, prefix):
            response.headers["Cache-Control"] = IMMUTABLE
        elif request.path.startswith(prefix + ASSETS) or request.path == prefix + "_favicon.ico":
            response.headers.setdefault("Cache-Control", "no-cache")
        if response.is_streamed and request.path.startswith(prefix + ASSETS):
            # send_file streams; a buffered body lets Flask-Compress keep its compressed bytes.
            response.direct_passthrough = False
            response.make_sequence()
    return response


def _not_found(_error: Exception) -> tuple[str, int, dict[str, str]]:
    return "Not found", 404, {"Content-Type": "text/plain; charset=utf-8"}


def configure_compression(server: Flask) -> Compress:
    """Flask-Compress with brotli and gzip, caching the bytes of fingerprinted files."""
    cache = CompressedFiles()
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br"],
        COMPRESS_MIMETYPES=list(COMPRESSED_TYPES),
        COMPRESS_BR_LEVEL=5,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_CACHE_BACKEND=lambda: cache,
        COMPRESS_CACHE_KEY=cache_key,
    )
    server.extensions["hotline_compressed_files"] = cache
    return Compress(server)


def install_web_perf(app: Dash) -> None:
    """Compression, cache lifetimes and 404s for unknown files."""
    server = app.server
    server.config.setdefault("HOTLINE_PATH_PREFIX", app.config.requests_pathname_prefix or "/")
    configure_compression(server)
    # After Compress: Flask runs after_request hooks last-registered first, so the headers
    # and the buffering are done before Flask-Compress sees the response.
    server.after_request(_cache_headers)
    server.register_error_handler(DependencyException, _not_found)


def compressed_files(server: Flask) -> Any:
    """The app's cache of compressed files (for tests and benchmarks)."""
    return server.extensions.get("hotline_compressed_files")
