"""`POST /v1/admin/reload` (the push webhook) and `POST /v1/admin/rollback`; the reloader's
lifespan.

The webhook accepts GitHub's `X-Hub-Signature-256` (HMAC-SHA256 of the body keyed with
SWITCHBOARD_RELOAD_WEBHOOK_SECRET), GitLab's `X-Gitlab-Token` (the secret itself) or an API key
with the `admin` scope. It only wakes the reloader, which fetches and builds in its own
thread; /v1/status shows when the new revision is live or why it is not.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Litestar, Request, post
from litestar.params import JSONBody

from switchboard.errors import Forbidden, SwitchboardError, Unauthorized, error_responses
from switchboard.proposals.errors import NoIdentity
from switchboard.runtime.reloader import Reloader, RollbackError
from switchboard.settings import Settings
from switchboard.web.apikeys import KeyStore
from switchboard.web.auth import api_key_of, presented_key, require_api_key

WEBHOOK_MAX_BYTES = 5 * 1024 * 1024  # forges send the whole push event; big pushes are big
ADMIN = {"scope": "admin"}
_ROLLBACK_STATUS = {"unknown_revision": 404, "push_failed": 502, "fetch_failed": 502}


class RollbackRefused(SwitchboardError):
    status_code = 409
    code = "rollback_refused"

    def __init__(self, error: RollbackError) -> None:
        super().__init__(error.message)
        self.code = error.code
        self.status_code = _ROLLBACK_STATUS.get(error.code, 409)


class ReloadAccepted(msgspec.Struct):
    status: str  # accepted
    by: str  # github | gitlab | api_key
    live: str | None  # the revision serving now; poll /v1/status for the new one
    following: str | None
    pushed_ref: str | None = None  # `ref` of the push event, when the body names one


class RollbackRequest(msgspec.Struct, forbid_unknown_fields=True):
    # SHA, tag, main~2, ...: printable, since it is handed to git as an argument
    to: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class RollbackDone(msgspec.Struct):
    branch: str
    previous: str
    commit: str
    restored: str


@post(
    "/v1/admin/reload",
    tags=["admin"],
    status_code=202,
    summary="Push webhook: look for a new approved revision now",
    request_max_body_size=WEBHOOK_MAX_BYTES,
    responses=error_responses(401, 403, 413),
    security=[{"apiKey": []}, {"bearer": []}],
)
async def reload_webhook(request: Request[Any, Any, Any]) -> ReloadAccepted:
    """202 once the caller is verified; the fetch and build run in the background."""
    by = await _verify(request)
    reloader = reloader_of(request)
    reloader.trigger(fetch=True)
    live = request.app.state.active.peek()
    return ReloadAccepted(
        status="accepted",
        by=by,
        live=live.revision if live else None,
        following=reloader.status()["following"],
        pushed_ref=await _pushed_ref(request) if by != "api_key" else None,
    )


@post(
    "/v1/admin/rollback",
    tags=["admin"],
    status_code=201,
    guards=[require_api_key],
    opt=ADMIN,
    summary="Roll the approved branch back to an earlier revision (as a new commit)",
    responses=error_responses(400, 401, 403, 404, 409, 422, 502),
    security=[{"apiKey": []}, {"bearer": []}],
)
async def rollback(
    request: Request[Any, Any, Any], data: JSONBody[RollbackRequest]
) -> RollbackDone:
    """Commits `to`'s content on top of the approved branch, authored by the key's user; it goes
    live like any change (watch /v1/status). 409 when `to` was never on the branch."""
    key = api_key_of(request)
    if key is None or key.user is None:
        raise NoIdentity(
            "This API key has no user (name and e-mail), which the rollback commit needs.",
            {"key": key.name if key else None},
        )
    reloader, author = reloader_of(request), key.user
    try:
        done = await anyio.to_thread.run_sync(
            lambda: reloader.rollback(data.to, author, data.message)
        )
    except RollbackError as exc:
        raise RollbackRefused(exc) from None
    return RollbackDone(done.branch, done.previous, done.commit, done.restored)


@contextlib.asynccontextmanager
async def reloader_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Follow the approved revision while the app runs; the first good build makes it ready."""
    settings: Settings = app.state.settings
    reloader = Reloader.from_settings(settings, app.state.active, app.state.environ)
    app.state.reloader = reloader
    reloader.start()
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(reloader.stop)


def reloader_of(request: Request[Any, Any, Any]) -> Reloader:
    reloader: Reloader = request.app.state.reloader
    return reloader


async def _verify(request: Request[Any, Any, Any]) -> str:
    """Who is calling: a verified forge or an admin key; 401/403 otherwise. The body is read
    only when a signature has to be checked."""
    headers = request.headers
    signature, token = headers.get("x-hub-signature-256"), headers.get("x-gitlab-token")
    key = presented_key(request)
    if key is not None and signature is None and token is None:
        store: KeyStore = request.app.state.api_keys
        found = store.check(key)
        if found is None:
            raise Unauthorized("The API key is not known.")
        if not found.allows("admin"):
            raise Forbidden(
                f"The API key {found.name!r} lacks the scope 'admin'.", {"scope": "admin"}
            )
        return "api_key"
    if signature is None and token is None:
        raise Unauthorized(
            "Sign the body (X-Hub-Signature-256), send X-Gitlab-Token, or use an admin API key."
        )
    secret: str | None = request.app.state.settings.reload_webhook_secret
    if not secret:
        raise Unauthorized("This server has no webhook secret (SWITCHBOARD_RELOAD_WEBHOOK_SECRET).")
    if token is not None:
        if not hmac.compare_digest(token.encode(), secret.encode()):
            raise Unauthorized("The X-Gitlab-Token does not match.")
        return "gitlab"
    assert signature is not None
    expected = (
        "sha256=" + hmac.new(secret.encode(), await request.body(), hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(signature.strip().lower().encode(), expected.encode()):
        raise Unauthorized("The X-Hub-Signature-256 does not match the body.")
    return "github"


async def _pushed_ref(request: Request[Any, Any, Any]) -> str | None:
    try:
        event = msgspec.json.decode(await request.body())
    except msgspec.DecodeError:
        return None
    ref = event.get("ref") if isinstance(event, dict) else None
    return ref if isinstance(ref, str) else None
