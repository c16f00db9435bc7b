"""Who is asking: the session cookie's user, or the user a trusted SSO proxy names.

`identify` works it out once per request (kept in the request state). A session whose user
was removed, or whose password changed, counts as logged out. Guards: `require_user` sends
anyone not logged in to the login page; `check_csrf` refuses a form post whose token does not
belong to the caller's session (403), which a page on another site cannot know.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from switchboard.errors import Forbidden
from switchboard.users.model import User
from switchboard.web.ui.sessions import Session, password_tag
from switchboard.web.ui.setup import UiApp, ui_of

CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Login:
    user: User | None
    session: Session
    fresh: bool  # the session is new: the response sets the cookie
    via: str = ""  # password | proxy

    def csrf(self, ui: UiApp) -> str:
        return ui.sessions.csrf_token(self.session)


class LoginRequired(Exception):
    """Not logged in: the UI answers with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def identify(connection: ASGIConnection[Any, Any, Any, Any]) -> Login:
    cached = connection.state.get("ui_login")
    if isinstance(cached, Login):
        return cached
    ui = ui_of(connection.app.state)
    session = ui.sessions.decode(connection.cookies.get(ui.cookie_name))
    fresh = session is None
    if session is None:
        session = ui.sessions.new()
    login = Login(None, session, fresh)
    if ui.proxy is not None:
        peer = connection.client.host if connection.client else None
        name = ui.proxy.user_name(peer, dict(connection.headers))
        if name is not None:
            login = Login(ui.users.find(name), session, fresh, "proxy")
    if login.via != "proxy" and session.login:
        user = ui.users.get(session.login)
        if user is not None and hmac.compare_digest(session.pw, password_tag(user.password_hash)):
            login = Login(user, session, fresh, "password")
        else:  # the user is gone or changed the password: start over, logged out
            login = Login(None, ui.sessions.new(), True)
    connection.state.ui_login = login
    return login


def user_of(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    user = identify(connection).user
    if user is None:
        raise LoginRequired(connection.url.path)
    return user


def require_user(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    login = identify(connection)
    if login.user is None:
        if login.via == "proxy":
            raise Forbidden(
                "Your sign-on name is not a user of Switchboard; ask an administrator to add "
                "you with `switchboard users add`.",
                {"reason": "unknown_sso_user"},
            )
        target = connection.url.path
        if connection.url.query:
            target += "?" + connection.url.query
        raise LoginRequired(target if _method(connection) in SAFE_METHODS else "/ui/")


def need_role(user: User, role: str, action: str) -> None:
    if not user.has(role):
        raise Forbidden(
            f"To {action} you need the {role} role.", {"role": role, "roles": sorted(user.roles)}
        )


async def check_csrf(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if _method(connection) in SAFE_METHODS:
        return
    login = identify(connection)
    sent = connection.headers.get(CSRF_HEADER)
    if sent is None:
        form = await connection.form()  # type: ignore[attr-defined]
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = login.csrf(ui_of(connection.app.state))
    if login.fresh or not sent or not hmac.compare_digest(sent, expected):
        raise Forbidden(
            "The form could not be accepted: it did not come from this session. Reload the "
            "page and try again.",
            {"reason": "csrf_failed"},
        )


def _method(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return str(connection.scope.get("method", "GET"))


def login_url(next_url: str) -> str:
    return "/ui/login?next=" + quote(next_url, safe="/")
