"""Turning a template into a response: layout context, security headers, session cookie,
one-shot messages after a redirect, and the HTML face of every error."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, unquote

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.response import Redirect

from switchboard.errors import SwitchboardError, handle_http_exception, handle_unexpected
from switchboard.web.ui.auth import Login, LoginRequired, identify, login_url
from switchboard.web.ui.setup import UiApp, ui_of

log = logging.getLogger("switchboard.ui")
FLASH_COOKIE = "sb_flash"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(
    request: Request[Any, Any, Any], page_template: str, /, *, status: int = 200, **context: Any
) -> Response[str]:
    ui = ui_of(request.app.state)
    login = identify(request)
    flash = request.cookies.get(FLASH_COOKIE)
    values = {
        "user": login.user,
        "csrf": login.csrf(ui),
        "section": "",
        "flash": unquote(flash)[:500] if flash else None,
        "path": request.url.path,
        **context,
    }
    html = ui.jinja.get_template(page_template).render(values)
    cookies = session_cookies(ui, login)
    if flash:
        cookies.append(Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/ui", httponly=True))
    return Response(
        html, status_code=status, media_type="text/html", headers=HEADERS, cookies=cookies
    )


def redirect(request: Request[Any, Any, Any], url: str, flash: str | None = None) -> Redirect:
    """303 to `url` (a GET after a POST), with a message shown once on the next page."""
    ui = ui_of(request.app.state)
    cookies = session_cookies(ui, identify(request))
    if flash:
        cookies.append(
            Cookie(
                key=FLASH_COOKIE,
                value=quote(flash[:500]),
                path="/ui",
                httponly=True,
                samesite="lax",
                secure=ui.settings.ui_cookie_secure,
            )
        )
    return Redirect(url, status_code=303, cookies=cookies, headers=HEADERS)


def session_cookies(ui: UiApp, login: Login) -> list[Cookie]:
    if not login.fresh:
        return []
    return [session_cookie(ui, ui.sessions.encode(login.session), ui.sessions.lifetime_s)]


def session_cookie(ui: UiApp, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=ui.cookie_name,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=ui.settings.ui_cookie_secure,
    )


def html_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every error on a UI route, as a page: the status, code and message the API would give."""
    if isinstance(exc, LoginRequired):
        return redirect(request, login_url(exc.next_url))
    if isinstance(exc, SwitchboardError):
        status, code, message = exc.status_code, exc.code, exc.message
    else:
        response = (
            handle_http_exception(request, exc)
            if isinstance(exc, HTTPException)
            else handle_unexpected(request, exc)
        )
        body = response.content if isinstance(response.content, dict) else {}
        error = body.get("error", {})
        status = response.status_code or 500
        code = str(error.get("code", "internal_error"))
        message = str(error.get("message", "Something went wrong on our side."))
    try:
        return render(request, "error.html", status=status, code=code, message=message)
    except Exception:  # the error page itself failed: plain text, never a loop
        log.exception("the error page could not be shown")
        return Response(f"{status} {message}", status_code=status, media_type="text/plain")
