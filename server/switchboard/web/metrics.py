"""`GET /metrics` (Prometheus text format), the request timing middleware, and the hooks the
inquiry routes call: `metered` before deciding, `decided` after.

/metrics needs no key, like /health and /ready: it holds counts, timings, revisions and ids
from the rules repository, never customer data. Expose it to the scraper only (see
docs/operations.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any, cast

from litestar import Litestar, Request, Response, get
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from switchboard.engine.types import Decision, Inquiry
from switchboard.observability.logging import log_decision
from switchboard.observability.metrics import CONTENT_TYPE, Metrics
from switchboard.runtime.active import Snapshot


@get("/metrics", tags=["health"], summary="Prometheus metrics", media_type=CONTENT_TYPE)
async def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Decisions, phase and request timings, lookups, reloads, breakers, reminders."""
    body = metrics_of(request.app).exposition()
    return Response(body, media_type=CONTENT_TYPE)


def metrics_of(app: Litestar) -> Metrics:
    metrics: Metrics = app.state.metrics
    return metrics


def metered(request: Request[Any, Any, Any], snapshot: Snapshot) -> Snapshot:
    """The snapshot with its live data timed and counted per connector and query."""
    metrics = metrics_of(request.app)
    return dataclasses.replace(snapshot, data=metrics.metered(snapshot.data))


def decided(
    request: Request[Any, Any, Any],
    inquiry: Inquiry,
    decision: Decision,
    *,
    dry_run: bool,
    seconds: float,
) -> None:
    """Count and log a decision that is about to be answered."""
    metrics_of(request.app).observe_decision(decision, inquiry.channel, dry_run=dry_run)
    log_decision(decision, dry_run=dry_run, seconds=seconds)


@contextlib.asynccontextmanager
async def metrics_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Follow the reloader's builds and the reminders once their lifespans have started them."""
    metrics = metrics_of(app)
    reloader = app.state.get("reloader")
    if reloader is not None:
        metrics.follow_reloader(reloader)
    metrics.reminders = app.state.get("reminders")
    try:
        yield
    finally:
        metrics.reminders = None


class RequestMetrics:
    """ASGI middleware: counts and times every routed HTTP request by its route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = cast("HTTPScope", scope)["method"]
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = scope.get("path_template") or "unmatched"
            metrics: Metrics | None = scope["litestar_app"].state.get("metrics")
            if metrics is not None:
                metrics.observe_request(method, route, status, time.perf_counter() - started)
