"""`/v1/conversations/...` and `/v1/customers/{id}/conversations`: what the store remembers.

Thin: the key's scope is checked by the guard (`conversations:read` to look,
`conversations:write` to add events), the work runs in a worker thread against the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal, TypeVar

import anyio.to_thread
import msgspec
from litestar import Controller, Litestar, Request, get, post
from litestar.connection import ASGIConnection
from litestar.params import FromPath, JSONBody, QueryParameter

from switchboard.conversations import Continuity
from switchboard.conversations.events import NewEvent, add_event
from switchboard.conversations.views import (
    ConversationPage,
    ConversationSummary,
    ConversationView,
    EventView,
    conversation_view,
    customer_conversations,
    summary,
)
from switchboard.errors import error_responses
from switchboard.web.auth import api_key_of, require_api_key

T = TypeVar("T")
READ, WRITE = {"scope": "conversations:read"}, {"scope": "conversations:write"}
READ_ERRORS = error_responses(400, 401, 403, 404, 422, 503)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 413, 422, 503)


class NewEventBody(msgspec.Struct, forbid_unknown_fields=True):
    """`queue` and `assignee` only with `reassigned`; `resolved` and `customer_satisfied`
    close the conversation."""

    kind: Literal["agent_replied", "reassigned", "resolved", "customer_satisfied"]
    note: str | None = None
    queue: str | None = None
    assignee: str | None = None


class EventResult(msgspec.Struct):
    event: EventView
    conversation: ConversationSummary


class ConversationController(Controller):
    path = "/v1"
    tags = ["conversations"]  # noqa: RUF012 - Litestar reads these class attributes
    guards = [require_api_key]  # noqa: RUF012
    security = [{"apiKey": []}, {"bearer": []}]  # noqa: RUF012

    @get("/conversations/{conversation_id:str}", opt=READ, responses=READ_ERRORS)
    async def show(
        self, request: Request[Any, Any, Any], conversation_id: FromPath[str]
    ) -> ConversationView:
        """The conversation with its messages, a summary of each decision, and its events."""
        return await call_store(request, lambda c: conversation_view(c.store, conversation_id))

    @get("/customers/{customer_id:str}/conversations", opt=READ, responses=READ_ERRORS)
    async def of_customer(
        self,
        request: Request[Any, Any, Any],
        customer_id: FromPath[str],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> ConversationPage:
        """Newest opened first; pass `next_cursor` back as `cursor` for the next page."""
        return await call_store(
            request, lambda c: customer_conversations(c.store, customer_id, limit, cursor)
        )

    @post("/conversations/{conversation_id:str}/events", opt=WRITE, responses=WRITE_ERRORS)
    async def add_event(
        self,
        request: Request[Any, Any, Any],
        conversation_id: FromPath[str],
        data: JSONBody[NewEventBody],
    ) -> EventResult:
        """Record what a person did; `resolved` and `customer_satisfied` close it."""
        event = NewEvent(data.kind, actor_name(request), data.note, data.queue, data.assignee)
        queues = _queues(request)
        now = dt.datetime.now(dt.UTC)
        record, conversation = await call_store(
            request, lambda c: add_event(c.store, conversation_id, event, now, queues)
        )
        view = EventView(record.id, record.kind, record.actor, record.at, record.note, record.data)
        return EventResult(view, summary(conversation))


def actor_name(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Who acts: the e-mail of the key's user, else `key:<name>`."""
    key = api_key_of(connection)
    if key is None:
        return "anonymous"
    return key.user[1] if key.user else f"key:{key.name}"


def continuity_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Continuity:
    continuity = connection.app.state.get("conversations")
    if not isinstance(continuity, Continuity):
        raise RuntimeError("the app has no conversation store")
    return continuity


async def call_store(request: Request[Any, Any, Any], work: Callable[[Continuity], T]) -> T:
    continuity = continuity_of(request)
    return await anyio.to_thread.run_sync(lambda: work(continuity))


def _queues(request: Request[Any, Any, Any]) -> frozenset[str] | None:
    snapshot = request.app.state.active.peek()
    return frozenset(snapshot.ruleset.queues) if snapshot is not None else None


@contextlib.asynccontextmanager
async def conversations_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Closes the store when the server stops."""
    try:
        yield
    finally:
        continuity = app.state.get("conversations")
        if isinstance(continuity, Continuity):
            await anyio.to_thread.run_sync(continuity.store.close)
