"""`GET /health` (the process is up), `GET /ready` (a ruleset is live) and `GET /v1/status`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get

from switchboard import __version__
from switchboard.errors import error_responses
from switchboard.runtime.active import ActiveRuleset
from switchboard.web.auth import require_api_key


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    revision: str


class Status(msgspec.Struct):
    version: str
    ready: bool
    revision: str | None = None
    loaded_at: dt.datetime | None = None
    timings_s: dict[str, float] = msgspec.field(default_factory=dict)  # load phase -> seconds
    connectors: dict[str, Any] = msgspec.field(default_factory=dict)
    last_failure: dict[str, Any] | None = None
    reload: dict[str, Any] | None = None  # what the reloader follows, its last build, counts


@get("/health", tags=["health"], summary="Liveness")
async def health() -> Health:
    """200 whenever the process answers; says nothing about the ruleset."""
    return Health(status="ok")


@get("/ready", tags=["health"], summary="Readiness", responses=error_responses(503))
async def ready(request: Request[Any, Any, Any]) -> Readiness:
    """200 once a ruleset is live; before, 503 `not_ready` with `details.reason` `loading` or
    `load_failed` (the problems themselves are in /v1/status, which needs a key)."""
    active: ActiveRuleset = request.app.state.active
    return Readiness(status="ready", revision=active.get().revision)


@get(
    "/v1/status",
    tags=["health"],
    summary="Live revision, build timings and connector states",
    guards=[require_api_key],
    responses=error_responses(401, 403),
    security=[{"apiKey": []}, {"bearer": []}],
)
async def status(request: Request[Any, Any, Any]) -> Status:
    """Any valid API key may read this; it reveals no customer data."""
    active: ActiveRuleset = request.app.state.active
    snapshot = active.peek()
    failure = active.failure_details() if active.last_failure else None
    reloader = request.app.state.get("reloader")
    reload = reloader.status() if reloader is not None else None
    if snapshot is None:
        return Status(version=__version__, ready=False, last_failure=failure, reload=reload)
    status_of = getattr(snapshot.data, "status", None)
    connectors = status_of() if callable(status_of) else {}
    return Status(
        version=__version__,
        ready=True,
        revision=snapshot.revision,
        loaded_at=snapshot.loaded_at,
        timings_s=dict(snapshot.timings),
        connectors=msgspec.to_builtins(connectors),
        last_failure=failure,
        reload=reload,
    )
