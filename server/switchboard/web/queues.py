"""`GET /v1/queues`: the queues of the live revision and how to reach them.

Channel gateways read it to hand a routed inquiry over: the voice gateway dials the queue's
phone number. It reveals no customer data, only what the rules repository says about teams.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get

from switchboard.errors import error_responses
from switchboard.web.auth import require_api_key, require_ready, snapshot_of


class QueueContact(msgspec.Struct, omit_defaults=True):
    id: str
    name: str
    email: str | None = None
    phone: str | None = None


class QueueList(msgspec.Struct):
    revision: str
    default_queue: str
    queues: list[QueueContact]


@get(
    "/v1/queues",
    tags=["inquiries"],
    summary="Queues of the live revision with their contact e-mail and phone",
    guards=[require_api_key, require_ready],
    opt={"scope": "inquiries:write"},
    responses=error_responses(401, 403, 503),
    security=[{"apiKey": []}, {"bearer": []}],
)
async def list_queues(request: Request[Any, Any, Any]) -> QueueList:
    """Sorted by id; `default_queue` takes whatever has no better target."""
    ruleset = snapshot_of(request).ruleset
    queues = [
        QueueContact(q.id, q.name, q.contact.get("email"), q.contact.get("phone"))
        for q in sorted(ruleset.queues.values(), key=lambda q: q.id)
    ]
    return QueueList(ruleset.revision, ruleset.settings.default_queue, queues)
