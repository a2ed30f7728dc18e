"""Who may see what: logins with Flask-Login, roles, and revocable wall-screen links.

Accounts (``supervisor``, ``leader``) and wall links live in one JSON file
(``HOTLINE_USERS_FILE``), written by the CLI: passwords hashed with
``werkzeug.security``, wall-link tokens stored as SHA-256 only. The file is
re-read when it changes, so a removed account or a revoked link is refused
on its next request, in every process. Sessions are Flask's signed cookies
handled by Flask-Login; a wall link's session renews itself with every refresh
and never expires by itself, a person's lasts ``HOTLINE_SESSION_HOURS``.

Which roles may open which area, and the area of each page, are declared once in
:mod:`dashboard.routes`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial, update_wrapper
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from dash import Dash
from flask import (
    Flask,
    Response,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from markupsafe import Markup
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.callback_guard import callback_route
from dashboard.i18n import normalise_language
from dashboard.i18n_views import vtext
from dashboard.routes import AREA_ROLES, WALL_ROLE, callback_prefixes, path_area
from dashboard.settings import Settings, SettingsError, env_name

log = logging.getLogger(__name__)

ACCOUNT_ROLES: tuple[str, ...] = ("supervisor", "leader")
# Component ids of each page start with its prefix; a callback is guarded by its outputs.
CALLBACK_PREFIXES: Mapping[str, str] = callback_prefixes()
LOOPBACK_NAMES = ("localhost",)
USERNAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
WALL_SESSION_DAYS = 400  # browsers cap cookies at 400 days; each refresh renews it
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_EXPIRES = "_hv_expires"
SESSION_CSRF = "_hv_csrf"


class AccessFileError(ValueError):
    """The users file is missing or malformed."""


def is_loopback(host: str) -> bool:
    """Whether a listening address only accepts connections from this machine."""
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def token_digest(token: str) -> str:
    """The stored form of a wall-link token (tokens are long random strings: SHA-256 suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Account:
    """A person who logs in."""

    username: str
    role: str
    password_hash: str
    name: str = ""

    @property
    def fingerprint(self) -> str:
        """Changes with the password: a new password ends the sessions of the old one."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class WallLink:
    """A read-only link for a wall screen."""

    id: str
    token_sha256: str
    label: str = ""
    created_at: str = ""
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


@dataclass(frozen=True)
class AccessData:
    """The contents of the users file."""

    accounts: dict[str, Account] = field(default_factory=dict)
    links: dict[str, WallLink] = field(default_factory=dict)
    secret_key: str | None = None


def parse_access(document: Any, path: Path | str = "users file") -> AccessData:
    """Check and read the users file's JSON document."""
    if not isinstance(document, dict):
        raise AccessFileError(f"{path}: must hold a JSON object")
    accounts: dict[str, Account] = {}
    for index, item in enumerate(document.get("users", [])):
        if not isinstance(item, dict):
            raise AccessFileError(f"{path}: users[{index}] must be an object")
        username = str(item.get("username", ""))
        role = item.get("role")
        password_hash = item.get("password_hash")
        if not username or role not in ACCOUNT_ROLES or not isinstance(password_hash, str):
            raise AccessFileError(
                f"{path}: users[{index}] needs a username, a role (supervisor|leader) "
                "and a password_hash"
            )
        accounts[username] = Account(username, role, password_hash, str(item.get("name", "")))
    links: dict[str, WallLink] = {}
    for index, item in enumerate(document.get("wall_links", [])):
        if not isinstance(item, dict) or not item.get("id") or not item.get("token_sha256"):
            raise AccessFileError(f"{path}: wall_links[{index}] needs an id and a token_sha256")
        links[str(item["id"])] = WallLink(
            str(item["id"]),
            str(item["token_sha256"]),
            str(item.get("label", "")),
            str(item.get("created_at", "")),
            item.get("revoked_at"),
        )
    secret = document.get("secret_key")
    return AccessData(accounts, links, str(secret) if secret else None)


class AccessFile:
    """The users file: read when it changed (cheap ``stat`` per request), written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._data = AccessData()

    def _read_document(self) -> dict[str, Any]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AccessFileError(
                f"{self.path} does not exist: create it with `python -m dashboard add-user`"
            ) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise AccessFileError(f"cannot read {self.path}: {exc}") from exc
        if not isinstance(document, dict):
            raise AccessFileError(f"{self.path}: must hold a JSON object")
        return document

    def read(self) -> AccessData:
        """The current contents; a file that became unreadable keeps the last good contents."""
        try:
            stat = self.path.stat()
        except OSError as exc:
            if self._stamp is None:
                raise AccessFileError(
                    f"{self.path} does not exist: create it with `python -m dashboard add-user`"
                ) from exc
            log.error("users file %s unreadable; keeping what was read before", self.path)
            return self._data
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._data = parse_access(self._read_document(), self.path)
                except AccessFileError:
                    if self._stamp is None:
                        raise
                    log.error("users file %s is malformed; keeping the previous one", self.path)
                    return self._data
                self._stamp = stamp
            return self._data

    # --- writing (the CLI) ----------------------------------------------------------------------
    def _load_for_update(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"users": [], "wall_links": []}
        document = self._read_document()
        parse_access(document, self.path)
        return document

    def _write(self, document: dict[str, Any]) -> None:
        document.setdefault("secret_key", secrets.token_hex(32))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A new file replaces the old in one rename: readers never see half a file.
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".users-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream, ensure_ascii=False, indent=1)
                stream.write("\n")
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def add_user(self, username: str, password: str, role: str, name: str = "") -> bool:
        """Add or update an account; True when it is new."""
        username = username.strip().lower()
        if not username or not set(username) <= USERNAME_CHARACTERS or len(username) > 64:
            raise AccessFileError("a username uses a-z, 0-9, '.', '_' or '-' (at most 64)")
        if role not in ACCOUNT_ROLES:
            raise AccessFileError("the role is supervisor or leader")
        if len(password) < 10:
            raise AccessFileError("a password has at least 10 characters")
        document = self._load_for_update()
        users = [u for u in document.get("users", []) if u.get("username") != username]
        new = len(users) == len(document.get("users", []))
        users.append(
            {
                "username": username,
                "name": name,
                "role": role,
                "password_hash": generate_password_hash(password),
            }
        )
        document["users"] = users
        self._write(document)
        return new

    def remove_user(self, username: str) -> bool:
        """Remove an account (its sessions end on their next request); False if unknown."""
        document = self._load_for_update()
        users = document.get("users", [])
        kept = [u for u in users if u.get("username") != username.strip().lower()]
        document["users"] = kept
        self._write(document)
        return len(kept) != len(users)

    def create_link(self, label: str = "") -> tuple[WallLink, str]:
        """A new wall link and its token (shown once; only its hash is kept)."""
        document = self._load_for_update()
        token = secrets.token_urlsafe(32)
        link = WallLink(
            id=secrets.token_hex(4),
            token_sha256=token_digest(token),
            label=label,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        document.setdefault("wall_links", []).append(
            {
                "id": link.id,
                "label": link.label,
                "token_sha256": link.token_sha256,
                "created_at": link.created_at,
                "revoked_at": None,
            }
        )
        self._write(document)
        return link, token

    def revoke_link(self, link_id: str) -> bool:
        """Revoke a wall link: its screen is refused on its next refresh. False if unknown."""
        document = self._load_for_update()
        found = False
        for item in document.get("wall_links", []):
            if item.get("id") == link_id and item.get("revoked_at") is None:
                item["revoked_at"] = datetime.now(UTC).isoformat(timespec="seconds")
                found = True
        if found:
            self._write(document)
        return found


class Viewer(UserMixin):
    """The signed-in person or wall screen of a request."""

    def __init__(self, session_id: str, role: str, name: str) -> None:
        self.id = session_id
        self.role = role
        self.name = name

    def get_id(self) -> str:
        """What Flask-Login keeps in the session."""
        return self.id


class HotlineSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with each session's own end.

    A person's session ends at its ``_hv_expires``; a wall screen's has none and
    its cookie is renewed with every refresh (``SESSION_REFRESH_EACH_REQUEST``).
    """

    def get_expiration_time(self, app: Flask, session: Any) -> datetime | None:
        """When the cookie ends: the login's end, or the (renewed) permanent lifetime."""
        expires = session.get(SESSION_EXPIRES)
        if expires:
            return datetime.fromtimestamp(float(expires), UTC)
        return super().get_expiration_time(app, session)


@dataclass
class LoginThrottle:
    """Failed logins per (user, address): after a few, refuse that pair for a while."""

    failures: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def locked(self, key: tuple[str, str], now: float) -> bool:
        """Whether this pair is locked out now."""
        with self.lock:
            recent = [at for at in self.failures.get(key, []) if now - at < LOCK_MINUTES * 60]
            self.failures[key] = recent
            return len(recent) >= MAX_FAILURES

    def fail(self, key: tuple[str, str], now: float) -> None:
        """Record a failure."""
        with self.lock:
            self.failures.setdefault(key, []).append(now)
            if len(self.failures) > 10_000:  # bounded: forget the oldest pairs
                for old in list(self.failures)[:5_000]:
                    del self.failures[old]

    def clear(self, key: tuple[str, str]) -> None:
        """Forget the failures of a pair after a success."""
        with self.lock:
            self.failures.pop(key, None)


class AccessControl:
    """The access rules of one app: who is signed in and whether they may see an area."""

    def __init__(self, settings: Settings, access_file: AccessFile | None) -> None:
        self.settings = settings
        self.file = access_file
        self.throttle = LoginThrottle()

    @property
    def enabled(self) -> bool:
        """Whether login is configured (otherwise every page is open)."""
        return self.file is not None

    def data(self) -> AccessData:
        """The accounts and links as they are now."""
        return self.file.read() if self.file is not None else AccessData()

    def role(self) -> str | None:
        """The role of the current request: None when not signed in; "open" without login."""
        if not self.enabled:
            return "open"
        if current_user.is_authenticated:
            return str(current_user.role)
        return None

    def allows(self, area: str) -> bool:
        """Whether the current request may see ``area``."""
        role = self.role()
        if role == "open":
            return True
        return role is not None and role in AREA_ROLES[area]

    def viewer_name(self) -> str:
        """Who is signed in, for the navbar and the report."""
        if not self.enabled or not current_user.is_authenticated:
            return ""
        return str(current_user.name)

    # --- sessions -------------------------------------------------------------------------------
    def load(self, session_id: str) -> Viewer | None:
        """The viewer of a session id, if its account or link still stands."""
        data = self.data()
        kind, _, rest = session_id.partition(":")
        if kind == "u":
            username, _, fingerprint = rest.rpartition(":")
            account = data.accounts.get(username)
            if account is None or not hmac.compare_digest(account.fingerprint, fingerprint):
                return None
            expires = session.get(SESSION_EXPIRES)
            if not expires or float(expires) < time.time():
                return None
            return Viewer(session_id, account.role, account.name or account.username)
        if kind == "w":
            link = data.links.get(rest)
            if link is None or not link.active:
                return None
            return Viewer(session_id, WALL_ROLE, link.label or WALL_ROLE)
        return None

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account of these credentials, or None."""
        account = self.data().accounts.get(username.strip().lower())
        if account is None:
            # Spend the same time as a real check, so that names cannot be probed.
            check_password_hash(_dummy_hash(), password)
            return None
        return account if check_password_hash(account.password_hash, password) else None

    def link_for_token(self, token: str) -> WallLink | None:
        """The active wall link of a token, or None."""
        digest = token_digest(token)
        found = None
        for link in self.data().links.values():
            if hmac.compare_digest(link.token_sha256, digest) and link.active:
                found = link
        return found


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not the password of anyone")


def callback_outputs(body: Any) -> list[str]:
    """The component ids a Dash callback request writes to (from its JSON body)."""
    if not isinstance(body, dict):
        return []
    outputs: list[str] = []
    declared = body.get("output")
    if isinstance(declared, str):
        parts = declared.strip(".").split("...") if declared.startswith("..") else [declared]
        for part in parts:
            component, _, _ = part.rpartition(".")
            outputs.append(component or part)
    items = body.get("outputs")
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict):
            outputs.append(_id_text(item.get("id")))
    return outputs


def _id_text(component: Any) -> str:
    if isinstance(component, dict):
        return str(component.get("type", ""))
    return str(component or "")


def callback_area(outputs: Iterable[str]) -> str:
    """The most restricted area a callback's outputs belong to ("wall" by default)."""
    areas = {"wall"}
    for output in outputs:
        text = output
        if text.startswith("{"):
            try:
                text = _id_text(json.loads(text))
            except ValueError:
                return _strictest(AREA_ROLES)  # an id nobody declared: the strictest answer
        for prefix, area in CALLBACK_PREFIXES.items():
            if text.startswith(prefix):
                areas.add(area)
    return _strictest(areas)


def _strictest(areas: Iterable[str]) -> str:
    """The area open to the fewest roles."""
    return min(areas, key=lambda area: (len(AREA_ROLES[area]), area))


def safe_next(target: str | None) -> str | None:
    """A local path to go back to after login (never another site)."""
    if not target or not target.startswith("/") or "\\" in target:
        return None
    # Browsers drop tabs and newlines in URLs: "/\t/evil.com" would become "//evil.com".
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target[:2000]


def check_startup(settings: Settings) -> AccessFile | None:
    """Refuse to serve beyond loopback without login; load the users file when set."""
    if settings.users_file is None:
        if not is_loopback(settings.host) and not settings.allow_anonymous:
            raise SettingsError(
                f"{env_name('host')}={settings.host} listens beyond this machine, but no login "
                f"is configured: the shift view, the overview and the exports would be open to "
                f"the network. Create accounts with `python -m dashboard add-user` and set "
                f"{env_name('users_file')}, or set {env_name('allow_anonymous')}=true on a "
                f"closed network."
            )
        return None
    access_file = AccessFile(settings.users_file)
    try:
        data = access_file.read()
    except AccessFileError as exc:
        raise SettingsError(f"{env_name('users_file')}: {exc}") from None
    if not (settings.secret_key or data.secret_key):
        raise SettingsError(
            f"{env_name('users_file')} holds no secret_key and {env_name('secret_key')} is unset: "
            "sessions would not survive a restart (and wall screens would be logged out). "
            "Run `python -m dashboard add-user` once (it stores a key) or set the variable."
        )
    return access_file


def _page(lang: str, title: str, body: str, status: int = 200) -> Response:
    page = render_template(
        "login.html",
        lang=normalise_language(lang),
        title=title,
        brand=vtext(lang, "nav.brand"),
        body=Markup(body),  # noqa: S704 - the form macro's output or html.escape()d texts
    )
    return Response(page, status=status, mimetype="text/html")


def _lang() -> str:
    return normalise_language(request.args.get("lang"))


def _login_form(lang: str, next_path: str, message: str = "", tone: str = "danger") -> str:
    token = session.get(SESSION_CSRF) or secrets.token_urlsafe(24)
    session[SESSION_CSRF] = token
    query = urlencode({"next": next_path, **({"lang": "en"} if lang == "en" else {})})
    form = get_template_attribute("login.html", "login_form")
    return str(
        form(
            title=vtext(lang, "login.title"),
            intro=vtext(lang, "login.intro"),
            message=message,
            tone=tone,
            action=f"/login?{query}",
            token=token,
            username=vtext(lang, "login.username"),
            password=vtext(lang, "login.password"),
            submit=vtext(lang, "login.submit"),
        )
    )


def login(access: AccessControl, hours: float) -> Any:
    """``/login``: the form (GET) and the check of a username and password (POST)."""
    lang = _lang()
    next_path = safe_next(request.args.get("next")) or ""
    title = vtext(lang, "login.title")
    if request.method == "GET":
        if request.args.get("logged_out"):
            notice = vtext(lang, "login.logged_out")
            return _page(lang, title, _login_form(lang, next_path, notice, "success"))
        message = vtext(lang, "login.expired") if request.args.get("expired") else ""
        return _page(lang, title, _login_form(lang, next_path, message))
    sent = request.form.get("csrf", "")
    expected = session.get(SESSION_CSRF, "")
    username = request.form.get("username", "")[:64]
    key = (username.strip().lower(), request.remote_addr or "")
    if not expected or not hmac.compare_digest(sent, expected):
        form = _login_form(lang, next_path, vtext(lang, "login.failed"))
        return _page(lang, vtext(lang, "login.title"), form, 400)
    if access.throttle.locked(key, time.time()):
        form = _login_form(lang, next_path, vtext(lang, "login.locked", minutes=LOCK_MINUTES))
        return _page(lang, vtext(lang, "login.title"), form, 429)
    account = access.authenticate(username, request.form.get("password", "")[:1024])
    if account is None:
        access.throttle.fail(key, time.time())
        log.warning("failed login for %r from %s", key[0], key[1])
        form = _login_form(lang, next_path, vtext(lang, "login.failed"))
        return _page(lang, vtext(lang, "login.title"), form, 401)
    access.throttle.clear(key)
    session.clear()  # a fresh session: no fixation of one handed over before login
    session.permanent = True
    session[SESSION_EXPIRES] = time.time() + hours * 3600
    viewer = Viewer(f"u:{account.username}:{account.fingerprint}", account.role, account.name)
    login_user(viewer)
    log.info("login: %s (%s)", account.username, account.role)
    default = "/overview" if account.role == "leader" else "/shift"
    return redirect(next_path or (default + ("?lang=en" if lang == "en" else "")))


def logout() -> Any:
    """``/logout``: end the session, back to the login form."""
    lang = _lang()
    logout_user()
    session.clear()
    return redirect("/login?logged_out=1" + ("&lang=en" if lang == "en" else ""))


def wall_link(access: AccessControl, token: str) -> Any:
    """``/wall/<token>``: a wall screen's revocable link opens a wall session."""
    lang = _lang()
    link = access.link_for_token(token[:200])
    if link is None:
        log.warning("refused wall link from %s", request.remote_addr)
        body = (
            f'<div class="alert alert-danger">{html.escape(vtext(lang, "wall_link.invalid"))}</div>'
        )
        return _page(lang, vtext(lang, "nav.wall"), body, 403)
    session.clear()
    session.permanent = True
    login_user(Viewer(f"w:{link.id}", WALL_ROLE, link.label), remember=False)
    query = request.query_string.decode("ascii", "replace")
    return redirect("/" + (f"?{query}" if query else ""))


def guard(access: AccessControl, callbacks_path: str, pages_prefix: str) -> Any:
    """Before every request: refuse a page, route or callback the viewer's role may not open."""
    path = request.path
    if path == callbacks_path and request.method == "POST":
        callback = callback_area(callback_outputs(request.get_json(silent=True)))
        if not access.allows(callback):
            response = jsonify({"error": "not allowed", "area": callback})
            response.status_code = 403 if access.role() else 401
            return response
        return None
    area = path_area(path)
    if area is None and pages_prefix != "/" and path.startswith(pages_prefix):
        area = path_area("/" + path[len(pages_prefix) :])  # the pages under a URL prefix
    if area is None or access.allows(area):
        return None
    if access.role() is None:
        if path.startswith(("/export/", "/api/")):
            response = jsonify({"error": "login required", "field": None})
            response.status_code = 401
            return response
        target = request.full_path.rstrip("?")
        query = {"next": target}
        if normalise_language(request.args.get("lang")) == "en":
            query["lang"] = "en"
        return redirect("/login?" + urlencode(query))
    # Signed in, but not with a role for this area.
    if path.startswith(("/export/", "/api/")):
        response = jsonify({"error": "not allowed", "field": None})
        response.status_code = 403
        return response
    lang = _lang()
    role = vtext(lang, "role.leader" if area == "overview" else "role.supervisor")
    body = (
        f'<div class="alert alert-warning">{html.escape(vtext(lang, "page.forbidden"))}</div>'
        f"<p>{html.escape(vtext(lang, 'page.forbidden_hint', role=role))}</p>"
        f'<form method="post" action="/logout"><button class="btn btn-outline-primary" '
        f'type="submit">{html.escape(vtext(lang, "nav.logout"))}</button></form>'
    )
    return _page(lang, vtext(lang, "page.forbidden"), body, 403)


def install_access(app: Dash, settings: Settings) -> AccessControl:
    """Check the start-up rule, then attach login, logout, wall links and the guards."""
    access_file = check_startup(settings)
    server = app.server
    access = AccessControl(settings, access_file)
    server.config["HOTLINE_ACCESS"] = access
    if access_file is None:
        return access
    data = access.data()
    server.secret_key = settings.secret_key or data.secret_key
    server.session_interface = HotlineSessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME="hotline_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=timedelta(days=WALL_SESSION_DAYS),
    )
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = None  # a wall screen's address may change (DHCP); roles suffice
    manager.user_loader(access.load)
    # update_wrapper: Flask-Limiter names every view by ``__name__`` (a bare partial has none)
    login_view = update_wrapper(partial(login, access, settings.session_hours), login)
    server.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST", "GET"])
    link_view = update_wrapper(partial(wall_link, access), wall_link)
    server.add_url_rule("/wall/<token>", "wall_link", link_view)
    # The same path as the callback guard's: a URL prefix must not skip the role check.
    prefix = str(app.config.routes_pathname_prefix)
    server.before_request(partial(guard, access, callback_route(app), prefix))
    return access


def access_of(app: Dash) -> AccessControl:
    """The access control installed on an app."""
    access = app.server.config.get("HOTLINE_ACCESS")
    if access is None:  # pragma: no cover - install_access always runs in create_app
        raise RuntimeError("install_access was not called")
    return access
