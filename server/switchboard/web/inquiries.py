"""`POST /v1/inquiries` and `POST /v1/inquiries/dry-run`: a gateway's inquiry in, a Decision out.

Both answer 200 with the Decision: the response is the outcome of deciding, not a resource
that could be fetched again. A dry run decides the same way (live lookups included) but stores
nothing, and says so in the `Switchboard-Dry-Run: true` response header.
"""

from __future__ import annotations

import time
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, post
from litestar.datastructures import ResponseHeader
from litestar.params import JSONBody

from switchboard.engine.types import Decision, Inquiry
from switchboard.errors import error_responses
from switchboard.web.auth import api_key_of, require_api_key, require_ready, snapshot_of
from switchboard.web.deciding import decide_inquiry
from switchboard.web.metrics import decided, metered
from switchboard.web.recorder import Recorder

DRY_RUN_HEADER = "Switchboard-Dry-Run"
ERRORS = error_responses(400, 401, 403, 413, 422, 503)


class InquiryController(Controller):
    path = "/v1/inquiries"
    tags = ["inquiries"]  # noqa: RUF012 - Litestar reads these class attributes
    guards = [require_api_key, require_ready]  # noqa: RUF012
    security = [{"apiKey": []}, {"bearer": []}]  # noqa: RUF012

    @post(
        "/",
        status_code=200,
        opt={"scope": "inquiries:write"},
        summary="Decide an inquiry",
        responses=ERRORS,
    )
    async def decide(self, request: Request[Any, Any, Any], data: JSONBody[Inquiry]) -> Decision:
        """Classify, look up and decide one inquiry; the decision is recorded."""
        return await _run(request, data, dry_run=False)

    @post(
        "/dry-run",
        status_code=200,
        opt={"scope": "inquiries:dry_run"},
        summary="Decide an inquiry without recording it",
        response_headers=[ResponseHeader(name=DRY_RUN_HEADER, value="true")],
        responses=ERRORS,
    )
    async def dry_run(self, request: Request[Any, Any, Any], data: JSONBody[Inquiry]) -> Decision:
        """Decide exactly as the live endpoint would, but store nothing."""
        return await _run(request, data, dry_run=True)


async def _run(request: Request[Any, Any, Any], inquiry: Inquiry, *, dry_run: bool) -> Decision:
    snapshot = metered(request, snapshot_of(request))
    recorder: Recorder = request.app.state.recorder
    key = api_key_of(request)
    started = time.perf_counter()
    decision = await anyio.to_thread.run_sync(
        lambda: decide_inquiry(
            snapshot, inquiry, recorder, dry_run=dry_run, gateway=key.name if key else None
        )
    )
    decided(request, inquiry, decision, dry_run=dry_run, seconds=time.perf_counter() - started)
    return decision
