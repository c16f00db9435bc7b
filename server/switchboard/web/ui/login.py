"""Logging in and out with a local user's password (see `throttle` for repeated failures)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect

from switchboard.users.passwords import hash_password, needs_rehash, verify
from switchboard.web.ui.auth import identify
from switchboard.web.ui.pages import redirect, render, session_cookie
from switchboard.web.ui.sessions import password_tag
from switchboard.web.ui.setup import ui_of


def safe_next(value: Any) -> str:
    """Only a path inside the UI: never another site (`//evil.example`, `/\\evil`)."""
    text = value if isinstance(value, str) else ""
    if text.startswith("/ui") and not text.startswith(("//", "/\\")) and "\\" not in text:
        return text
    return "/ui/"


@get("/ui/login", include_in_schema=False)
async def login_page(
    request: Request[Any, Any, Any], next: FromQuery[str] = "/ui/"
) -> Response[Any]:
    if identify(request).user is not None:
        return redirect(request, safe_next(next))
    return render(request, "login.html", next=safe_next(next), login="", error=None)


@post("/ui/login", include_in_schema=False)
async def log_in(request: Request[Any, Any, Any]) -> Response[Any]:
    ui = ui_of(request.app.state)
    form = await request.form()
    name = str(form.get("login", "")).strip()[:254]
    password = str(form.get("password", ""))
    target = safe_next(form.get("next"))
    user = ui.users.find(name) if name else None
    ok = False
    if name and not ui.throttle.blocked(name):
        stored = user.password_hash if user and user.password_hash else None
        ok = await anyio.to_thread.run_sync(verify, stored, password)
    if not ok or user is None:
        if name:
            ui.throttle.failed(name)
        return render(
            request,
            "login.html",
            status=401,
            next=target,
            login=name,
            error="The login name or the password is not right.",
        )
    if needs_rehash(user.password_hash):
        ui.users.replace_hash(user.login, await anyio.to_thread.run_sync(hash_password, password))
        user = ui.users.get(user.login) or user
    session = ui.sessions.new(user.login, password_tag(user.password_hash))
    cookie = session_cookie(ui, ui.sessions.encode(session), ui.sessions.lifetime_s)
    return Redirect(target, status_code=303, cookies=[cookie])


@post("/ui/logout", include_in_schema=False)
async def log_out(request: Request[Any, Any, Any]) -> Response[Any]:
    ui = ui_of(request.app.state)
    cookie = session_cookie(ui, "", 0)
    return Redirect("/ui/login", status_code=303, cookies=[cookie])


@get("/", include_in_schema=False)
async def root() -> Redirect:
    return Redirect("/ui/", status_code=303)
