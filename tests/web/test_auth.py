"""Login, roles, wall links, the start-up rule and forged callback requests."""

import io
import json
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from dashboard import auth
from dashboard.app import create_app
from dashboard.auth import (
    AccessFile,
    AccessFileError,
    callback_area,
    callback_outputs,
    is_loopback,
    path_area,
    safe_next,
)
from dashboard.cli import main
from dashboard.settings import Settings, SettingsError

PASSWORDS = {"truongca": "mat-khau-truong-ca", "lanhdao": "mat-khau-lanh-dao"}


@pytest.fixture
def users_file(tmp_path):
    path = tmp_path / "users.json"
    access = AccessFile(path)
    access.add_user("truongca", PASSWORDS["truongca"], "supervisor", "Trần Thị Ca")
    access.add_user("lanhdao", PASSWORDS["lanhdao"], "leader", "Lê Văn Đạo")
    return path


@pytest.fixture
def secured(sqlite_url, users_file):
    settings = Settings(
        DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(users_file), HOTLINE_SESSION_HOURS=8
    )
    app = create_app(settings, start_jobs=False)
    yield app
    app.server.config["HOTLINE_SERVICE"].engine.dispose()


def _csrf(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def login(client, username, password=None, next_path=None):
    token = _csrf(client)
    query = f"?next={next_path}" if next_path else ""
    return client.post(
        f"/login{query}",
        data={"username": username, "password": password or PASSWORDS[username], "csrf": token},
    )


def _cookie(response, name="hotline_session"):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    return None


# --- the start-up rule ----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "hotline.local"])
def test_refuses_to_start_beyond_loopback_without_login(sqlite_url, host):
    settings = Settings(DATABASE_URL=sqlite_url, HOTLINE_HOST=host)
    with pytest.raises(SettingsError) as caught:
        create_app(settings, start_jobs=False)
    message = str(caught.value)
    assert "HOTLINE_HOST" in message and "HOTLINE_USERS_FILE" in message
    assert "HOTLINE_ALLOW_ANONYMOUS" in message


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_needs_no_login(sqlite_url, host):
    app = create_app(Settings(DATABASE_URL=sqlite_url, HOTLINE_HOST=host), start_jobs=False)
    client = app.server.test_client()
    assert client.get("/shift").status_code == 200
    assert client.get("/overview").status_code == 200


def test_an_explicit_opt_out_for_a_closed_network(sqlite_url):
    settings = Settings(
        DATABASE_URL=sqlite_url, HOTLINE_HOST="0.0.0.0", HOTLINE_ALLOW_ANONYMOUS=True
    )
    app = create_app(settings, start_jobs=False)
    assert app.server.test_client().get("/overview").status_code == 200


def test_with_login_it_starts_beyond_loopback(sqlite_url, users_file):
    settings = Settings(
        DATABASE_URL=sqlite_url, HOTLINE_HOST="0.0.0.0", HOTLINE_USERS_FILE=str(users_file)
    )
    client = create_app(settings, start_jobs=False).server.test_client()
    assert client.get("/overview").status_code == 302


def test_a_missing_or_broken_users_file_stops_start_up(sqlite_url, tmp_path):
    missing = Settings(DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(tmp_path / "none.json"))
    with pytest.raises(SettingsError, match=r"HOTLINE_USERS_FILE.*add-user"):
        create_app(missing, start_jobs=False)
    broken = tmp_path / "broken.json"
    broken.write_text('{"users": [{"username": "x", "role": "admin"}]}', encoding="utf-8")
    settings = Settings(DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(broken))
    with pytest.raises(SettingsError, match="role"):
        create_app(settings, start_jobs=False)


def test_a_users_file_without_a_secret_needs_the_setting(sqlite_url, tmp_path):
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": []}), encoding="utf-8")
    with pytest.raises(SettingsError, match="HOTLINE_SECRET_KEY"):
        create_app(
            Settings(DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(path)), start_jobs=False
        )
    settings = Settings(
        DATABASE_URL=sqlite_url, HOTLINE_USERS_FILE=str(path), HOTLINE_SECRET_KEY="k" * 40
    )
    create_app(settings, start_jobs=False)


# --- refused without login ------------------------------------------------------------------


def test_pages_and_exports_are_refused_without_login(secured):
    client = secured.server.test_client()
    for path in ("/shift", "/shift/report?shift=1", "/overview?from=2026-11-01", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")
    assert (
        "next=%2Fshift%2Freport%3Fshift%3D1"
        in client.get("/shift/report?shift=1").headers["Location"]
    )
    for path in ("/export/tickets.csv", "/export/agencies.csv"):
        response = client.get(path)
        assert response.status_code == 401 and response.get_json()["error"]


def test_health_assets_and_login_stay_reachable(secured):
    client = secured.server.test_client()
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/login").status_code == 200
    assert client.get("/assets/vendor/themes/flatly.min.css").status_code == 200


def test_the_api_needs_the_walls_role_and_a_revoked_link_loses_it(secured, users_file):
    anonymous = secured.server.test_client()
    response = anonymous.get("/api/snapshot?agency=so_gtvt&shift=all")
    assert response.status_code == 401
    assert response.get_json()["error"]
    link, token = AccessFile(users_file).create_link("wall")
    screen = secured.server.test_client()
    screen.get(f"/wall/{token}")
    assert screen.get("/api/snapshot?shift=all").status_code == 200
    AccessFile(users_file).revoke_link(link.id)
    assert screen.get("/api/snapshot?shift=all").status_code == 401


# --- login and roles ------------------------------------------------------------------------


def test_supervisor_sees_the_shift_view_but_not_the_leaders(secured):
    client = secured.server.test_client()
    response = login(client, "truongca")
    assert response.status_code == 302 and response.headers["Location"] == "/shift"
    assert client.get("/shift").status_code == 200
    assert client.get("/shift/report").status_code == 200
    assert client.get("/").status_code == 200
    refused = client.get("/overview")
    assert refused.status_code == 403
    assert "Lãnh đạo" in refused.get_data(as_text=True)
    assert client.get("/export/tickets.csv").status_code == 403
    assert client.get("/export/agencies.csv").status_code == 403


def test_leader_sees_everything(secured):
    client = secured.server.test_client()
    response = login(client, "lanhdao")
    assert response.headers["Location"] == "/overview"
    for path in ("/overview", "/shift", "/"):
        assert client.get(path).status_code == 200, path
    export = client.get("/export/agencies.csv?from=2026-11-01&to=2026-11-30")
    assert export.status_code == 200 and export.mimetype == "text/csv"


def test_login_goes_back_where_it_was_asked_but_never_elsewhere(secured):
    client = secured.server.test_client()
    response = login(client, "lanhdao", next_path="/overview?from=2026-11-01")
    assert response.headers["Location"] == "/overview?from=2026-11-01"
    client = secured.server.test_client()
    response = login(client, "lanhdao", next_path="//evil.example/steal")
    assert response.headers["Location"] == "/overview"


def test_wrong_password_and_unknown_user_are_refused_alike(secured):
    client = secured.server.test_client()
    wrong = login(client, "truongca", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "không đúng" in wrong.get_data(as_text=True)
    assert client.get("/shift").status_code == 302


def test_login_form_needs_its_csrf_token(secured):
    client = secured.server.test_client()
    client.get("/login")
    response = client.post(
        "/login", data={"username": "truongca", "password": PASSWORDS["truongca"], "csrf": "x"}
    )
    assert response.status_code == 400
    assert client.get("/shift").status_code == 302


def test_repeated_failures_lock_the_account_for_that_address(secured):
    client = secured.server.test_client()
    for _ in range(auth.MAX_FAILURES):
        assert login(client, "truongca", "guess-guess").status_code == 401
    assert login(client, "truongca").status_code == 429
    assert client.get("/shift").status_code == 302


def test_logout_ends_the_session(secured):
    client = secured.server.test_client()
    login(client, "truongca")
    assert client.post("/logout").status_code == 302
    assert client.get("/shift").status_code == 302


def test_a_session_lasts_the_configured_hours(secured, monkeypatch):
    client = secured.server.test_client()
    response = login(client, "truongca")
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", _cookie(response)).group(1))
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=8))) < timedelta(minutes=2)
    later = time.time() + 8 * 3600 + 60
    monkeypatch.setattr(auth.time, "time", lambda: later)
    assert client.get("/shift").status_code == 302


def test_removing_a_user_or_changing_the_password_ends_their_sessions(secured, users_file):
    first, second = secured.server.test_client(), secured.server.test_client()
    login(first, "truongca")
    login(second, "lanhdao")
    access = AccessFile(users_file)
    access.remove_user("truongca")
    assert first.get("/shift").status_code == 302
    access.add_user("lanhdao", "a-brand-new-password", "leader")
    assert second.get("/overview").status_code == 302


# --- wall links -----------------------------------------------------------------------------


def test_a_wall_link_opens_the_wall_only(secured, users_file):
    _, token = AccessFile(users_file).create_link("Phòng điều hành")
    client = secured.server.test_client()
    response = client.get(f"/wall/{token}?theme=light&lang=en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?theme=light&lang=en"
    assert client.get("/").status_code == 200
    assert client.get("/shift").status_code == 403
    assert client.get("/overview").status_code == 403
    assert client.get("/export/tickets.csv").status_code == 403


def test_a_wall_session_never_expires_by_itself(secured, users_file, monkeypatch):
    _, token = AccessFile(users_file).create_link("Sảnh")
    client = secured.server.test_client()
    client.get(f"/wall/{token}")
    response = client.get("/")
    # every request renews the cookie for as long as browsers keep one
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", _cookie(response)).group(1))
    assert expires - datetime.now(UTC) > timedelta(days=399)
    a_year_on = time.time() + 365 * 24 * 3600
    monkeypatch.setattr(auth.time, "time", lambda: a_year_on)
    assert client.get("/").status_code == 200


def test_a_revoked_wall_link_is_refused_on_the_next_request(secured, users_file):
    access = AccessFile(users_file)
    link, token = access.create_link("Phòng họp")
    _other, other_token = access.create_link("Sảnh")
    screen, lobby = secured.server.test_client(), secured.server.test_client()
    screen.get(f"/wall/{token}")
    lobby.get(f"/wall/{other_token}")
    assert screen.get("/").status_code == 200
    assert access.revoke_link(link.id)
    assert screen.get("/").status_code == 302  # back to the login
    assert lobby.get("/").status_code == 200  # the other screen is untouched
    assert secured.server.test_client().get(f"/wall/{token}").status_code == 403
    assert not access.revoke_link(link.id)


def test_an_unknown_wall_token_is_refused(secured):
    client = secured.server.test_client()
    response = client.get("/wall/not-a-token")
    assert response.status_code == 403
    assert "thu hồi" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_tokens_are_stored_hashed(users_file):
    link, token = AccessFile(users_file).create_link("x")
    text = users_file.read_text(encoding="utf-8")
    assert token not in text and link.token_sha256 in text
    assert PASSWORDS["truongca"] not in text
    assert oct(users_file.stat().st_mode & 0o777) == "0o600"


# --- forged callback requests ---------------------------------------------------------------


def _forge(client, output):
    body = {"output": output, "outputs": {"id": output.rsplit(".", 1)[0], "property": "x"},
            "inputs": [], "changedPropIds": [], "state": []}  # fmt: skip
    return client.post("/_dash-update-component", json=body)


def test_forged_callbacks_are_refused_by_role(secured, users_file):
    anonymous = secured.server.test_client()
    assert _forge(anonymous, "shift-content.children").status_code == 401
    assert _forge(anonymous, "overview-content.children").status_code == 401
    assert _forge(anonymous, "wall-main.children").status_code == 401
    _, token = AccessFile(users_file).create_link("wall")
    wall = secured.server.test_client()
    wall.get(f"/wall/{token}")
    assert _forge(wall, "shift-content.children").status_code == 403
    assert _forge(wall, "overview-content.children").status_code == 403
    supervisor = secured.server.test_client()
    login(supervisor, "truongca")
    assert _forge(supervisor, "overview-content.children").status_code == 403
    assert (
        _forge(supervisor, "..shift-content.children...overview-drill.children..").status_code
        == 403
    )
    pattern = '{"index":1,"type":"overview-drill-page"}.children'
    assert _forge(supervisor, pattern).status_code == 403


# --- pure parts -----------------------------------------------------------------------------


def test_callback_outputs_and_areas():
    assert callback_outputs({"output": "page.children"}) == ["page"]
    assert callback_outputs({"output": "..a.children...b.style.."}) == ["a", "b"]
    many = {"output": "x", "outputs": [{"id": {"type": "overview-row", "index": 2}}]}
    assert callback_outputs(many) == ["x", "overview-row"]
    assert callback_outputs("garbage") == []
    assert callback_area(["page", "wall-main"]) == "wall"
    assert callback_area(["shift-kpis"]) == "shift"
    assert callback_area(["shift-kpis", "overview-x"]) == "overview"
    assert callback_area(["{not json"]) == "overview"


def test_path_areas():
    assert path_area("/shift") == path_area("/shift/report") == "shift"
    assert path_area("/overview") == path_area("/export/tickets.csv") == "overview"
    assert path_area("/") == "wall"
    assert path_area("/api/snapshot") == "wall"
    assert path_area("/healthz") is None and path_area("/assets/x.css") is None
    assert path_area("/shiftless") is None


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.com",
        "/\n/evil.com",
        "/\r\n/x",
        "//evil.com",
        "/\\evil.com",
        "https://evil.com",
        "/ /evil.com",
    ],
)
def test_safe_next_refuses_what_a_browser_would_turn_into_another_site(target):
    assert safe_next(target) is None


def test_login_with_a_hostile_next_never_redirects_away_nor_fails(secured):
    for target in ("/%09/evil.com", "/%0d%0a/x", "//evil.com"):
        client = secured.server.test_client()
        response = login(client, "truongca", next_path=target)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/")
        assert not response.headers["Location"].startswith("//")


def test_safe_next():
    assert safe_next("/overview?from=2026-11-01") == "/overview?from=2026-11-01"
    for bad in ("//evil.example", "http://evil.example", "/\\evil", "", None, "javascript:x"):
        assert safe_next(bad) is None


def test_is_loopback():
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host)
    for host in ("0.0.0.0", "::", "10.0.0.5", "example.org", ""):
        assert not is_loopback(host)


def test_access_file_checks_what_it_writes(tmp_path):
    access = AccessFile(tmp_path / "u.json")
    with pytest.raises(AccessFileError, match="role"):
        access.add_user("a", "long-enough-password", "admin")
    with pytest.raises(AccessFileError, match="10 characters"):
        access.add_user("a", "short", "leader")
    with pytest.raises(AccessFileError, match="username"):
        access.add_user("a b", "long-enough-password", "leader")
    assert access.add_user("A.Nguyen", "long-enough-password", "leader")
    assert not access.add_user("a.nguyen", "another-long-password", "supervisor")
    data = access.read()
    assert list(data.accounts) == ["a.nguyen"] and data.accounts["a.nguyen"].role == "supervisor"
    assert data.secret_key and len(data.secret_key) == 64


def test_cli_manages_users_and_links(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-cli-password\n"))
    assert main(["add-user", "truongca2", "--role", "supervisor", "--password-stdin",
                 "--file", str(path), "--name", "Phạm Thị Ca"]) == 0  # fmt: skip
    assert "added truongca2" in capsys.readouterr().out
    assert main(["wall-link", "create", "--label", "Phòng điều hành", "--file", str(path),
                 "--base-url", "http://hotline.local:8050"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    token = re.search(r"http://hotline.local:8050/wall/(\S+)", out).group(1)
    link_id = re.search(r"wall link (\w+)", out).group(1)
    assert AccessFile(path).read().links[link_id].token_sha256 == auth.token_digest(token)
    assert main(["wall-link", "list", "--file", str(path)]) == 0
    assert "active" in capsys.readouterr().out
    assert main(["wall-link", "revoke", link_id, "--file", str(path)]) == 0
    assert main(["wall-link", "revoke", link_id, "--file", str(path)]) == 1
    assert main(["remove-user", "truongca2", "--file", str(path)]) == 0
    assert main(["remove-user", "truongca2", "--file", str(path)]) == 1
    monkeypatch.delenv("HOTLINE_USERS_FILE", raising=False)
    assert main(["wall-link", "list"]) == 2


def test_the_rate_limiter_names_every_view_without_an_error(secured, caplog):
    """Flask-Limiter names each view by ``__name__``: a bare partial logged an error per request."""
    client = secured.server.test_client()
    caplog.set_level("ERROR", logger="flask-limiter")
    assert client.get("/login").status_code == 200
    assert login(client, "lanhdao").status_code == 302
    assert client.get("/wall/not-a-token").status_code in (302, 403, 404)
    assert client.get("/export/tickets.csv").status_code == 200
    assert client.get("/export/agencies.csv").status_code == 200
    failures = [r for r in caplog.records if r.name == "flask-limiter"]
    assert failures == [], [r.getMessage() for r in failures]
