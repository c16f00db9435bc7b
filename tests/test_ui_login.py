"""Logging in and out: hashed passwords, session cookies, expiry, and the login form's guards."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from switchboard.users.store import set_password
from ui_support import PASSWORDS, csrf_of, log_in, post_form, ui_app, ui_settings


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return ui_settings(tmp_path, tmp_path_factory.getbasetemp() / "ui-cache")


@pytest.fixture
def client(settings: Any) -> TestClient[Any]:
    return TestClient(ui_app(settings))


def test_pages_send_anyone_not_logged_in_to_the_login_page(client: TestClient[Any]) -> None:
    response = client.get("/ui/escalation?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/escalation%3Fx%3D1"
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"


def test_login_sets_a_protected_session_cookie_and_goes_where_asked(
    client: TestClient[Any],
) -> None:
    token = csrf_of(client, "/ui/login?next=/ui/proposals")
    response = client.post(
        "/ui/login",
        data={
            "login": "erika",
            "password": PASSWORDS["erika"],
            "next": "/ui/proposals",
            "_csrf": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/proposals"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("sb_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=28800" in cookie
    page = client.get("/ui/proposals")
    assert page.status_code == 200
    assert "Erika Neumann" in page.text


def test_login_by_email_address_works_too(client: TestClient[Any]) -> None:
    assert log_in(client, "ERIKA@nordwerk.example", PASSWORDS["erika"]).status_code == 303
    assert client.get("/ui/taxonomy").status_code == 200


def test_a_wrong_password_or_unknown_user_is_refused_alike(client: TestClient[Any]) -> None:
    wrong = log_in(client, "erika", "not-the-password")
    unknown = log_in(client, "nobody", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "The login name or the password is not right." in response.text
    assert client.get("/ui/", follow_redirects=False).status_code == 303


def test_only_local_paths_are_followed_after_login(client: TestClient[Any]) -> None:
    for target in ("//evil.example/ui", "https://evil.example/", "/\\evil.example", "/v1/keys"):
        fresh = TestClient(client.app)  # logged out, with its own CSRF token
        token = csrf_of(fresh)
        response = fresh.post(
            "/ui/login",
            data={"login": "erika", "password": PASSWORDS["erika"], "next": target, "_csrf": token},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/ui/", target


def test_logging_in_starts_a_new_session(client: TestClient[Any]) -> None:
    token = csrf_of(client)
    before = client.cookies.get("sb_session")
    data = {"login": "erika", "password": PASSWORDS["erika"], "_csrf": token}
    assert client.post("/ui/login", data=data, follow_redirects=False).status_code == 303
    assert client.cookies.get("sb_session") != before
    # the anonymous session's token no longer counts
    assert client.post("/ui/login", data=data, follow_redirects=False).status_code == 403


def test_repeated_wrong_passwords_lock_the_name_for_a_while(client: TestClient[Any]) -> None:
    for _ in range(5):
        assert log_in(client, "vera", "wrong-password").status_code == 401
    assert log_in(client, "vera").status_code == 401  # right password, still refused
    assert log_in(client, "max").status_code == 303  # other names are not affected


def test_sessions_expire(client: TestClient[Any]) -> None:
    assert log_in(client, "erika").status_code == 303
    assert client.get("/ui/taxonomy").status_code == 200
    sessions = client.app.state.ui.sessions
    later = time.time() + sessions.lifetime_s + 1
    sessions.clock = lambda: later
    response = client.get("/ui/taxonomy", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")


def test_a_new_password_ends_older_sessions(client: TestClient[Any], settings: Any) -> None:
    assert log_in(client, "erika").status_code == 303
    set_password(settings.users_path, "erika", "a-brand-new-secret")
    client.app.state.ui.users.reload()
    assert client.get("/ui/taxonomy", follow_redirects=False).status_code == 303
    assert log_in(client, "erika", "a-brand-new-secret").status_code == 303


def test_a_forged_cookie_is_ignored(client: TestClient[Any]) -> None:
    assert log_in(client, "erika").status_code == 303
    cookie = client.cookies.get("sb_session")
    assert cookie
    payload, _, signature = cookie.rpartition(".")
    client.cookies.set("sb_session", payload + "." + signature[::-1])
    assert client.get("/ui/taxonomy", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(client: TestClient[Any]) -> None:
    assert log_in(client, "erika").status_code == 303
    response = post_form(client, "/ui/logout", {}, page="/ui/taxonomy")
    assert response.status_code == 303
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert client.get("/ui/taxonomy", follow_redirects=False).status_code == 303


def test_secure_cookies_when_configured(tmp_path: Path, tmp_path_factory: Any) -> None:
    settings = ui_settings(tmp_path, tmp_path_factory.getbasetemp() / "ui-cache")
    secure = settings.model_copy(update={"ui_cookie_secure": True})
    client = TestClient(ui_app(secure), base_url="https://testserver.local")
    response = client.get("/ui/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-sb_session=") and "Secure" in cookie
    assert log_in(client, "erika").status_code == 303
    assert client.get("/ui/taxonomy").status_code == 200


def test_pages_carry_security_headers(client: TestClient[Any]) -> None:
    response = client.get("/ui/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
