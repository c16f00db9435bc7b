"""Guards: the API key (a route declares its scope in `opt={"scope": ...}`) and readiness.

Guards run before the body is read, so a caller without a key, or a server without a ruleset,
never gets a body parsed.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from switchboard.errors import Forbidden, Unauthorized
from switchboard.runtime.active import ActiveRuleset, Snapshot
from switchboard.web.apikeys import ApiKey, KeyStore


def presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The key from `Authorization: Bearer <key>` or, failing that, `X-API-Key`."""
    auth = connection.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return connection.headers.get("x-api-key", "").strip() or None


async def require_api_key(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Refuse the request (401/403) unless it carries a key with the route's scope.

    Async although it never awaits: Litestar runs a plain function guard in a worker thread,
    and that hand-off cost more than the check (the key file is only stat-ed, and re-read
    when it changed)."""
    store: KeyStore = connection.app.state.api_keys
    presented = presented_key(connection)
    if presented is None:
        raise Unauthorized(
            "An API key is required: send it as 'Authorization: Bearer <key>' or 'X-API-Key'."
        )
    key = store.check(presented)
    if key is None:
        raise Unauthorized("The API key is not known.")
    scope = handler.opt.get("scope")
    if not key.allows(scope):
        raise Forbidden(
            f"The API key {key.name!r} lacks the scope {scope!r}.",
            {"scope": scope, "key": key.name},
        )
    connection.state.api_key = key


async def require_ready(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Refuse with 503 until a ruleset is live; otherwise pin this request's snapshot."""
    active: ActiveRuleset = connection.app.state.active
    connection.state.snapshot = active.get()


def snapshot_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Snapshot:
    """The snapshot `require_ready` took when the request started."""
    snapshot = connection.state.get("snapshot")
    if not isinstance(snapshot, Snapshot):
        raise RuntimeError("the route lacks the require_ready guard")
    return snapshot


def api_key_of(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiKey | None:
    key = connection.state.get("api_key")
    return key if isinstance(key, ApiKey) else None
